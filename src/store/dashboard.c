/*
 * store/dashboard.c - SQL of the dashboard's counts (see dashboard.h). Each count is
 * served by an index on its status (migrations 017, 018), so none reads the table.
 */
#include "store/dashboard.h"

#include "db/db.h"

int dashboard_counts(struct db *db, struct dashboard_counts *out)
{
    int rc = db_scalar(db, &out->partners, "SELECT COUNT(*) FROM partners", "");
    if (rc >= 0)
        rc = db_scalar(db, &out->awaiting_payment,
                       "SELECT COUNT(*) FROM orders WHERE status = 'awaiting_payment'", "");
    if (rc >= 0)
        rc = db_scalar(db, &out->refunds_to_pay,
                       "SELECT COUNT(*) FROM refunds WHERE status = 'to_pay'", "");
    if (rc >= 0)
        rc = db_scalar(db, &out->open_requests,
                       "SELECT COUNT(*) FROM support_requests WHERE status = 'open'", "");
    return rc < 0 ? rc : 0;
}
