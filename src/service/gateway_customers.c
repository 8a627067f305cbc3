/* service/gateway_customers.c - a partner's customer at the payment gateway. */
#include "service/gateway_customers.h"

#include <stdio.h>

#include "core/clock.h"
#include "db/db.h"
#include "gateway/gateway.h"
#include "store/gateway_customers.h"
#include "store/users.h"

int gateway_customer_of(struct db *db, const char *partner_id, char *id, size_t n)
{
    struct partner_row p;
    char made[48];
    id[0] = '\0';
    if (!gateway_has_customers())
        return 0;
    int rc = gateway_customers_get(db, partner_id, gateway_name(), id, n);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    if ((rc = partners_find(db, partner_id, &p)) < 0)
        return rc;
    /* outside any transaction: a network call; the same key gives the same customer */
    rc = gateway_customer(partner_id, NULL, rc == 1 ? p.legal_name : NULL, made);
    if (rc < 0)
        return rc;
    if ((rc = gateway_customers_insert(db, partner_id, gateway_name(), made, clock_now())) < 0)
        return rc;
    rc = gateway_customers_get(db, partner_id, gateway_name(), id, n);
    return rc < 0 ? rc : 0;
}
