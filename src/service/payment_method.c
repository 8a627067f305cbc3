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
#include "service/gateway_customers.h"
#include "service/settings.h"
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

/* Saves method pm for off-session charges at the gateway, without a charge: 0 when saved,
 * 1 with *out {"card": the card still saved, "next_action": the challenge} when the
 * cardholder must authenticate first (the portal sends them there, and back to the profile
 * page, which replaces the card again: the same setup, settled by then), or an error. */
static int setup(struct db *db, const struct principal *who, const char *pm, json_t **out,
                 struct pd_error *err)
{
    struct settings set;
    struct order_row saved;
    struct gw_result g;
    char customer[48], key[128], back[1024];
    int rc = gateway_customer_of(db, who->partner_id, customer, sizeof(customer));
    if (rc < 0)
        return pd_fail(err, PD_E_UNAVAILABLE, "payment gateway: no customer");
    if ((rc = settings_load(db, &set)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    /* the same method, the same setup: a return from the challenge finds it settled */
    snprintf(key, sizeof(key), "setup:%s:%s", who->partner_id, pm);
    size_t len = strlen(set.portal_url);
    while (len > 0 && set.portal_url[len - 1] == '/')
        len--;
    snprintf(back, sizeof(back), "%.*s/profil?carte=%s", (int)len, set.portal_url, pm);
    gateway_setup(customer, pm, back, key, &g);
    if (g.outcome == GW_SUCCEEDED)
        return 0;
    if (g.outcome == GW_DECLINED || g.outcome == GW_INSUFFICIENT_FUNDS)
        return pd_fail(err, PD_E_PAYMENT_DECLINED, "the bank refused to save the card");
    if (g.outcome != GW_REQUIRES_ACTION || g.action_url[0] == '\0')
        return pd_fail(err, PD_E_UNAVAILABLE, "payment gateway: no answer to the setup");
    memset(&saved, 0, sizeof(saved));
    if ((rc = payment_method_get(db, who->partner_id, &saved)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    *out = card_view(&saved, rc == 1);
    json_object_set_new(*out, "next_action",
                        json_pack("{s:s, s:s}", "type", "authenticate", "url", g.action_url));
    return 1;
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
    if ((rc = check_done(&c, err)) < 0)
        return rc;
    rc = gateway_payment_method(pm, &t, err);
    if (rc < 0)
        return rc;
    if (!card_not_expired(t.exp_month, t.exp_year, clock_today()))
        return pd_fail_field(err, PD_E_CARD_EXPIRED, "payment_method", MSG_FIELD_CARD_EXPIRED,
                             NULL);
    /* a gateway that saves a method through a setup of its own (Stripe: a SetupIntent) is
     * asked first; the bank may want the cardholder to authenticate */
    if (gateway_has_setup() && (rc = setup(db, who, t.token, out, err)) != 0)
        return rc < 0 ? rc : 0;
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
