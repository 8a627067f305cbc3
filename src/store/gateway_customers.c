/* store/gateway_customers.c - SQL of the partners' customers at a payment gateway. */
#include "store/gateway_customers.h"

#include <stdio.h>

#include "db/db.h"

int gateway_customers_get(struct db *db, const char *partner_id, const char *gateway, char *id,
                          size_t n)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT customer_id FROM gateway_customers WHERE partner_id = ? AND "
                      "gateway = ?",
                      "tt", partner_id, gateway);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        const char *v = db_column_text(st, 0);
        snprintf(id, n, "%s", v ? v : "");
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

int gateway_customers_insert(struct db *db, const char *partner_id, const char *gateway,
                             const char *customer_id, int64_t now)
{
    int64_t rc = db_run(db,
                        "INSERT INTO gateway_customers (partner_id, gateway, customer_id, "
                        "created_at) VALUES (?, ?, ?, ?) ON CONFLICT (partner_id, gateway) DO "
                        "NOTHING",
                        "ttti", partner_id, gateway, customer_id, now);
    return rc < 0 ? (int)rc : 0;
}
