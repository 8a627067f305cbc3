/*
 * service/payment_recovery.c - settling card payments left in doubt, as a job.
 *
 * The same lookup a second Buy makes (card_recover), run for every order whose payment is
 * in doubt, so a partner who never comes back still gets the subscription paid for, or
 * can pay again. It runs first in each pass of the jobs, before the day's renewals.
 */
#include "service/payment_recovery.h"

#include <stdlib.h>

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
    for (size_t s = 0; s < sizeof(states) / sizeof(states[0]); s++) {
        struct order_row *rows = NULL;
        int n = 0;
        if ((rc = orders_in_status(db, states[s], &rows, &n)) < 0)
            return rc;
        for (int i = 0; i < n; i++)
            done += card_recover(db, &set, &rows[i], NULL) == 1;
        free(rows);
    }
    return done;
}
