/*
 * service/notices.h - the reminders and notices of SPEC section 3: upcoming renewal, 30/7/1
 * days before expiry, window open, window closing, lapsed; and an automatic renewal refused.
 *
 * Each is an outbox event ("subscription.notice", its "kind" in the payload), sent once
 * per subscription, term and kind; its words are the catalog's (render/email.c).
 */
#ifndef PD_SERVICE_NOTICES_H
#define PD_SERVICE_NOTICES_H

#include <jansson.h>

struct db;
struct sub_row;
struct tx_workers;

/* The notices due today, each once per subscription and term, their transactions spread
 * over w's connections. Idempotent, safe in two processes at once. Returns notices sent. */
int notices_run(const struct tx_workers *w);

/* In the caller's transaction: tells the partner that the automatic renewal of s could
 * not be made for want of certified people (why: the details of the refusal, "certified"
 * and "certified_required"), once per term however many days it is refused; only when it
 * renews by itself (a card saved, valid past expiry), as its reminders said. The window
 * has window_days days. 1 when written, 0 when sent already, or negative. */
int notices_renewal_refused(struct db *db, const struct sub_row *s, int window_days,
                            const json_t *why);

/* Whether s renews by itself: auto-renew on and a saved card still valid the day after it
 * expires (the renewals job tries nothing without one). 1, 0, or negative when the
 * database failed. What the reminders and the offer tile promise. */
int notices_renews_by_itself(struct db *db, const struct sub_row *s);

#endif
