/* store/order_effects.c - SQL an order runs on subscriptions and renewal attempts. */
#include "store/order_effects.h"

#include <string.h>

#include "db/db.h"
#include "store/subscriptions.h"

int order_effects_start_term(struct db *db, const char *subscription_id, const char *starts_on,
                             const char *expires_on, const char *notice_on, const char *renew_on,
                             int64_t now)
{
    return db_write(db,
                    "UPDATE subscriptions SET paid = 1, starts_on = ?, expires_on = ?, "
                    "auto_renew_locked = 0, updated_at = ?, notice_check_on = ?, "
                    "renew_check_on = ? WHERE id = ?",
                    "ttittt", starts_on, expires_on, now, notice_on, renew_on, subscription_id);
}

int order_effects_cancel_unpaid(struct db *db, const char *subscription_id, const char *on,
                                int64_t now)
{
    int64_t rc = db_run(db,
                        "UPDATE subscriptions SET cancelled_on = ?, auto_renew = 0, "
                        "updated_at = ?, " SUBS_RECHECK " WHERE id = ? AND paid = 0",
                        "tit", on, now, subscription_id);
    return rc < 0 ? (int)rc : 0;
}

int order_effects_end_attempt(struct db *db, const char *order_id, const char *status, int64_t now)
{
    int64_t rc =
        db_run(db, "UPDATE renewal_attempts SET status = ?, updated_at = ? WHERE order_id = ?",
               "tit", status, now, order_id);
    /* a try that ended without a term: the renewals job looks at the subscription again,
     * for its next try (one that renewed it wrote the new term's days) */
    if (rc > 0 && strcmp(status, "succeeded") != 0)
        rc = db_run(db,
                    "UPDATE subscriptions SET renew_check_on = '' WHERE id = (SELECT "
                    "subscription_id FROM renewal_attempts WHERE order_id = ?)",
                    "t", order_id);
    return rc < 0 ? (int)rc : 0;
}
