/* service/payment_events.c - the gateway's signed events about charges. */
#include "service/payment_events.h"

#include <string.h>

#include "db/db.h"
#include "gateway/gateway.h"
#include "service/card.h"
#include "service/settings.h"
#include "store/orders.h"
#include "store/payments.h"

const char *payment_events_header(void)
{
    return gateway_event_header();
}

int payment_events_receive(struct db *db, const char *body, size_t len, const char *signature,
                           json_t **out, struct pd_error *err)
{
    char key[128], order_id[40];
    struct order_row o;
    struct settings set;
    int rc = gateway_event(body, len, signature, key, sizeof(key));
    if (rc < 0)
        return pd_fail(err, rc, "gateway event refused");
    if ((rc = payments_order_of(db, key, order_id, sizeof(order_id))) < 0 ||
        (rc == 1 && (rc = orders_find(db, order_id, &o)) < 0))
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc == 0) { /* not a charge of ours (another server's, a test): nothing to do */
        *out = json_pack("{s:b}", "received", 1);
        return 0;
    }
    if ((rc = settings_load(db, &set)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if ((rc = card_recover(db, &set, &o, NULL)) < 0)
        return pd_fail(err, rc, "payment recovery");
    *out = json_pack("{s:b, s:s, s:s}", "received", 1, "order_id", o.id, "status", o.status);
    return 0;
}
