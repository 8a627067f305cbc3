/*
 * service/notices.h - the reminders and notices of SPEC section 3: upcoming renewal, 30/7/1
 * days before expiry, window open, window closing, lapsed.
 *
 * Each is an outbox event ("subscription.notice", its "kind" in the payload), sent once
 * per subscription, term and kind; its words are the catalog's (render/email.c).
 */
#ifndef PD_SERVICE_NOTICES_H
#define PD_SERVICE_NOTICES_H

struct db;

/* The notices due today, each once per subscription and term. Idempotent, safe in two
 * processes at once. Returns notices sent. */
int notices_run(struct db *db);

#endif
