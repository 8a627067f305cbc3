/*
 * service/payment_recovery.c - settling card payments left in doubt, as a job.
 *
 * The same lookup a second Buy makes (card_recover), run for every order whose payment is
 * in doubt, so a partner who never comes back still gets the subscription paid for, or
 * can pay again. It runs first in each pass of the jobs, before the day's renewals. An order
 * the database refuses to settle is logged, and the job reports it, after the others.
 */
#include "service/payment_recovery.h"

#include <stdlib.h>

#include "log.h"
#include "service/card.h"
#include "service/settings.h"
#include "store/orders.h"

int payment_recovery_run(struct db *db)
{
    static const char *const states[] = {"processing", "payment_unknown"};
    struct settings set;
    int done = 0;
    int rc = settings_load(db, &set);
    if (rc < 0)
        return rc;
    int failed = 0; /* one the database refuses is logged; the others go on */
    for (size_t s = 0; s < sizeof(states) / sizeof(states[0]); s++) {
        struct order_row *rows = NULL;
        int n = 0;
        if ((rc = orders_in_status(db, states[s], &rows, &n)) < 0)
            return rc;
        for (int i = 0; i < n; i++) {
            int one = card_recover(db, &set, &rows[i], NULL);
            if (one < 0) {
                log_line(LOG_ERROR, NULL, "payment_recovery", "order=%s error=%d", rows[i].id, one);
                failed = failed < 0 ? failed : one;
            }
            done += one == 1;
        }
        free(rows);
    }
    return failed < 0 ? failed : done;
}
