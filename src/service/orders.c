/*
 * service/orders.c - creating an order, Buy, and the JSON of an order.
 *
 * Creating checks the request and the organisation's eligibility, and prices the order;
 * a new card goes to the gateway at once and only its token is kept. Buy is one use case
 * for both payment methods: in one transaction it locks the organisation's row (one
 * purchase of an organisation at a time), reads the order once under lock and hands that
 * row down. A wire order's invoice is issued in that transaction (service/wire.c). A card
 * order's attempt is committed there, the gateway is called after it, and the outcome is
 * settled in a second, short transaction (service/card.c), so a crash or a timeout leaves
 * an attempt the next Buy or the recovery job looks up instead of charging twice.
 */
#include "service/orders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/card.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/date.h"
#include "core/fault.h"
#include "core/money.h"
#include "core/text.h"
#include "db/db.h"
#include "gateway/gateway.h"
#include "service/audit.h"
#include "service/catalog.h"
#include "service/card.h"
#include "service/eligibility.h"
#include "service/pricing.h"
#include "service/partner_search.h"
#include "service/settings.h"
#include "service/tx.h"
#include "service/validate.h"
#include "service/wire.h"
#include "store/offers.h"
#include "store/payments.h"
#include "store/renewals.h"

bool orders_automatic(const struct order_row *o)
{
    return o->user_id[0] == '\0' && strcmp(o->action, "renewal") == 0;
}

json_t *orders_offer_name(struct db *db, const char *code, const char *lang)
{
    json_t *names = catalog_offer_names(db, code);
    json_t *name = json_object_get(names, msg_lang_tag(msg_lang(lang)));
    name = name ? json_incref(name) : json_string(code);
    json_decref(names);
    return name;
}

json_t *orders_event(struct db *db, const struct order_row *o)
{
    char card_label[48];
    snprintf(card_label, sizeof(card_label), "%s \u2022\u2022\u2022\u2022 %s", o->card_brand,
             o->card_last4);
    return json_pack("{s:s, s:s, s:o, s:s, s:b, s:{s:I, s:s}, s:s?, s:s?}", "order_id", o->id,
                     "offer_code", o->offer_code, "offer", catalog_offer_names(db, o->offer_code),
                     "action", o->action, "automatic", orders_automatic(o), "total", "amount_minor",
                     (json_int_t)o->total, "currency", o->currency, "subscription_id",
                     o->subscription_id[0] ? o->subscription_id : NULL, "card",
                     o->card_last4[0] ? card_label : NULL);
}

/* The JSON of an order, amounts and texts in lang. */
static json_t *order_view(struct db *db, const struct settings *set, const struct order_row *o,
                          const char *lang)
{
    char created[21];
    json_t *name = orders_offer_name(db, o->offer_code, lang);
    json_t *payment =
        strcmp(o->payment_method, "card") == 0
            ? json_pack("{s:s, s:s, s:s, s:i, s:i}", "method", "card", "brand", o->card_brand,
                        "last4", o->card_last4, "exp_month", o->card_exp_month, "exp_year",
                        o->card_exp_year)
            : json_pack("{s:s, s:{s:s, s:s, s:s}}", "method", "wire", "contact", "name",
                        o->wire_name, "phone", o->wire_phone, "email", o->wire_email);
    /* waiting for the cardholder's challenge: where to send the partner, and until when */
    const char *status = o->status;
    json_t *next = NULL;
    char url[512], until[21];
    int64_t expires_at = 0;
    int pending = card_pending_action(db, o, url, sizeof(url), &expires_at);
    if (pending > 0) {
        status = "requires_action";
        next =
            json_pack("{s:s, s:s, s:s}", "type", pending == 2 ? "confirm_payment" : "authenticate",
                      "url", url, "expires_at", instant_format(expires_at, until));
    }
    json_t *line = json_pack("{s:O, s:i, s:o, s:o}", "description", name, "quantity", 1,
                             "unit_price", money_json(o->unit_amount, o->currency, lang), "amount",
                             money_json(o->subtotal, o->currency, lang));
    return json_pack(
        "{s:s, s:s, s:{s:s, s:o}, s:s, s:s?, s:[o], s:o, s:o, s:o, s:i, s:s, s:s?, s:o, s:s?, "
        "s:o, s:s?, s:s?, s:s, s:o*}",
        "id", o->id, "status", status, "offer", "code", o->offer_code, "name", name, "action",
        o->action, "subscription_id", o->subscription_id[0] ? o->subscription_id : NULL, "lines",
        line, "subtotal", money_json(o->subtotal, o->currency, lang), "tax",
        money_json(o->tax_amount, o->currency, lang), "total",
        money_json(o->total, o->currency, lang), "tax_rate", o->tax_rate, "tax_treatment",
        o->tax_treatment, "tax_mention", pricing_tax_mention(o->tax_treatment, lang), "payment",
        payment, "invoice_id", o->invoice_id[0] ? o->invoice_id : NULL, "payment_instructions",
        wire_instructions(set, o), "paid_on", o->paid_on[0] ? o->paid_on : NULL, "failure_code",
        o->failure_code[0] ? o->failure_code : NULL, "created_at",
        instant_format(o->created_at, created), "next_action", next);
}

/* ---- create ---- */

/* The wire contact of a request's payment into o. */
static void check_contact(struct checks *c, const json_t *payment, struct order_row *o)
{
    static const char *const keys[] = {"name", "phone", "email", NULL};
    json_t *contact = check_object(c, payment, "contact", "payment.contact", true);
    if (contact == NULL)
        return;
    check_known_keys(c, contact, "payment.contact.", keys);
    const char *n = check_text(c, contact, "name", "payment.contact.name", true, 200);
    const char *ph = check_text(c, contact, "phone", "payment.contact.phone", true, 30);
    const char *em = check_text(c, contact, "email", "payment.contact.email", true, 254);
    if (ph && (strspn(ph, "+0123456789 .-()") != strlen(ph) || strspn(ph, "+ .-()") == strlen(ph) ||
               strlen(ph) < 6))
        check_fail(c, "payment.contact.phone", MSG_FIELD_PHONE), ph = NULL;
    if (em && !text_email_valid(em))
        check_fail(c, "payment.contact.email", MSG_FIELD_EMAIL), em = NULL;
    snprintf(o->wire_name, sizeof(o->wire_name), "%s", n ? n : "");
    snprintf(o->wire_phone, sizeof(o->wire_phone), "%s", ph ? ph : "");
    snprintf(o->wire_email, sizeof(o->wire_email), "%s", em ? em : "");
}

/* A new card is the gateway's payment method, given by the browser that handed the card to
 * the gateway: partnerd asks the gateway what may be shown of it and keeps that with its id.
 * A saved card is the organisation's, if it has one and it has not expired. */
static int take_card(struct db *db, const struct principal *who, const char *pm, bool saved,
                     struct order_row *o, struct pd_error *err)
{
    int rc;
    if (!saved) {
        struct gw_token t;
        rc = gateway_payment_method(pm, &t, err);
        if (rc < 0)
            return rc;
        if (!card_not_expired(t.exp_month, t.exp_year, clock_today()))
            return pd_fail_field(err, PD_E_CARD_EXPIRED, "payment.payment_method",
                                 MSG_FIELD_CARD_EXPIRED, NULL);
        snprintf(o->card_token, sizeof(o->card_token), "%s", t.token);
        snprintf(o->card_brand, sizeof(o->card_brand), "%s", t.brand);
        snprintf(o->card_last4, sizeof(o->card_last4), "%s", t.last4);
        o->card_exp_month = t.exp_month;
        o->card_exp_year = t.exp_year;
        return 0;
    }
    if ((rc = payment_method_get(db, who->partner_id, o)) <= 0)
        return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db))
                      : pd_fail(err, PD_E_NO_SAVED_CARD, NULL);
    if (!card_not_expired(o->card_exp_month, o->card_exp_year, clock_today()))
        return pd_fail(err, PD_E_CARD_EXPIRED, NULL);
    o->save_card = true;
    /* the card saved when the order is made is the one read here, whatever is saved by the
     * time the order is written: its payment then never replaces a card saved meanwhile */
    snprintf(o->saved_card, sizeof(o->saved_card), "%s", o->card_token);
    o->saved_card_known = true;
    return 0;
}

int orders_create(struct db *db, const struct principal *who, const char *ip, const json_t *body,
                  const char *lang, json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"offer", "action", "subscription_id", "payment", NULL};
    static const char *const pkeys[] = {"method", "payment_method", "saved_card",
                                        "save",   "contact",        NULL};
    struct checks c = {0};
    struct order_row o;
    const char *pm = NULL;
    memset(&o, 0, sizeof(o));

    int rc = card_data_refuse(body, err);
    if (rc < 0)
        return rc;

    check_known_keys(&c, body, "", keys);
    const char *offer_code = check_text(&c, body, "offer", "offer", true, 48);
    const char *action = check_text(&c, body, "action", "action", true, 12);
    if (action && strcmp(action, "purchase") != 0 && strcmp(action, "renewal") != 0)
        check_fail_one_of(&c, "action", (const char *const[]){"purchase", "renewal", NULL}),
            action = NULL;
    const char *sub_id = check_text(&c, body, "subscription_id", "subscription_id", false, 32);
    if (action && !strcmp(action, "renewal") && sub_id == NULL)
        check_fail(&c, "subscription_id", MSG_FIELD_REQUIRED_FOR_RENEWAL);
    if (action && !strcmp(action, "purchase") && sub_id)
        check_fail(&c, "subscription_id", MSG_FIELD_ONLY_FOR_RENEWAL);
    json_t *payment = check_object(&c, body, "payment", "payment", true);
    const char *method = NULL;
    bool saved = false, tokenize = false;
    if (payment) {
        check_known_keys(&c, payment, "payment.", pkeys);
        method = check_text(&c, payment, "method", "payment.method", true, 8);
        if (method && !strcmp(method, "card")) {
            saved = json_is_true(json_object_get(payment, "saved_card"));
            if (!saved)
                tokenize = (pm = check_text(&c, payment, "payment_method", "payment.payment_method",
                                            true, 47)) != NULL;
            json_t *save = json_object_get(payment, "save");
            o.save_card = save == NULL || json_is_true(save);
        } else if (method && !strcmp(method, "wire")) {
            check_contact(&c, payment, &o);
        } else if (method) {
            check_fail_one_of(&c, "payment.method", (const char *const[]){"card", "wire", NULL});
        }
    }
    if ((rc = check_done(&c, err)) < 0)
        return rc;
    if (offer_code == NULL || action == NULL || method == NULL) /* check_done said so */
        return pd_fail(err, PD_E_INVALID_REQUEST, NULL);

    struct settings set;
    struct offer_row offer;
    if ((rc = settings_load(db, &set)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if ((rc = offers_find(db, offer_code, &offer)) <= 0) {
        if (rc < 0)
            return pd_fail(err, rc, "%s", db_errmsg(db));
        return pd_fail_field(err, PD_E_INVALID_REQUEST, "offer", MSG_FIELD_UNKNOWN_OFFER, NULL);
    }
    if ((rc = eligibility_check(db, &set, who->partner_id, &offer, action, sub_id, NULL, err)) < 0)
        return rc;
    if ((rc = pricing_order(db, &set, who->partner_id, offer.code, &o, err)) < 0)
        return rc;
    if ((tokenize || saved) && (rc = take_card(db, who, pm, saved, &o, err)) < 0)
        return rc;

    id_new("ord", o.id, sizeof(o.id));
    snprintf(o.partner_id, sizeof(o.partner_id), "%s", who->partner_id);
    snprintf(o.user_id, sizeof(o.user_id), "%s", who->user_id);
    snprintf(o.offer_code, sizeof(o.offer_code), "%s", offer.code);
    snprintf(o.action, sizeof(o.action), "%s", action);
    snprintf(o.subscription_id, sizeof(o.subscription_id), "%s", sub_id ? sub_id : "");
    snprintf(o.status, sizeof(o.status), "review");
    snprintf(o.payment_method, sizeof(o.payment_method), "%s", method);
    if (!strcmp(method, "wire"))
        wire_reference_new(&o);
    o.created_at = clock_now();
    if ((rc = tx_begin(db, err)) < 0)
        return rc;
    rc = orders_insert(db, &o, o.created_at);
    if (rc == 0)
        rc = audit(db, who, ip, NULL, "order.created", "order", o.id,
                   json_pack("{s:s, s:s, s:s, s:I}", "offer", o.offer_code, "action", o.action,
                             "method", o.payment_method, "total", (json_int_t)o.total));
    if ((rc = tx_end(db, rc, err)) < 0)
        return rc;
    *out = order_view(db, &set, &o, lang);
    return 0;
}

/* ---- Buy ---- */

/* Locks the caller's organisation and reads its order under lock, then locks the
 * subscription a renewal order renews: 0, or PD_E_NOT_FOUND (an order of another
 * organisation is not found either). The subscription's lock is the one the automatic
 * renewal's claim takes before it checks for an open renewal order and makes its own
 * (service/renewals.c): the two take turns, and whichever comes second sees the other's
 * order. It comes after the order's, as when an order is settled (the order locked, then
 * its subscription written). */
static int lock_own_order(struct db *db, const struct principal *who, const char *id,
                          struct order_row *o, struct pd_error *err)
{
    int rc = orders_lock_buyer(db, who->partner_id);
    if (rc >= 0)
        rc = orders_lock(db, id, o);
    if (rc == 1 && strcmp(o->partner_id, who->partner_id) == 0 && o->subscription_id[0] &&
        strcmp(o->action, "renewal") == 0) {
        int locked = renewal_lock_subscription(db, o->subscription_id);
        rc = locked < 0 ? locked : rc;
    }
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc == 0 || strcmp(o->partner_id, who->partner_id) != 0)
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    return 0;
}

int orders_purchase(struct db *db, const struct principal *who, const char *ip, const char *id,
                    const char *lang, json_t **out, struct pd_error *err)
{
    struct settings set;
    struct order_row o;
    char key[80];
    int rc = settings_load(db, &set);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    fault_pause("buy.claimed");
    for (int pass = 0;; pass++) {
        if ((rc = tx_begin(db, err)) < 0)
            return rc;
        if ((rc = lock_own_order(db, who, id, &o, err)) < 0)
            return tx_end(db, rc, err);
        if (strcmp(o.status, "confirmed") == 0 || strcmp(o.status, "awaiting_payment") == 0) {
            rc = tx_end(db, 0, err); /* Buy again: the same order, nothing charged */
            break;
        }
        if (strcmp(o.payment_method, "wire") == 0) {
            rc = tx_end(db, wire_purchase(db, &set, who, ip, &o, err), err);
            break;
        }
        /* the card: the attempt, committed before the gateway is called, then the charge */
        int attempt = card_attempt(db, &set, who, ip, &o, pass == 0, key, sizeof(key), err);
        if ((rc = tx_end(db, attempt, err)) < 0)
            break;
        if (attempt == 0) {
            rc = card_pay(db, &set, &o, key, err);
            break;
        }
        /* earlier attempts whose answer was lost are looked up first, outside any
         * transaction; then Buy starts again from the order as they left it (an attempt
         * the gateway has not seen is then sent again with its own key) */
        enum gw_outcome settled = GW_NOT_FOUND;
        if ((rc = card_recover(db, &set, &o, &settled)) < 0) {
            rc = pd_fail(err, rc, "payment recovery");
            break;
        }
        if (rc == 1) { /* one had in fact succeeded: the order is confirmed */
            rc = 0;
            break;
        }
        /* an automatic renewal waiting for the partner, who pays it now on session: the
         * job's off-session attempt is cancelled, and the next pass makes theirs */
        if (settled == GW_REQUIRES_ACTION && orders_automatic(&o) && pass == 0) {
            int handed = card_hand_over(db, &set, &o);
            if (handed < 0) {
                rc = pd_fail(err, handed, "payment hand-over");
                break;
            }
            if (handed == 1)
                continue;
        }
        /* it waits for the cardholder's challenge: the same answer as the first Buy */
        if (settled == GW_REQUIRES_ACTION) {
            rc = 0;
            break;
        }
        /* it had been declined: that is the answer the first Buy would have had */
        if (settled == GW_DECLINED || settled == GW_INSUFFICIENT_FUNDS) {
            rc = pd_fail(err,
                         settled == GW_DECLINED ? PD_E_PAYMENT_DECLINED : PD_E_INSUFFICIENT_FUNDS,
                         NULL);
            break;
        }
    }
    fault_pause("buy.settled");
    if (rc < 0) {
        pd_error_detail(err, "order_id", json_string(o.id));
        return rc;
    }
    *out = order_view(db, &set, &o, lang);
    return 0;
}

/* ---- views ---- */

int orders_get(struct db *db, const struct principal *who, const char *id, const char *lang,
               json_t **out, struct pd_error *err)
{
    struct settings set;
    struct order_row o;
    int rc = orders_find(db, id, &o);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc == 0 || strcmp(o.partner_id, who->partner_id) != 0)
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    if ((rc = settings_load(db, &set)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    *out = order_view(db, &set, &o, lang);
    return 0;
}

/* The JSON of n orders into *items; with_partner adds each one's partner_id. */
static int order_views(struct db *db, const struct order_row *rows, int n, bool with_partner,
                       const char *lang, json_t **items, struct pd_error *err)
{
    struct settings set;
    int rc = settings_load(db, &set);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    struct partner_name_cache names = {0};
    *items = json_array();
    for (int i = 0; i < n; i++) {
        json_t *v = order_view(db, &set, &rows[i], lang);
        if (with_partner) {
            json_object_set_new(v, "partner_id", json_string(rows[i].partner_id));
            json_object_set_new(v, "partner_name",
                                partner_search_name(db, rows[i].partner_id, &names));
        }
        json_array_append_new(*items, v);
    }
    return 0;
}

/* A page of orders of filter f, as API objects. */
static int order_page(struct db *db, const struct orders_query *in, struct orders_filter *f,
                      bool staff, const char *lang, json_t **items, char next[CURSOR_TEXT_MAX],
                      struct pd_error *err)
{
    static const char *const statuses[] = {
        "review",           "processing", "payment_unknown", "failed",
        "awaiting_payment", "confirmed",  "cancelled",       NULL};
    struct checks c = {0};
    struct page_request p;
    page_check(&c, &in->page, &p);
    if (!staff && !check_one_of(in->status, statuses))
        check_fail_one_of(&c, "status", statuses);
    if (in->reference && strlen(in->reference) > 40)
        check_fail_args(&c, "reference", MSG_FIELD_TEXT_LINE, (const char *const[]){"40"}, 1);
    f->from = page_check_date(&c, "from", in->from, false);
    f->to = page_check_date(&c, "to", in->to, true);
    if (page_checks_done(&c, err) < 0)
        return err->code;
    if (!staff)
        f->status = in->status;
    /* as references are kept: "rf12 3456" finds RF123456 */
    char reference[48];
    if (in->reference) {
        rf_compact(in->reference, reference, sizeof(reference));
        f->wire_reference = reference;
    }
    struct order_row *rows = NULL;
    int n = 0;
    int rc = orders_page(db, f, &p, &rows, &n);
    f->wire_reference = NULL; /* this call's buffer: the filter does not keep it */
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    int shown = page_shown(&p, n);
    rc = order_views(db, rows, shown, staff, lang, items, err);
    if (rc >= 0)
        page_next(&p, n, shown ? rows[shown - 1].created_at : 0, shown ? rows[shown - 1].id : NULL,
                  next);
    free(rows);
    return rc;
}

int orders_list_json(struct db *db, const struct principal *who, const struct orders_query *in,
                     const char *lang, json_t **items, char next[CURSOR_TEXT_MAX],
                     struct pd_error *err)
{
    struct orders_filter f = {.partner_id = who->partner_id};
    return order_page(db, in, &f, false, lang, items, next, err);
}

int orders_awaiting_json(struct db *db, const struct orders_query *in, const char *lang,
                         json_t **items, char next[CURSOR_TEXT_MAX], struct pd_error *err)
{
    struct orders_filter f = {.partner_id = in->partner_id, .status = "awaiting_payment"};
    return order_page(db, in, &f, true, lang, items, next, err);
}
