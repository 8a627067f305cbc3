/*
 * store/order_effects.h - SQL an order runs on other aggregates when it is settled.
 *
 * A paid order starts a term of its subscription; an unpaid purchase cancelled at its due
 * date cancels the subscription that waited for it; a card payment ends the automatic
 * renewal attempt that made it. These statements touch subscriptions and
 * renewal_attempts; they sit here, beside the orders that cause them, until those
 * aggregates' own store files offer them.
 */
#ifndef PD_STORE_ORDER_EFFECTS_H
#define PD_STORE_ORDER_EFFECTS_H

#include <stdint.h>

struct db;

/* Marks the subscription paid for the term starts_on..expires_on; a renewal also clears
 * the auto-renew lock (SPEC section 3). The notices and renewals jobs next look at it on
 * notice_on and renew_on (the new term's first days, migration 024). */
int order_effects_start_term(struct db *db, const char *subscription_id, const char *starts_on,
                             const char *expires_on, const char *notice_on, const char *renew_on,
                             int64_t now);

/* Cancels the subscription on `on` with auto-renew off, if it was never paid. */
int order_effects_cancel_unpaid(struct db *db, const char *subscription_id, const char *on,
                                int64_t now);

/* Ends the automatic renewal attempt that made the order ("succeeded" or "failed"); none
 * for an order made by hand. */
int order_effects_end_attempt(struct db *db, const char *order_id, const char *status, int64_t now);

#endif
