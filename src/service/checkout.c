/* service/checkout.c - orders, payments, invoices, credit notes and wire transfers. */
#include "service/checkout.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/card.h"
#include "core/clock.h"
#include "core/country.h"
#include "core/crypto.h"
#include "core/csv.h"
#include "core/date.h"
#include "core/money.h"
#include "core/subscription.h"
#include "core/text.h"
#include "db/db.h"
#include "gateway/gateway.h"
#include "log.h"
#include "service/audit.h"
#include "service/catalog.h"
#include "service/outbox.h"
#include "service/settings.h"
#include "service/validate.h"
#include "store/certified.h"
#include "store/offers.h"
#include "store/orders.h"
#include "store/subscriptions.h"
#include "store/users.h"

#define EN(lang) ((lang) && strcmp((lang), "en") == 0)

static int finish(struct db *db, int rc, struct pd_error *err)
{
    if (rc >= 0 && (rc = db_commit(db)) >= 0)
        return 0;
    db_rollback(db);
    if (err->code == PD_OK)
        pd_fail(err, rc, "%s", db_errmsg(db));
    return err->code;
}

static const char *today_str(char out[DATE_STRLEN])
{
    return date_format(clock_today(), out);
}

/* ---- partner facts ---- */

struct buyer { /* sized as struct partner_row, so nothing is cut */
    char legal_name[801], country[3], vat_id[41], currency[4], locale[3], membership_id[8];
    char line1[801], line2[801], postal_code[81], city[401];
};

static int load_buyer(struct db *db, const char *partner_id, struct buyer *b)
{
    struct partner_row p;
    int rc = partners_find(db, partner_id, &p);
    if (rc != 1)
        return rc < 0 ? rc : PD_E_NOT_FOUND;
    snprintf(b->legal_name, sizeof(b->legal_name), "%s", p.legal_name);
    snprintf(b->country, sizeof(b->country), "%s", p.country);
    snprintf(b->vat_id, sizeof(b->vat_id), "%s", p.vat_id);
    snprintf(b->currency, sizeof(b->currency), "%s", p.currency);
    snprintf(b->locale, sizeof(b->locale), "%s", p.locale);
    snprintf(b->membership_id, sizeof(b->membership_id), "%s", p.membership_id);
    snprintf(b->line1, sizeof(b->line1), "%s", p.address_line1);
    snprintf(b->line2, sizeof(b->line2), "%s", p.address_line2);
    snprintf(b->postal_code, sizeof(b->postal_code), "%s", p.postal_code);
    snprintf(b->city, sizeof(b->city), "%s", p.city);
    return 0;
}

/* VAT of SPEC section 5: the seller's rate at home; reverse charge for an EU business with
 * a VAT ID; the buyer's country rate for an EU buyer without one; none outside the EU. */
static void tax_for(const struct buyer *b, const char *seller_country, int *rate,
                    const char **treatment)
{
    if (strcmp(b->country, seller_country) == 0) {
        int r = vat_standard_rate(seller_country);
        *rate = r < 0 ? 0 : r;
        *treatment = "domestic";
    } else if (country_in_eu(b->country) && country_in_eu(seller_country) && b->vat_id[0]) {
        *rate = 0;
        *treatment = "reverse_charge";
    } else if (country_in_eu(b->country) && country_in_eu(seller_country)) {
        *rate = vat_standard_rate(b->country);
        *treatment = "eu_no_vat_id";
    } else {
        *rate = 0;
        *treatment = "outside_eu";
    }
}

static const char *tax_mention(const char *treatment, const char *lang)
{
    if (strcmp(treatment, "reverse_charge") == 0)
        return EN(lang) ? "Reverse charge (Autoliquidation), Article 196 of Directive 2006/112/EC"
                        : "Autoliquidation - article 196 de la directive 2006/112/CE";
    if (strcmp(treatment, "outside_eu") == 0)
        return EN(lang) ? "VAT not applicable, article 259-1 of the French tax code"
                        : "TVA non applicable, art. 259-1 du CGI";
    return NULL;
}

/* ---- eligibility ---- */

static int reason_error(enum sub_reason reason, const struct sub_renewal *r, const char *pmc_url,
                        struct pd_error *err)
{
    char d[DATE_STRLEN];
    switch (reason) {
    case SUB_RENEWAL_NOT_OPEN:
        pd_fail(err, PD_E_RENEWAL_NOT_OPEN, NULL);
        pd_error_detail(err, "opens_on", json_string(date_format(r->opens_on, d)));
        pd_error_detail(err, "closes_on", json_string(date_format(r->closes_on, d)));
        return PD_E_RENEWAL_NOT_OPEN;
    case SUB_RENEWAL_WINDOW_CLOSED:
        pd_fail(err, PD_E_RENEWAL_WINDOW_CLOSED, NULL);
        pd_error_detail(err, "closed_on", json_string(date_format(r->closes_on, d)));
        return PD_E_RENEWAL_WINDOW_CLOSED;
    case SUB_MANAGED_IN_PMC:
        pd_fail(err, PD_E_MANAGED_IN_PMC, NULL);
        pd_error_detail(err, "pmc_url", json_string(pmc_url));
        return PD_E_MANAGED_IN_PMC;
    case SUB_CANCELLED_REASON:
        return pd_fail(err, PD_E_SUBSCRIPTION_CANCELLED, NULL);
    case SUB_PENDING_PAYMENT_REASON:
        return pd_fail(err, PD_E_PENDING_PAYMENT, NULL);
    case SUB_NOT_MEMBER:
        return pd_fail(err, PD_E_NOT_MEMBER, NULL);
    case SUB_PREREQUISITES_NOT_MET:
        return pd_fail(err, PD_E_PREREQUISITES_NOT_MET, NULL);
    default:
        return 0;
    }
}

static struct sub_facts facts(struct db *db, const struct sub_row *s, int required,
                              int64_t certified)
{
    struct sub_facts f = {.paid = s->paid,
                          .managed_in_pmc = strcmp(s->managed_in, "pmc") == 0,
                          .cancelled = s->cancelled_on[0] != '\0',
                          .member = true,
                          .certified = (int)certified,
                          .certified_required = required,
                          .window_days = (int)setting_window_days(db)};
    if (s->paid) {
        date_parse(s->starts_on, &f.starts_on);
        date_parse(s->expires_on, &f.expires_on);
    }
    if (f.cancelled)
        date_parse(s->cancelled_on, &f.cancelled_on);
    return f;
}

/* May this organisation buy (or renew) this now? sub is filled for a renewal. */
static int check_eligible(struct db *db, const char *partner_id, const struct offer_row *offer,
                          const char *action, const char *sub_id, const char *order_id,
                          struct sub_row *sub, struct pd_error *err)
{
    int64_t certified = 0, open = 0;
    int rc = certified_count(db, partner_id, &certified);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    struct date today = clock_today();
    if (strcmp(action, "purchase") == 0) {
        struct sub_row *rows = NULL;
        int n = 0;
        if ((rc = subs_list(db, partner_id, &rows, &n)) < 0)
            return pd_fail(err, rc, "%s", db_errmsg(db));
        for (int i = 0; i < n; i++) {
            struct sub_facts f = facts(db, &rows[i], offer->certified_required, certified);
            if (strcmp(rows[i].offer_code, offer->code) == 0 && sub_is_live(&f, today)) {
                pd_fail(err, PD_E_ALREADY_SUBSCRIBED, NULL);
                pd_error_detail(err, "subscription_id", json_string(rows[i].id));
                free(rows);
                return PD_E_ALREADY_SUBSCRIBED;
            }
        }
        free(rows);
        if ((rc = orders_count_open(db, partner_id, offer->code, "purchase", order_id, &open)) < 0)
            return pd_fail(err, rc, "%s", db_errmsg(db));
        if (open > 0)
            return pd_fail(err, PD_E_PENDING_PAYMENT, NULL);
        if (certified < offer->certified_required)
            return pd_fail(err, PD_E_PREREQUISITES_NOT_MET, NULL);
        return 0;
    }
    rc = sub_id ? subs_find(db, sub_id, sub) : 0;
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc == 0 || strcmp(sub->partner_id, partner_id) != 0)
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    if (strcmp(sub->offer_code, offer->code) != 0) {
        return pd_fail_field(err, PD_E_INVALID_REQUEST, "offer", MSG_FIELD_NOT_SUBSCRIPTION_OFFER,
                             NULL);
    }
    if ((rc = orders_count_open(db, partner_id, offer->code, "renewal", order_id, &open)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (open > 0)
        return pd_fail(err, PD_E_PENDING_PAYMENT, NULL);
    struct sub_facts f = facts(db, sub, offer->certified_required, certified);
    struct sub_renewal r = sub_renewal_on(&f, today);
    char pmc[512];
    setting_pmc_url(db, pmc, sizeof(pmc));
    return reason_error(r.reason, &r, pmc, err);
}

int checkout_eligible_renewal(struct db *db, const char *partner_id, const char *offer_code,
                              const char *sub_id, struct pd_error *err)
{
    struct offer_row offer;
    struct sub_row sub;
    int rc = offers_find(db, offer_code, &offer);
    if (rc <= 0)
        return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db)) : pd_fail(err, PD_E_NOT_FOUND, NULL);
    return check_eligible(db, partner_id, &offer, "renewal", sub_id, NULL, &sub, err);
}

/* ---- views ---- */

static json_t *offer_name(struct db *db, const char *code, const char *lang)
{
    json_t *names = catalog_offer_names(db, code);
    json_t *name = json_object_get(names, EN(lang) ? "en" : "fr");
    name = name ? json_incref(name) : json_string(code);
    json_decref(names);
    return name;
}

/* An order done without anyone at the keyboard: the automatic renewal's. */
static bool automatic(const struct order_row *o)
{
    return o->user_id[0] == '\0' && strcmp(o->action, "renewal") == 0;
}

/* What every event about an order carries; the caller adds the rest. */
static json_t *order_event(struct db *db, const struct order_row *o)
{
    char card_label[48];
    snprintf(card_label, sizeof(card_label), "%s \u2022\u2022\u2022\u2022 %s", o->card_brand,
             o->card_last4);
    return json_pack("{s:s, s:s, s:o, s:s, s:b, s:{s:I, s:s}, s:s?, s:s?}", "order_id", o->id,
                     "offer_code", o->offer_code, "offer", catalog_offer_names(db, o->offer_code),
                     "action", o->action, "automatic", automatic(o), "total", "amount_minor",
                     (json_int_t)o->total, "currency", o->currency, "subscription_id",
                     o->subscription_id[0] ? o->subscription_id : NULL, "card",
                     o->card_last4[0] ? card_label : NULL);
}

static json_t *payment_instructions(struct db *db, const struct order_row *o)
{
    char iban[64], bic[32];
    if (strcmp(o->payment_method, "wire") != 0 || o->due_on[0] == '\0')
        return json_null();
    setting_text(db, "bank.iban", iban, sizeof(iban));
    setting_text(db, "bank.bic", bic, sizeof(bic));
    return json_pack("{s:s, s:s, s:s, s:s}", "iban", iban, "bic", bic, "reference",
                     o->wire_reference, "due_on", o->due_on);
}

static json_t *order_json(struct db *db, const struct order_row *o, const char *lang)
{
    char created[21];
    const char *mention = tax_mention(o->tax_treatment, lang);
    json_t *name = offer_name(db, o->offer_code, lang);
    json_t *payment = strcmp(o->payment_method, "card") == 0
                          ? json_pack("{s:s, s:s, s:s, s:i, s:i}", "method", "card", "brand",
                                      o->card_brand, "last4", o->card_last4, "exp_month",
                                      o->card_exp_month, "exp_year", o->card_exp_year)
                          : json_pack("{s:s, s:{s:s, s:s, s:s}}", "method", "wire", "contact",
                                      "name", o->wire_name, "phone", o->wire_phone, "email",
                                      o->wire_email);
    json_t *line = json_pack("{s:O, s:i, s:o, s:o}", "description", name, "quantity", 1,
                             "unit_price", money_json(o->unit_amount, o->currency, lang),
                             "amount", money_json(o->subtotal, o->currency, lang));
    json_t *v = json_pack(
        "{s:s, s:s, s:{s:s, s:o}, s:s, s:s?, s:[o], s:o, s:o, s:o, s:i, s:s, s:s?, s:o, s:s?, "
        "s:o, s:s?, s:s?, s:s}",
        "id", o->id, "status", o->status, "offer", "code", o->offer_code, "name", name,
        "action", o->action, "subscription_id", o->subscription_id[0] ? o->subscription_id : NULL,
        "lines", line, "subtotal", money_json(o->subtotal, o->currency, lang), "tax",
        money_json(o->tax_amount, o->currency, lang), "total",
        money_json(o->total, o->currency, lang), "tax_rate", o->tax_rate, "tax_treatment",
        o->tax_treatment, "tax_mention", mention, "payment", payment, "invoice_id",
        o->invoice_id[0] ? o->invoice_id : NULL, "payment_instructions",
        payment_instructions(db, o), "paid_on", o->paid_on[0] ? o->paid_on : NULL,
        "failure_code", o->failure_code[0] ? o->failure_code : NULL, "created_at",
        instant_format(o->created_at, created));
    return v;
}

/* ---- create ---- */

static int check_card(struct checks *c, const json_t *payment, struct gw_card *card)
{
    static const char *const keys[] = {"number", "exp_month", "exp_year", "cvc", "holder", NULL};
    json_t *cj = check_object(c, payment, "card", "payment.card", true);
    if (cj == NULL)
        return -1;
    check_known_keys(c, cj, "payment.card.", keys);
    card->number = json_string_value(json_object_get(cj, "number"));
    card->cvc = json_string_value(json_object_get(cj, "cvc"));
    card->holder = json_string_value(json_object_get(cj, "holder"));
    json_t *m = json_object_get(cj, "exp_month"), *y = json_object_get(cj, "exp_year");
    if (card->number == NULL)
        check_fail(c, "payment.card.number", MSG_FIELD_REQUIRED);
    if (card->cvc == NULL)
        check_fail(c, "payment.card.cvc", MSG_FIELD_REQUIRED);
    if (!json_is_integer(m) || json_integer_value(m) < 1 || json_integer_value(m) > 12)
        check_fail_args(c, "payment.card.exp_month", MSG_FIELD_INTEGER_RANGE, (const char *const[]){"1", "12"}, 2);
    if (!json_is_integer(y) || json_integer_value(y) < 2000 || json_integer_value(y) > 2100)
        check_fail(c, "payment.card.exp_year", MSG_FIELD_YEAR);
    card->exp_month = (int)json_integer_value(m);
    card->exp_year = (int)json_integer_value(y);
    return 0;
}

int checkout_price(struct db *db, const char *partner_id, const char *offer_code,
                   struct order_row *o, struct pd_error *err)
{
    struct buyer b;
    char seller_country[8];
    const char *treatment;
    int64_t price = 0;
    int rc = load_buyer(db, partner_id, &b);
    if (rc < 0)
        return pd_fail(err, rc, "partner");
    if ((rc = offers_price(db, offer_code, b.currency, &price)) <= 0)
        return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db)) : pd_fail(err, PD_E_PRICE_MISSING, NULL);
    setting_text(db, "seller.country", seller_country, sizeof(seller_country));
    snprintf(o->currency, sizeof(o->currency), "%s", b.currency);
    o->unit_amount = o->subtotal = price;
    tax_for(&b, seller_country, &o->tax_rate, &treatment);
    snprintf(o->tax_treatment, sizeof(o->tax_treatment), "%s", treatment);
    if (money_apply_rate(o->subtotal, o->tax_rate, &o->tax_amount) < 0 ||
        money_add(o->subtotal, o->tax_amount, &o->total) < 0)
        return pd_fail(err, PD_E_OVERFLOW, NULL);
    return 0;
}

int orders_create(struct db *db, const struct principal *who, const char *ip, const json_t *body,
                  const char *lang, json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"offer", "action", "subscription_id", "payment", NULL};
    static const char *const pkeys[] = {"method", "card", "saved_card", "save", "contact", NULL};
    static const char *const ckeys[] = {"name", "phone", "email", NULL};
    struct checks c = {0};
    struct order_row o;
    struct gw_card card = {0};
    memset(&o, 0, sizeof(o));

    check_known_keys(&c, body, "", keys);
    const char *offer_code = check_text(&c, body, "offer", "offer", true, 48);
    const char *action = check_text(&c, body, "action", "action", true, 12);
    if (action && strcmp(action, "purchase") != 0 && strcmp(action, "renewal") != 0)
        check_fail_one_of(&c, "action", (const char *const[]){"purchase", "renewal", NULL}), action = NULL;
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
                tokenize = check_card(&c, payment, &card) == 0;
            json_t *save = json_object_get(payment, "save");
            o.save_card = save == NULL || json_is_true(save);
        } else if (method && !strcmp(method, "wire")) {
            json_t *contact = check_object(&c, payment, "contact", "payment.contact", true);
            if (contact) {
                check_known_keys(&c, contact, "payment.contact.", ckeys);
                const char *n = check_text(&c, contact, "name", "payment.contact.name", true, 200);
                const char *ph = check_text(&c, contact, "phone", "payment.contact.phone", true, 30);
                const char *em =
                    check_text(&c, contact, "email", "payment.contact.email", true, 254);
                if (ph && (strspn(ph, "+0123456789 .-()") != strlen(ph) ||
                           strspn(ph, "+ .-()") == strlen(ph) || strlen(ph) < 6))
                    check_fail(&c, "payment.contact.phone", MSG_FIELD_PHONE), ph = NULL;
                if (em && !text_email_valid(em))
                    check_fail(&c, "payment.contact.email", MSG_FIELD_EMAIL), em = NULL;
                snprintf(o.wire_name, sizeof(o.wire_name), "%s", n ? n : "");
                snprintf(o.wire_phone, sizeof(o.wire_phone), "%s", ph ? ph : "");
                snprintf(o.wire_email, sizeof(o.wire_email), "%s", em ? em : "");
            }
        } else if (method) {
            check_fail_one_of(&c, "payment.method", (const char *const[]){"card", "wire", NULL});
        }
    }
    int rc = check_done(&c, err);
    if (rc < 0)
        return rc;
    if (offer_code == NULL || action == NULL || method == NULL) /* check_done said so */
        return pd_fail(err, PD_E_INVALID_REQUEST, NULL);

    struct offer_row offer;
    if ((rc = offers_find(db, offer_code, &offer)) <= 0) {
        if (rc < 0)
            return pd_fail(err, rc, "%s", db_errmsg(db));
        return pd_fail_field(err, PD_E_INVALID_REQUEST, "offer", MSG_FIELD_UNKNOWN_OFFER, NULL);
    }
    struct sub_row sub;
    if ((rc = check_eligible(db, who->partner_id, &offer, action, sub_id, NULL, &sub, err)) < 0)
        return rc;
    if ((rc = checkout_price(db, who->partner_id, offer.code, &o, err)) < 0)
        return rc;

    /* the card goes to the gateway now; partnerd keeps the token and what can be shown */
    if (tokenize) {
        struct gw_token t;
        if ((rc = gateway_tokenize(&card, &t, err)) < 0)
            return rc;
        snprintf(o.card_token, sizeof(o.card_token), "%s", t.token);
        snprintf(o.card_brand, sizeof(o.card_brand), "%s", t.brand);
        snprintf(o.card_last4, sizeof(o.card_last4), "%s", t.last4);
        o.card_exp_month = t.exp_month;
        o.card_exp_year = t.exp_year;
    } else if (saved) {
        if ((rc = payment_method_get(db, who->partner_id, &o)) <= 0)
            return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db))
                          : pd_fail(err, PD_E_NO_SAVED_CARD, NULL);
        if (!card_not_expired(o.card_exp_month, o.card_exp_year, clock_today()))
            return pd_fail(err, PD_E_CARD_EXPIRED, NULL);
        o.save_card = true;
    }

    id_new("ord", o.id, sizeof(o.id));
    snprintf(o.partner_id, sizeof(o.partner_id), "%s", who->partner_id);
    snprintf(o.user_id, sizeof(o.user_id), "%s", who->user_id);
    snprintf(o.offer_code, sizeof(o.offer_code), "%s", offer.code);
    snprintf(o.action, sizeof(o.action), "%s", action);
    snprintf(o.subscription_id, sizeof(o.subscription_id), "%s", sub_id ? sub_id : "");
    snprintf(o.status, sizeof(o.status), "review");
    snprintf(o.payment_method, sizeof(o.payment_method), "%s", method);
    if (!strcmp(method, "wire")) {
        /* an ISO 11649 reference unique to the order, from its random id */
        char body16[20];
        snprintf(body16, sizeof(body16), "%.16s", o.id + 4);
        for (char *p = body16; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        rf_reference(body16, o.wire_reference, sizeof(o.wire_reference));
    }
    o.created_at = clock_now();
    if ((rc = db_begin(db)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    rc = orders_insert(db, &o, o.created_at);
    if (rc == 0)
        rc = audit(db, who, ip, NULL, "order.created", "order", o.id,
                   json_pack("{s:s, s:s, s:s, s:I}", "offer", o.offer_code, "action", o.action,
                             "method", o.payment_method, "total", (json_int_t)o.total));
    if ((rc = finish(db, rc, err)) < 0)
        return rc;
    *out = order_json(db, &o, lang);
    return 0;
}

/* ---- invoices ---- */

static json_t *seller_json(struct db *db)
{
    char name[320], address[320], country[8], vat[64], reg[320];
    setting_text(db, "seller.name", name, sizeof(name));
    setting_text(db, "seller.address", address, sizeof(address));
    setting_text(db, "seller.country", country, sizeof(country));
    setting_text(db, "seller.vat_id", vat, sizeof(vat));
    setting_text(db, "seller.registration", reg, sizeof(reg));
    json_t *lines = json_array();
    char *save = NULL;
    for (char *l = strtok_r(address, "|", &save); l; l = strtok_r(NULL, "|", &save))
        json_array_append_new(lines, json_string(l));
    return json_pack("{s:s, s:o, s:s, s:s, s:s}", "name", name, "address", lines, "country",
                     country, "vat_id", vat, "registration", reg);
}

static json_t *buyer_json(const struct buyer *b)
{
    json_t *lines = json_pack("[s]", b->line1);
    if (b->line2[0])
        json_array_append_new(lines, json_string(b->line2));
    json_array_append_new(lines, json_sprintf("%s %s", b->postal_code, b->city));
    return json_pack("{s:s, s:o, s:s, s:s?, s:s}", "name", b->legal_name, "address", lines,
                     "country", b->country, "vat_id", b->vat_id[0] ? b->vat_id : NULL,
                     "membership_id", b->membership_id);
}

/* Issues an invoice or a credit note for an order inside the caller's transaction.
 * Numbers come from the year's series, taken in this transaction, so they have no gap. */
static int issue_document(struct db *db, const struct order_row *o, const char *type,
                          const char *credits_id, const char *credits_number, const char *due_on,
                          const char *service_start, const char *service_end,
                          char *invoice_id, size_t n)
{
    struct buyer b;
    struct date today = clock_today();
    char issued[DATE_STRLEN], series[32], number[24];
    int64_t seq = 0;
    int rc = load_buyer(db, o->partner_id, &b);
    if (rc < 0)
        return rc;
    const char *lang = strcmp(b.locale, "en") == 0 ? "en" : "fr";
    bool credit = strcmp(type, "credit_note") == 0;
    snprintf(series, sizeof(series), "%s:%d", credit ? "credit_note" : "invoice", today.year);
    if ((rc = counters_next(db, series, &seq)) < 0)
        return rc;
    snprintf(number, sizeof(number), credit ? "AV%d-%06lld" : "%d-%06lld", today.year,
             (long long)seq);
    int64_t sign = credit ? -1 : 1;
    struct invoice_row v;
    memset(&v, 0, sizeof(v));
    id_new("inv", v.id, sizeof(v.id));
    snprintf(v.type, sizeof(v.type), "%s", type);
    snprintf(v.number, sizeof(v.number), "%s", number);
    snprintf(v.partner_id, sizeof(v.partner_id), "%s", o->partner_id);
    snprintf(v.order_id, sizeof(v.order_id), "%s", o->id);
    snprintf(v.credits_invoice_id, sizeof(v.credits_invoice_id), "%s", credits_id ? credits_id : "");
    snprintf(v.issued_on, sizeof(v.issued_on), "%s", date_format(today, issued));
    snprintf(v.due_on, sizeof(v.due_on), "%s", due_on ? due_on : "");
    snprintf(v.currency, sizeof(v.currency), "%s", o->currency);
    v.subtotal = sign * o->subtotal;
    v.tax_rate = o->tax_rate;
    v.tax_amount = sign * o->tax_amount;
    v.total = sign * o->total;
    snprintf(v.tax_treatment, sizeof(v.tax_treatment), "%s", o->tax_treatment);
    snprintf(v.lang, sizeof(v.lang), "%s", lang);

    json_t *name = offer_name(db, o->offer_code, lang);
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:s?, s:s, s:o, s:o, s:[{s:o, s:i, s:I, s:I, s:s?, s:s?}], s:s, "
        "s:I, s:i, s:I, s:I, s:s, s:s?, s:s?, s:s?}",
        "type", type, "number", number, "issued_on", v.issued_on, "due_on", due_on, "lang", lang,
        "seller", seller_json(db), "buyer", buyer_json(&b), "lines", "description", name,
        "quantity", 1, "unit_price", (json_int_t)sign * (json_int_t)o->unit_amount, "amount",
        (json_int_t)sign * (json_int_t)o->subtotal, "service_start", service_start, "service_end",
        service_end, "currency", o->currency, "subtotal", (json_int_t)v.subtotal, "tax_rate",
        v.tax_rate, "tax_amount", (json_int_t)v.tax_amount, "total", (json_int_t)v.total,
        "tax_treatment", v.tax_treatment, "tax_mention", tax_mention(v.tax_treatment, lang),
        "credits_number", credits_number, "order_id", o->id);
    if (!credit && strcmp(o->payment_method, "wire") == 0 && due_on)
        json_object_set_new(doc, "payment_instructions", payment_instructions(db, o));
    if (!credit && strcmp(o->payment_method, "card") == 0)
        json_object_set_new(doc, "paid_by", json_pack("{s:s, s:s}", "brand", o->card_brand,
                                                      "last4", o->card_last4));
    char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(doc);
    if (text == NULL)
        return PD_E_INTERNAL;
    rc = invoices_insert(db, &v, service_start, service_end, text, clock_now());
    free(text);
    if (rc == 0)
        rc = audit(db, NULL, NULL, o->partner_id, credit ? "credit_note.issued" : "invoice.issued",
                   "invoice", v.id,
                   json_pack("{s:s, s:s, s:I}", "number", number, "order_id", o->id, "total",
                             (json_int_t)v.total));
    if (rc == 0)
        snprintf(invoice_id, n, "%s", v.id);
    return rc;
}

/* ---- confirmation ---- */

/* The paid order's effect, inside the caller's transaction: the subscription's new term
 * starts on the payment date; a card order's invoice is issued now. */
static int confirm_order(struct db *db, struct order_row *o, const char *paid_on_s,
                         const char *charge_id)
{
    struct offer_row offer;
    struct date paid_on;
    char start[DATE_STRLEN], end[DATE_STRLEN];
    int64_t now = clock_now();
    int rc = offers_find(db, o->offer_code, &offer);
    if (rc <= 0)
        return rc < 0 ? rc : PD_E_INTERNAL;
    date_parse(paid_on_s, &paid_on);
    date_format(paid_on, start);
    date_format(date_term_end(paid_on, offer.term_months), end);

    struct sub_row s;
    int term = 1;
    if (strcmp(o->action, "renewal") == 0 || o->subscription_id[0]) {
        if ((rc = subs_find(db, o->subscription_id, &s)) <= 0)
            return rc < 0 ? rc : PD_E_INTERNAL;
        int64_t terms = 0;
        db_scalar(db, &terms, "SELECT COUNT(*) FROM subscription_terms WHERE subscription_id = ?",
                  "t", s.id);
        term = (int)terms + 1;
        /* a renewal clears the auto-renew lock (SPEC section 3) */
        rc = (int)db_run(db,
                         "UPDATE subscriptions SET paid = 1, starts_on = ?, expires_on = ?, "
                         "auto_renew_locked = 0, updated_at = ? WHERE id = ?",
                         "ttit", start, end, now, s.id);
    } else {
        memset(&s, 0, sizeof(s));
        id_new("sub", s.id, sizeof(s.id));
        snprintf(s.partner_id, sizeof(s.partner_id), "%s", o->partner_id);
        snprintf(s.offer_code, sizeof(s.offer_code), "%s", o->offer_code);
        snprintf(s.managed_in, sizeof(s.managed_in), "partner_center");
        s.paid = true;
        snprintf(s.starts_on, sizeof(s.starts_on), "%s", start);
        snprintf(s.expires_on, sizeof(s.expires_on), "%s", end);
        s.auto_renew = true;
        rc = subs_insert(db, &s, now);
        snprintf(o->subscription_id, sizeof(o->subscription_id), "%s", s.id);
    }
    const char *source = automatic(o)                         ? "auto_renewal"
                         : strcmp(o->action, "renewal") == 0 ? "renewal"
                                                             : "purchase";
    if (rc >= 0)
        rc = subs_add_term(db, s.id, term, start, end, source, now);
    char invoice_id[32] = "";
    /* a card order's invoice is issued now, due (and paid) on its date */
    if (rc >= 0 && o->invoice_id[0] == '\0')
        rc = issue_document(db, o, "invoice", NULL, NULL, paid_on_s, start, end, invoice_id,
                            sizeof(invoice_id));
    if (rc >= 0 && strcmp(o->payment_method, "card") == 0 && o->save_card)
        rc = payment_method_save(db, o->partner_id, o, now);
    if (rc >= 0)
        rc = orders_set_outcome(db, o->id, "confirmed", paid_on_s, invoice_id, NULL, s.id, NULL,
                                now);
    if (rc >= 0)
        rc = audit(db, NULL, NULL, o->partner_id, "order.confirmed", "order", o->id,
                   json_pack("{s:s, s:s, s:s?, s:s, s:s}", "subscription_id", s.id, "paid_on",
                             paid_on_s, "charge_id", charge_id, "starts_on", start, "expires_on",
                             end));
    if (rc >= 0) {
        struct invoice_row inv;
        json_t *ev = order_event(db, o);
        json_object_set_new(ev, "subscription_id", json_string(s.id));
        json_object_set_new(ev, "paid_on", json_string(paid_on_s));
        json_object_set_new(ev, "starts_on", json_string(start));
        json_object_set_new(ev, "expires_on", json_string(end));
        if (invoices_find(db, invoice_id[0] ? invoice_id : o->invoice_id, &inv, NULL) == 1) {
            json_object_set_new(ev, "invoice_id", json_string(inv.id));
            json_object_set_new(ev, "invoice_number", json_string(inv.number));
        }
        rc = outbox_emit(db, o->partner_id, automatic(o) ? "subscription.renewed" : "order.confirmed",
                         ev);
    }
    return rc < 0 ? rc : 0;
}

/* Records the outcome of a card attempt in one transaction. */
static int settle_card(struct db *db, struct order_row *o, const char *key,
                       const struct gw_result *g)
{
    char today[DATE_STRLEN];
    int64_t now = clock_now();
    int rc = db_begin(db);
    if (rc < 0)
        return rc;
    /* two processes may settle one order (a pending renewal taken over, a lost answer
     * looked up): the second waits here, then finds it confirmed */
    struct order_row fresh;
    if ((rc = db_lock_row(db, "orders", o->id)) >= 0)
        rc = orders_find(db, o->id, &fresh);
    if (rc < 0) {
        db_rollback(db);
        return rc;
    }
    if (rc == 1 && strcmp(fresh.status, "confirmed") == 0) {
        db_rollback(db); /* another process settled it */
        *o = fresh;
        return 0;
    }
    if (g->outcome == GW_SUCCEEDED) {
        rc = payments_set(db, key, "succeeded", g->charge_id, NULL, now);
        if (rc >= 0)
            rc = confirm_order(db, o, today_str(today), g->charge_id);
    } else if (g->outcome == GW_UNKNOWN) {
        rc = payments_set(db, key, "unknown", NULL, "timeout", now);
        if (rc >= 0)
            rc = orders_set_outcome(db, o->id, "payment_unknown", NULL, NULL, "timeout", NULL,
                                    NULL, now);
    } else {
        const char *code = g->outcome == GW_INSUFFICIENT_FUNDS ? "insufficient_funds"
                                                               : "payment_declined";
        rc = payments_set(db, key, "failed", g->charge_id, code, now);
        if (rc >= 0)
            rc = orders_set_outcome(db, o->id, "failed", NULL, NULL, code, NULL, NULL, now);
        if (rc >= 0)
            rc = audit(db, NULL, NULL, o->partner_id, "payment.failed", "order", o->id,
                       json_pack("{s:s}", "reason", code));
        if (rc >= 0) {
            json_t *ev = order_event(db, o);
            bool funds = g->outcome == GW_INSUFFICIENT_FUNDS;
            json_object_set_new(ev, "reason", json_pack("{s:s, s:s}", "fr",
                                                        funds ? "provision insuffisante" : "carte refusée",
                                                        "en", funds ? "insufficient funds" : "card declined"));
            json_object_set_new(
                ev, "next_step",
                automatic(o)
                    ? json_pack("{s:s, s:s}", "fr",
                                "Nous réessaierons automatiquement ; vous pouvez aussi renouveler "
                                "vous-même depuis Offres d'adhésion ou changer de carte.",
                                "en",
                                "We will try again automatically; you can also renew yourself in "
                                "Membership offers or change the card.")
                    : json_pack("{s:s, s:s}", "fr",
                                "Vous pouvez réessayer avec une autre carte ou payer par virement.",
                                "en", "You can try again with another card or pay by wire transfer."));
            rc = outbox_emit(db, o->partner_id, "payment.failed", ev);
        }
    }
    /* an automatic renewal's try ends with its payment */
    if (rc >= 0 && g->outcome != GW_UNKNOWN)
        rc = (int)db_run(db, "UPDATE renewal_attempts SET status = ?, updated_at = ? WHERE order_id = ?",
                         "tit", g->outcome == GW_SUCCEEDED ? "succeeded" : "failed", now, o->id);
    if (rc >= 0)
        rc = db_commit(db);
    if (rc < 0)
        db_rollback(db);
    if (rc >= 0)
        orders_find(db, o->id, o);
    return rc;
}

/* Before any new attempt: what became of earlier ones whose answer was lost? Returns 1
 * when one had in fact succeeded (the order is now confirmed). */
static int recover_attempts(struct db *db, struct order_row *o)
{
    struct payment_row p[32];
    int n = 0;
    int rc = payments_of(db, o->id, p, 32, &n);
    for (int i = 0; rc >= 0 && i < n; i++) {
        if (strcmp(p[i].status, "pending") != 0 && strcmp(p[i].status, "unknown") != 0)
            continue;
        struct gw_result g;
        if ((rc = gateway_lookup(p[i].key, &g)) < 0)
            return rc;
        if (g.outcome == GW_NOT_FOUND) {
            /* the gateway never saw it: no charge. Once the attempt is older than any
             * gateway call could take, its process is gone: the order may be tried again.
             * An automatic renewal's attempt is sent again by its own job instead. */
            if (automatic(o) || (clock_now() - p[i].created_at < 60 && clock_now() >= p[i].created_at))
                continue;
            rc = payments_set(db, p[i].key, "failed", NULL, "not_sent", clock_now());
            if (rc >= 0 && strcmp(o->status, "processing") == 0)
                rc = orders_set_outcome(db, o->id, "failed", NULL, NULL, "not_sent", NULL, NULL,
                                        clock_now());
            continue;
        }
        if ((rc = settle_card(db, o, p[i].key, &g)) < 0)
            return rc;
        if (g.outcome == GW_SUCCEEDED)
            return 1;
    }
    return rc < 0 ? rc : 0;
}

int checkout_credit(struct db *db, const char *order_id, int64_t subtotal, char *credit_id,
                    size_t n, int64_t *total)
{
    struct order_row o;
    struct invoice_row inv;
    int rc = orders_find(db, order_id, &o);
    if (rc <= 0)
        return rc < 0 ? rc : PD_E_NOT_FOUND;
    if ((rc = invoices_find(db, o.invoice_id, &inv, NULL)) <= 0)
        return rc < 0 ? rc : PD_E_NOT_FOUND;
    /* the same order, for the amount credited */
    o.unit_amount = o.subtotal = subtotal;
    if (money_apply_rate(o.subtotal, o.tax_rate, &o.tax_amount) < 0 ||
        money_add(o.subtotal, o.tax_amount, &o.total) < 0)
        return PD_E_OVERFLOW;
    *total = o.total;
    return issue_document(db, &o, "credit_note", inv.id, inv.number, NULL, NULL, NULL, credit_id, n);
}

int checkout_charge(struct db *db, struct order_row *o, const char *key, enum gw_outcome *outcome)
{
    struct gw_result g;
    if (gateway_charge(o->card_token, o->total, o->currency, key, &g) < 0)
        g.outcome = GW_UNKNOWN; /* the ledger could not be reached: look it up next time */
    *outcome = g.outcome;
    return settle_card(db, o, key, &g);
}

static int purchase_card(struct db *db, const struct principal *who, const char *ip,
                         struct order_row *o, struct pd_error *err)
{
    int rc = recover_attempts(db, o);
    if (rc < 0)
        return pd_fail(err, rc, "payment recovery");
    if (rc == 1)
        return 0;
    if ((rc = orders_find(db, o->id, o)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));

    /* 1: the attempt, committed before the gateway is called */
    struct offer_row offer;
    struct sub_row sub;
    char key[80], pay_id[32];
    if ((rc = db_begin(db)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    db_lock_row(db, "partners", o->partner_id);
    if ((rc = orders_find(db, o->id, o)) < 0)
        goto fail;
    if (strcmp(o->status, "review") != 0 && strcmp(o->status, "failed") != 0 &&
        strcmp(o->status, "payment_unknown") != 0) {
        db_rollback(db);
        pd_fail(err, PD_E_ORDER_STATE, "order is %s", o->status);
        pd_error_detail(err, "status", json_string(o->status));
        return PD_E_ORDER_STATE;
    }
    if ((rc = offers_find(db, o->offer_code, &offer)) < 0 ||
        (rc = check_eligible(db, o->partner_id, &offer, o->action,
                             o->subscription_id[0] ? o->subscription_id : NULL, o->id, &sub,
                             err)) < 0) {
        db_rollback(db);
        return err->code ? err->code : pd_fail(err, rc, "%s", db_errmsg(db));
    }
    struct payment_row prior[32];
    int nprior = 0;
    if ((rc = payments_of(db, o->id, prior, 32, &nprior)) < 0)
        goto fail;
    int attempt = nprior ? prior[nprior - 1].attempt + 1 : 1;
    snprintf(key, sizeof(key), "%s:%d", o->id, attempt);
    rc = payments_insert(db, o->id, attempt, "card", key, o->total, o->currency, clock_now(),
                         pay_id, sizeof(pay_id));
    if (rc >= 0)
        rc = orders_set_outcome(db, o->id, "processing", NULL, NULL, NULL, NULL, NULL, clock_now());
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "payment.attempted", "order", o->id,
                   json_pack("{s:i, s:s, s:s}", "attempt", attempt, "brand", o->card_brand,
                             "last4", o->card_last4));
    if (rc >= 0)
        rc = db_commit(db);
    if (rc < 0)
        goto fail;

    /* 2 and 3: the charge, outside any transaction, then its outcome */
    enum gw_outcome outcome;
    if ((rc = checkout_charge(db, o, key, &outcome)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (outcome == GW_DECLINED)
        return pd_fail(err, PD_E_PAYMENT_DECLINED, NULL);
    if (outcome == GW_INSUFFICIENT_FUNDS)
        return pd_fail(err, PD_E_INSUFFICIENT_FUNDS, NULL);
    if (outcome == GW_UNKNOWN)
        return pd_fail(err, PD_E_PAYMENT_UNKNOWN, NULL);
    return 0;
fail:
    db_rollback(db);
    return pd_fail(err, rc, "%s", db_errmsg(db));
}

static int purchase_wire(struct db *db, const struct principal *who, const char *ip,
                         struct order_row *o, struct pd_error *err)
{
    struct offer_row offer;
    struct sub_row sub;
    char due[DATE_STRLEN], start[DATE_STRLEN], invoice_id[32];
    int64_t now = clock_now();
    int rc = db_begin(db);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    db_lock_row(db, "partners", o->partner_id);
    if ((rc = orders_find(db, o->id, o)) < 0)
        goto fail;
    if (strcmp(o->status, "review") != 0) {
        db_rollback(db);
        pd_fail(err, PD_E_ORDER_STATE, "order is %s", o->status);
        pd_error_detail(err, "status", json_string(o->status));
        return PD_E_ORDER_STATE;
    }
    if ((rc = offers_find(db, o->offer_code, &offer)) < 0 ||
        (rc = check_eligible(db, o->partner_id, &offer, o->action,
                             o->subscription_id[0] ? o->subscription_id : NULL, o->id, &sub,
                             err)) < 0) {
        db_rollback(db);
        return err->code ? err->code : pd_fail(err, rc, "%s", db_errmsg(db));
    }
    struct date today = clock_today();
    date_format(date_add_days(today, WIRE_DUE_DAYS), due);
    date_format(today, start);
    snprintf(o->due_on, sizeof(o->due_on), "%s", due);
    if (strcmp(o->action, "purchase") == 0) {
        /* the subscription waits for its payment: a second purchase is refused meanwhile */
        struct sub_row s;
        memset(&s, 0, sizeof(s));
        id_new("sub", s.id, sizeof(s.id));
        snprintf(s.partner_id, sizeof(s.partner_id), "%s", o->partner_id);
        snprintf(s.offer_code, sizeof(s.offer_code), "%s", o->offer_code);
        snprintf(s.managed_in, sizeof(s.managed_in), "partner_center");
        s.auto_renew = true;
        rc = subs_insert(db, &s, now);
        snprintf(o->subscription_id, sizeof(o->subscription_id), "%s", s.id);
    }
    char end[DATE_STRLEN];
    date_format(date_term_end(today, offer.term_months), end);
    if (rc >= 0)
        rc = issue_document(db, o, "invoice", NULL, NULL, due, start, end, invoice_id,
                            sizeof(invoice_id));
    if (rc >= 0)
        rc = orders_set_outcome(db, o->id, "awaiting_payment", NULL, invoice_id, NULL,
                                o->subscription_id, due, now);
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "order.awaiting_payment", "order", o->id,
                   json_pack("{s:s, s:s}", "reference", o->wire_reference, "due_on", due));
    if (rc >= 0) {
        struct invoice_row inv;
        char iban[64], bic[16];
        setting_text(db, "bank.iban", iban, sizeof(iban));
        setting_text(db, "bank.bic", bic, sizeof(bic));
        json_t *ev = order_event(db, o);
        json_object_set_new(ev, "invoice_id", json_string(invoice_id));
        if (invoices_find(db, invoice_id, &inv, NULL) == 1)
            json_object_set_new(ev, "invoice_number", json_string(inv.number));
        json_object_set_new(ev, "due_on", json_string(due));
        json_object_set_new(ev, "iban", json_string(iban));
        json_object_set_new(ev, "bic", json_string(bic));
        json_object_set_new(ev, "reference", json_string(o->wire_reference));
        rc = outbox_emit(db, o->partner_id, "invoice.issued", ev);
    }
    if (rc >= 0)
        rc = db_commit(db);
    if (rc < 0)
        goto fail;
    orders_find(db, o->id, o);
    return 0;
fail:
    db_rollback(db);
    return pd_fail(err, rc, "%s", db_errmsg(db));
}

static int own_order(struct db *db, const struct principal *who, const char *id,
                     struct order_row *o, struct pd_error *err)
{
    int rc = orders_find(db, id, o);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc == 0 || strcmp(o->partner_id, who->partner_id) != 0)
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    return 0;
}

int orders_purchase(struct db *db, const struct principal *who, const char *ip, const char *id,
                    const char *lang, json_t **out, struct pd_error *err)
{
    struct order_row o;
    int rc = own_order(db, who, id, &o, err);
    if (rc < 0)
        return rc;
    if (strcmp(o.status, "confirmed") == 0 || strcmp(o.status, "awaiting_payment") == 0) {
        *out = order_json(db, &o, lang); /* Buy again: the same order, nothing charged */
        return 0;
    }
    rc = strcmp(o.payment_method, "wire") == 0 ? purchase_wire(db, who, ip, &o, err)
                                               : purchase_card(db, who, ip, &o, err);
    if (rc < 0) {
        pd_error_detail(err, "order_id", json_string(o.id));
        return rc;
    }
    *out = order_json(db, &o, lang);
    return 0;
}

int orders_get(struct db *db, const struct principal *who, const char *id, const char *lang,
               json_t **out, struct pd_error *err)
{
    struct order_row o;
    int rc = own_order(db, who, id, &o, err);
    if (rc < 0)
        return rc;
    *out = order_json(db, &o, lang);
    return 0;
}

int orders_list_json(struct db *db, const struct principal *who, const char *lang,
                     json_t **items)
{
    struct order_row *rows = NULL;
    int n = 0;
    int rc = orders_list(db, who->partner_id, &rows, &n);
    if (rc < 0)
        return rc;
    *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(*items, order_json(db, &rows[i], lang));
    free(rows);
    return 0;
}

int orders_awaiting_json(struct db *db, const char *lang, json_t **items)
{
    struct order_row *rows = NULL;
    int n = 0;
    int rc = orders_in_status(db, "awaiting_payment", &rows, &n);
    if (rc < 0)
        return rc;
    *items = json_array();
    for (int i = 0; i < n; i++) {
        json_t *v = order_json(db, &rows[i], lang);
        json_object_set_new(v, "partner_id", json_string(rows[i].partner_id));
        json_array_append_new(*items, v);
    }
    free(rows);
    return 0;
}

/* ---- invoice views ---- */

static json_t *invoice_json(const struct invoice_row *v, const char *lang)
{
    char created[21];
    return json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:o, s:o, s:o, s:i, s:s, s:s, "
                     "s:s, s:s}",
                     "id", v->id, "number", v->number, "type", v->type, "issued_on",
                     v->issued_on, "due_on", v->due_on[0] ? v->due_on : NULL, "order_id",
                     v->order_id[0] ? v->order_id : NULL, "credits_invoice_id",
                     v->credits_invoice_id[0] ? v->credits_invoice_id : NULL, "subtotal",
                     money_json(v->subtotal, v->currency, lang), "tax",
                     money_json(v->tax_amount, v->currency, lang), "total",
                     money_json(v->total, v->currency, lang), "tax_rate", v->tax_rate,
                     "tax_treatment", v->tax_treatment, "lang", v->lang, "created_at",
                     instant_format(v->created_at, created), "pdf",
                     "/api/v1/invoices/{id}/pdf");
}

int invoices_list_json(struct db *db, const struct principal *who, const char *lang,
                       json_t **items)
{
    struct invoice_row *rows = NULL;
    int n = 0;
    int rc = invoices_list(db, who->partner_id, &rows, &n);
    if (rc < 0)
        return rc;
    *items = json_array();
    for (int i = 0; i < n; i++) {
        json_t *v = invoice_json(&rows[i], lang);
        json_object_set_new(v, "pdf", json_sprintf("/api/v1/invoices/%s/pdf", rows[i].id));
        json_array_append_new(*items, v);
    }
    free(rows);
    return 0;
}

static int own_invoice(struct db *db, const struct principal *who, const char *id,
                       struct invoice_row *v, char **document, struct pd_error *err)
{
    int rc = invoices_find(db, id, v, document);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc == 0 || strcmp(v->partner_id, who->partner_id) != 0) {
        if (rc == 1 && document) {
            free(*document);
            *document = NULL;
        }
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    }
    return 0;
}

int invoices_get(struct db *db, const struct principal *who, const char *id, const char *lang,
                 json_t **out, struct pd_error *err)
{
    struct invoice_row v;
    int rc = own_invoice(db, who, id, &v, NULL, err);
    if (rc < 0)
        return rc;
    *out = invoice_json(&v, lang);
    json_object_set_new(*out, "pdf", json_sprintf("/api/v1/invoices/%s/pdf", v.id));
    return 0;
}

int invoices_document(struct db *db, const struct principal *who, const char *id,
                      json_t **document, struct pd_error *err)
{
    struct invoice_row v;
    char *text = NULL;
    int rc = own_invoice(db, who, id, &v, &text, err);
    if (rc < 0)
        return rc;
    *document = json_loads(text, 0, NULL);
    free(text);
    return *document ? 0 : pd_fail(err, PD_E_INTERNAL, "invoice document unreadable");
}

/* ---- saved card ---- */

int payment_method_json(struct db *db, const struct principal *who, json_t **out)
{
    struct order_row card;
    memset(&card, 0, sizeof(card));
    int rc = payment_method_get(db, who->partner_id, &card);
    if (rc < 0)
        return rc;
    *out = rc == 0 ? json_pack("{s:n}", "card")
                   : json_pack("{s:{s:s, s:s, s:i, s:i}}", "card", "brand", card.card_brand,
                               "last4", card.card_last4, "exp_month", card.card_exp_month,
                               "exp_year", card.card_exp_year);
    return 0;
}

int payment_method_replace(struct db *db, const struct principal *who, const char *ip,
                           const json_t *body, json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"card", NULL};
    struct checks c = {0};
    struct gw_card card = {0};
    check_known_keys(&c, body, "", keys);
    check_card(&c, body, &card);
    int rc = check_done(&c, err);
    if (rc < 0) {
        /* the field names of check_card are those of an order's payment; fine for a card */
        return rc;
    }
    struct gw_token t;
    if ((rc = gateway_tokenize(&card, &t, err)) < 0)
        return rc;
    struct order_row o;
    memset(&o, 0, sizeof(o));
    snprintf(o.card_token, sizeof(o.card_token), "%s", t.token);
    snprintf(o.card_brand, sizeof(o.card_brand), "%s", t.brand);
    snprintf(o.card_last4, sizeof(o.card_last4), "%s", t.last4);
    o.card_exp_month = t.exp_month;
    o.card_exp_year = t.exp_year;
    if ((rc = db_begin(db)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    rc = payment_method_save(db, who->partner_id, &o, clock_now());
    if (rc == 0)
        rc = audit(db, who, ip, NULL, "payment_method.replaced", "partner", who->partner_id,
                   json_pack("{s:s, s:s}", "brand", t.brand, "last4", t.last4));
    if ((rc = finish(db, rc, err)) < 0)
        return rc;
    return payment_method_json(db, who, out);
}

/* ---- wire transfers ---- */

/* Matches one received transfer; in the caller's transaction. *status gets the outcome. */
static int match_transfer(struct db *db, const struct principal *who, const char *reference,
                          int64_t amount, const char *currency, const char *received_on,
                          const char *source, const char **status, char *wire_id, size_t n)
{
    struct order_row o;
    char ref[40];
    size_t k = 0;
    for (const char *p = reference; *p && k + 1 < sizeof(ref); p++)
        if (*p != ' ')
            ref[k++] = (char)toupper((unsigned char)*p);
    ref[k] = '\0';
    int rc = orders_find_by_reference(db, ref, &o);
    /* the order as it stands once locked: a transfer recorded at the same moment, or the
     * due date's cancellation, waits for this one and then sees what it did */
    if (rc == 1 && (rc = db_lock_row(db, "orders", o.id)) >= 0)
        rc = orders_find(db, o.id, &o);
    if (rc < 0)
        return rc;
    const char *order_id = rc == 1 ? o.id : NULL;
    if (rc == 0)
        *status = "unknown_reference";
    else if (strcmp(o.status, "awaiting_payment") != 0)
        *status = "not_awaiting";
    else if (strcmp(o.currency, currency) != 0)
        *status = "currency_mismatch";
    else if (amount < o.total)
        *status = "partial";
    else if (amount > o.total)
        *status = "excess";
    else
        *status = "matched";
    id_new("wtr", wire_id, n);
    rc = wire_insert(db, wire_id, ref, amount, currency, received_on, *status, order_id, source,
                     who ? who->user_id : NULL, clock_now());
    if (rc == 0 && strcmp(*status, "matched") == 0) {
        /* a transfer cannot have been made before its order existed: a term never starts
         * before its order, whatever date was typed */
        char ordered[DATE_STRLEN];
        date_format(date_of_instant(o.created_at), ordered);
        rc = confirm_order(db, &o, strcmp(received_on, ordered) < 0 ? ordered : received_on, NULL);
    }
    if (rc == 0)
        rc = audit(db, who, NULL, order_id ? o.partner_id : NULL, "wire_transfer.recorded",
                   "wire_transfer", wire_id,
                   json_pack("{s:s, s:I, s:s, s:s, s:s?}", "reference", ref, "amount",
                             (json_int_t)amount, "currency", currency, "status", *status,
                             "order_id", order_id));
    return rc;
}

int wire_record(struct db *db, const struct principal *who, const char *ip, const json_t *body,
                json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"reference", "amount_minor", "currency", "received_on",
                                       NULL};
    struct checks c = {0};
    struct date received;
    (void)ip;
    check_known_keys(&c, body, "", keys);
    const char *reference = check_text(&c, body, "reference", "reference", true, 40);
    json_t *amount = json_object_get(body, "amount_minor");
    if (!json_is_integer(amount) || json_integer_value(amount) <= 0)
        check_fail(&c, "amount_minor", MSG_FIELD_AMOUNT_MINOR);
    const char *currency = check_text(&c, body, "currency", "currency", true, 3);
    if (currency && money_currency(currency) == NULL)
        check_fail(&c, "currency", MSG_FIELD_CURRENCY);
    const char *on = check_text(&c, body, "received_on", "received_on", true, 10);
    if (on && date_parse(on, &received) < 0)
        check_fail(&c, "received_on", MSG_FIELD_DATE);
    else if (on && date_cmp(received, clock_today()) > 0)
        check_fail(&c, "received_on", MSG_FIELD_DATE_FUTURE);
    int rc = check_done(&c, err);
    if (rc < 0)
        return rc;
    const char *status = NULL;
    char wire_id[32];
    if ((rc = db_begin(db)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    rc = match_transfer(db, who, reference, json_integer_value(amount), currency, on, "manual",
                        &status, wire_id, sizeof(wire_id));
    if ((rc = finish(db, rc, err)) < 0)
        return rc;
    *out = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s}", "id", wire_id, "reference", reference,
                     "amount_minor", (json_int_t)json_integer_value(amount), "currency", currency,
                     "received_on", on, "status", status);
    return 0;
}

int bank_statement_import(struct db *db, const struct principal *who, const char *ip,
                          const char *csv, json_t **out, struct pd_error *err)
{
    static const char header[] = "date,amount,currency,reference";
    (void)ip;
    char *text = strdup(csv ? csv : "");
    json_t *problems = json_array(), *results = json_array();
    int line = 0, rc = 0;
    if (text == NULL)
        return pd_fail(err, PD_E_INTERNAL, "out of memory");
    struct {
        char date[11], currency[4], reference[40];
        int64_t amount;
    } rows[2000];
    int n = 0;
    char *cursor = text;
    for (char *l; (l = csv_next_line(&cursor)) != NULL;) {
        line++;
        if (line == 1) {
            if (strcmp(l, header) != 0)
                json_array_append_new(problems, json_sprintf("line 1: header: must be %s", header));
            continue;
        }
        if (l[0] == '\0')
            continue;
        char *f[4];
        int nf = csv_split(l, f, 4);
        struct date d;
        const struct currency *cur = nf == 4 ? money_currency(f[2]) : NULL;
        if (nf != 4) {
            json_array_append_new(problems, json_sprintf("line %d: row: must have 4 fields", line));
        } else if (date_parse(f[0], &d) < 0) {
            json_array_append_new(problems, json_sprintf("line %d: date: YYYY-MM-DD", line));
        } else if (cur == NULL) {
            json_array_append_new(problems, json_sprintf("line %d: currency: unknown", line));
        } else if (n == (int)(sizeof(rows) / sizeof(rows[0]))) {
            json_array_append_new(problems, json_sprintf("line %d: too many rows (2000 at most)", line));
            break;
        } else if (money_parse_major(f[1], cur, &rows[n].amount) < 0 || rows[n].amount <= 0) {
            json_array_append_new(problems, json_sprintf("line %d: amount: a positive amount such as 490.00", line));
        } else if (!text_line_valid(f[3], 39)) {
            json_array_append_new(problems, json_sprintf("line %d: reference: required", line));
        } else {
            snprintf(rows[n].date, sizeof(rows[n].date), "%s", f[0]);
            snprintf(rows[n].currency, sizeof(rows[n].currency), "%s", f[2]);
            snprintf(rows[n].reference, sizeof(rows[n].reference), "%s", f[3]);
            n++;
        }
    }
    free(text);
    if (line == 0)
        json_array_append_new(problems, json_string("line 1: header: the file is empty"));
    if (json_array_size(problems) > 0) {
        json_decref(results);
        pd_fail(err, PD_E_INVALID_REQUEST, "bad statement; nothing recorded");
        pd_error_detail(err, "lines", problems);
        return PD_E_INVALID_REQUEST;
    }
    json_decref(problems);
    if ((rc = db_begin(db)) < 0) {
        json_decref(results);
        return pd_fail(err, rc, "%s", db_errmsg(db));
    }
    int matched = 0;
    for (int i = 0; rc >= 0 && i < n; i++) {
        const char *status = NULL;
        char wire_id[32];
        rc = match_transfer(db, who, rows[i].reference, rows[i].amount, rows[i].currency,
                            rows[i].date, "statement", &status, wire_id, sizeof(wire_id));
        if (rc >= 0) {
            matched += strcmp(status, "matched") == 0;
            json_array_append_new(results,
                                  json_pack("{s:s, s:s, s:I, s:s, s:s}", "id", wire_id,
                                            "reference", rows[i].reference, "amount_minor",
                                            (json_int_t)rows[i].amount, "currency",
                                            rows[i].currency, "status", status));
        }
    }
    if ((rc = finish(db, rc, err)) < 0) {
        json_decref(results);
        return rc;
    }
    *out = json_pack("{s:i, s:i, s:o}", "transfers", n, "matched", matched, "items", results);
    return 0;
}

int wire_list_json(struct db *db, const char *status, json_t **items, struct pd_error *err)
{
    static const char *const statuses[] = {"matched",           "partial",      "excess",
                                           "unknown_reference", "not_awaiting", "currency_mismatch",
                                           NULL};
    if (check_filter("status", status, statuses, err) < 0)
        return err->code;
    int rc = wire_list(db, status, items);
    return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db)) : 0;
}

/* ---- jobs ---- */

int wire_expiry_run(struct db *db)
{
    struct order_row *rows = NULL;
    int n = 0, done = 0;
    char today[DATE_STRLEN];
    today_str(today);
    int rc = orders_in_status(db, "awaiting_payment", &rows, &n);
    for (int i = 0; rc >= 0 && i < n; i++) {
        struct order_row *o = &rows[i];
        if (strcmp(o->due_on, today) >= 0)
            continue; /* due today is still on time */
        if ((rc = db_begin(db)) < 0)
            break;
        int64_t now = clock_now();
        /* only if still awaiting: a transfer recorded meanwhile wins */
        rc = orders_transition(db, o->id, "awaiting_payment", "cancelled", now);
        if (rc == 1) {
            struct invoice_row inv;
            char credit_id[32] = "";
            rc = invoices_find(db, o->invoice_id, &inv, NULL);
            if (rc == 1 && invoices_credited(db, inv.id) == 0)
                rc = issue_document(db, o, "credit_note", inv.id, inv.number, NULL, NULL, NULL,
                                    credit_id, sizeof(credit_id));
            if (rc >= 0 && !strcmp(o->action, "purchase") && o->subscription_id[0])
                rc = (int)db_run(db,
                                 "UPDATE subscriptions SET cancelled_on = ?, auto_renew = 0, "
                                 "updated_at = ? WHERE id = ? AND paid = 0",
                                 "tit", today, now, o->subscription_id);
            if (rc >= 0)
                rc = audit(db, NULL, NULL, o->partner_id, "order.cancelled", "order", o->id,
                           json_pack("{s:s, s:s}", "reason", "unpaid_at_due_date", "due_on",
                                     o->due_on));
            if (rc >= 0) {
                struct invoice_row credit;
                json_t *ev = order_event(db, o);
                json_object_set_new(ev, "due_on", json_string(o->due_on));
                json_object_set_new(ev, "invoice_number", json_string(inv.number));
                if (invoices_find(db, credit_id, &credit, NULL) == 1)
                    json_object_set_new(ev, "credit_note_number", json_string(credit.number));
                rc = outbox_emit(db, o->partner_id, "order.cancelled", ev);
            }
            if (rc >= 0)
                done++;
        }
        if (rc >= 0)
            rc = db_commit(db);
        if (rc < 0)
            db_rollback(db);
    }
    free(rows);
    return rc < 0 ? rc : done;
}

int payment_recovery_run(struct db *db)
{
    static const char *states[] = {"processing", "payment_unknown"};
    int done = 0;
    for (size_t s = 0; s < 2; s++) {
        struct order_row *rows = NULL;
        int n = 0;
        int rc = orders_in_status(db, states[s], &rows, &n);
        if (rc < 0)
            return rc;
        for (int i = 0; i < n; i++) {
            if (recover_attempts(db, &rows[i]) == 1)
                done++;
        }
        free(rows);
    }
    return done;
}
