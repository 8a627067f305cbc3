/* jobs/vies.h - the vies_check job (see vies.c). */
#ifndef PD_JOBS_VIES_H
#define PD_JOBS_VIES_H

struct db;

/* Asks VIES about the VAT IDs that are pending or due again, when vies.enabled. Returns
 * how many were asked, or a negative status. */
int vies_check_run(struct db *db);

#endif
