/*
 * service/payment_method.c - showing and replacing the organisation's saved card.
 *
 * The card's fields are checked as an order's (payment.card.*, service/card.c) and go to
 * the gateway before anything is written; the card saved is then the token it returned.
 */
#include "service/payment_method.h"

#include <stdio.h>
#include <string.h>

#include "core/card.h"
#include "core/clock.h"
#include "db/db.h"
#include "gateway/gateway.h"
#include "service/audit.h"
#include "service/card.h"
#include "service/tx.h"
#include "service/validate.h"
#include "store/payments.h"

/* The JSON of a saved card, or {"card": null}. */
static json_t *card_view(const struct order_row *card, bool saved)
{
    return saved ? json_pack("{s:{s:s, s:s, s:i, s:i}}", "card", "brand", card->card_brand, "last4",
                             card->card_last4, "exp_month", card->card_exp_month, "exp_year",
                             card->card_exp_year)
                 : json_pack("{s:n}", "card");
}

int payment_method_json(struct db *db, const struct principal *who, json_t **out,
                        struct pd_error *err)
{
    struct order_row card;
    memset(&card, 0, sizeof(card));
    int rc = payment_method_get(db, who->partner_id, &card);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    *out = card_view(&card, rc == 1);
    return 0;
}

int payment_method_replace(struct db *db, const struct principal *who, const char *ip,
                           const json_t *body, json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"payment_method", NULL};
    struct checks c = {0};
    struct gw_token t;
    struct order_row o;
    int rc = card_data_refuse(body, err);
    if (rc < 0)
        return rc;
    check_known_keys(&c, body, "", keys);
    const char *pm = check_text(&c, body, "payment_method", "payment_method", true, 47);
    if ((rc = check_done(&c, err)) < 0 || (rc = gateway_payment_method(pm, &t, err)) < 0)
        return rc;
    if (!card_not_expired(t.exp_month, t.exp_year, clock_today()))
        return pd_fail_field(err, PD_E_CARD_EXPIRED, "payment_method", MSG_FIELD_CARD_EXPIRED,
                             NULL);
    memset(&o, 0, sizeof(o));
    snprintf(o.card_token, sizeof(o.card_token), "%s", t.token);
    snprintf(o.card_brand, sizeof(o.card_brand), "%s", t.brand);
    snprintf(o.card_last4, sizeof(o.card_last4), "%s", t.last4);
    o.card_exp_month = t.exp_month;
    o.card_exp_year = t.exp_year;
    if ((rc = tx_begin(db, err)) < 0)
        return rc;
    rc = payment_method_save(db, who->partner_id, &o, clock_now());
    if (rc == 0)
        rc = audit(db, who, ip, NULL, "payment_method.replaced", "partner", who->partner_id,
                   json_pack("{s:s, s:s}", "brand", t.brand, "last4", t.last4));
    if ((rc = tx_end(db, rc, err)) < 0)
        return rc;
    *out = card_view(&o, true);
    return 0;
}

json_t *payment_gateway_json(void)
{
    json_t *out = json_pack("{s:s}", "name", gateway_name());
    const char *pk = gateway_public_key();
    if (pk && *pk)
        json_object_set_new(out, "publishable_key", json_string(pk));
    return out;
}
