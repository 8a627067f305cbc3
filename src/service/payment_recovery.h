/*
 * service/payment_recovery.h - the job that settles card payments left in doubt.
 */
#ifndef PD_SERVICE_PAYMENT_RECOVERY_H
#define PD_SERVICE_PAYMENT_RECOVERY_H

struct db;

/* Job: for every order still processing or payment_unknown (a process died between the
 * attempt and its outcome, or the gateway did not answer), asks the gateway what became
 * of its attempts and settles them (card_recover, service/card_recovery.c). Returns how
 * many orders turned out paid, or a failure. */
int payment_recovery_run(struct db *db);

#endif
