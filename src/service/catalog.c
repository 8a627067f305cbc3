/*
 * service/catalog.c - the offer catalog as the API shows it, and the operator's changes.
 *
 * The catalog is read in three queries (offers with their texts in one language, every
 * benefit, every price) and joined here by offer code into one object per offer
 * (offer_view). Changes are checked field by field first, then made in one transaction
 * with their audit event.
 */
#include "service/catalog.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/money.h"
#include "core/msg.h"
#include "core/text.h"
#include "db/db.h"
#include "service/audit.h"
#include "service/tx.h"
#include "service/validate.h"
#include "store/offers.h"

/* The API object of one offer of the catalog, with its benefits and prices. */
static json_t *offer_view(const struct offer_entry *e, const struct offer_benefit *benefits,
                          int nbenefits, const struct offer_price *prices, int nprices,
                          const char *lang)
{
    bool english = msg_lang(lang) == LANG_EN;
    json_t *list = json_array(), *by_currency = json_object();
    for (int i = 0; i < nbenefits; i++)
        if (strcmp(benefits[i].offer_code, e->offer.code) == 0)
            json_array_append_new(list, json_pack("{s:s, s:s}", "kind", benefits[i].kind, "label",
                                                  english ? benefits[i].en : benefits[i].fr));
    for (int i = 0; i < nprices; i++)
        if (strcmp(prices[i].offer_code, e->offer.code) == 0)
            json_object_set_new(by_currency, prices[i].currency,
                                json_integer(prices[i].amount_minor));
    return json_pack("{s:s, s:s, s:s, s:i, s:i, s:o, s:o}", "code", e->offer.code, "name", e->name,
                     "description", e->description, "term_months", e->offer.term_months,
                     "certified_required", e->offer.certified_required, "benefits", list, "prices",
                     by_currency);
}

int catalog_list(struct db *db, const char *lang, json_t **items, struct pd_error *err)
{
    struct arena a = {0};
    struct offer_entry *offers = NULL;
    struct offer_benefit *benefits = NULL;
    struct offer_price *prices = NULL;
    int n = 0, nbenefits = 0, nprices = 0;
    int rc = offers_catalog(db, &a, lang, &offers, &n);
    if (rc >= 0)
        rc = offers_benefits(db, &a, &benefits, &nbenefits);
    if (rc >= 0)
        rc = offers_prices(db, &a, &prices, &nprices);
    if (rc >= 0) {
        *items = json_array();
        for (int i = 0; i < n; i++)
            json_array_append_new(
                *items, offer_view(&offers[i], benefits, nbenefits, prices, nprices, lang));
    }
    arena_free(&a);
    return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db)) : 0;
}

json_t *catalog_offer_names(struct db *db, const char *code)
{
    struct offer_names names;
    json_t *out = json_object();
    if (offers_names(db, code, &names) <= 0)
        return out;
    if (names.fr[0])
        json_object_set_new(out, "fr", json_string(names.fr));
    if (names.en[0])
        json_object_set_new(out, "en", json_string(names.en));
    return out;
}

json_t *catalog_offer_name(struct db *db, const char *code, const char *lang)
{
    struct offer_names names;
    if (offers_names(db, code, &names) <= 0)
        return json_null();
    const char *name = msg_lang(lang) == LANG_EN ? names.en : names.fr;
    return name[0] ? json_string(name) : json_null();
}

int catalog_set_price(struct db *db, const struct principal *who, const char *ip, const char *code,
                      const char *currency, const json_t *body, struct pd_error *err)
{
    static const char *const keys[] = {"amount_minor", NULL};
    struct checks c = {0};
    struct offer_row offer;
    check_known_keys(&c, body, "", keys);
    json_t *v = json_object_get(body, "amount_minor");
    check_amount(&c, body, "amount_minor", "amount_minor");
    if (money_currency(currency) == NULL)
        check_fail(&c, "currency", MSG_FIELD_CURRENCY);
    int rc = check_done(&c, err);
    if (rc < 0 || (rc = tx_begin(db, err)) < 0)
        return rc;
    int64_t before = 0;
    rc = offers_find(db, code, &offer);
    if (rc == 0)
        rc = pd_fail(err, PD_E_NOT_FOUND, NULL);
    if (rc > 0 && (rc = offers_price(db, code, currency, &before)) >= 0)
        rc = offers_set_price(db, code, currency, json_integer_value(v), clock_now());
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "offer.price_changed", "offer", code,
                   json_pack("{s:s, s:I, s:O}", "currency", currency, "before", (json_int_t)before,
                             "after", v));
    return tx_end(db, rc, err);
}

/* Checks the texts {fr, en} of an offer, each of 1 to max characters. */
static void check_texts(struct checks *c, const json_t *texts, const char *name, size_t max)
{
    static const char *const langs[] = {"fr", "en", NULL};
    char prefix[32], field[40];
    snprintf(prefix, sizeof(prefix), "%s.", name);
    check_known_keys(c, texts, prefix, langs);
    snprintf(field, sizeof(field), "%s.fr", name);
    check_text(c, texts, "fr", field, true, max);
    snprintf(field, sizeof(field), "%s.en", name);
    check_text(c, texts, "en", field, true, max);
}

/* Checks the benefits of a new offer: a list of {kind, fr, en}. */
static void check_benefits(struct checks *c, const json_t *benefits)
{
    static const char *const bkeys[] = {"kind", "fr", "en", NULL};
    static const char *const kinds[] = {"software", "cloud",     "support",
                                        "training", "marketing", NULL};
    size_t i;
    json_t *b;
    if (benefits && !json_is_array(benefits))
        check_fail(c, "benefits", MSG_FIELD_BENEFITS);
    json_array_foreach(benefits, i, b)
    {
        const char *kind = json_string_value(json_object_get(b, "kind"));
        char field[64];
        snprintf(field, sizeof(field), "benefits.%zu.", i);
        check_known_keys(c, b, field, bkeys);
        if (kind == NULL || !*kind || !check_one_of(kind, kinds))
            check_fail_one_of(c, field, kinds);
        if (!text_line_valid(json_string_value(json_object_get(b, "fr")), 300) ||
            !text_line_valid(json_string_value(json_object_get(b, "en")), 300))
            check_fail(c, field, MSG_FIELD_LABELS_FR_EN);
    }
}

int catalog_add_offer(struct db *db, const struct principal *who, const char *ip,
                      const json_t *body, struct pd_error *err)
{
    static const char *const keys[] = {"code",        "term_months", "certified_required", "name",
                                       "description", "prices",      "benefits",           NULL};
    struct checks c = {0};
    struct offer_row o = {.term_months = 12};
    check_known_keys(&c, body, "", keys);
    const char *code = check_text(&c, body, "code", "code", true, 40);
    if (code && strspn(code, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(code))
        check_fail(&c, "code", MSG_FIELD_SLUG);
    else if (code)
        snprintf(o.code, sizeof(o.code), "%s", code);
    json_t *term = json_object_get(body, "term_months");
    if (term &&
        (!json_is_integer(term) || json_integer_value(term) < 1 || json_integer_value(term) > 36))
        check_fail_args(&c, "term_months", MSG_FIELD_INTEGER_RANGE,
                        (const char *const[]){"1", "36"}, 2);
    else if (term)
        o.term_months = (int)json_integer_value(term);
    json_t *req = json_object_get(body, "certified_required");
    if (req &&
        (!json_is_integer(req) || json_integer_value(req) < 0 || json_integer_value(req) > 100))
        check_fail_args(&c, "certified_required", MSG_FIELD_INTEGER_RANGE,
                        (const char *const[]){"0", "100"}, 2);
    else if (req)
        o.certified_required = (int)json_integer_value(req);
    json_t *name = check_object(&c, body, "name", "name", true);
    json_t *desc = check_object(&c, body, "description", "description", true);
    if (name)
        check_texts(&c, name, "name", 200);
    if (desc)
        check_texts(&c, desc, "description", 1000);
    json_t *prices = check_object(&c, body, "prices", "prices", true);
    const char *cur;
    json_t *amount;
    json_object_foreach(prices, cur, amount)
    {
        if (money_currency(cur) == NULL || !json_is_integer(amount) ||
            json_integer_value(amount) <= 0 || json_integer_value(amount) > MONEY_MAX_MINOR) {
            char field[64];
            snprintf(field, sizeof(field), "prices.%s", cur);
            check_fail(&c, field, MSG_FIELD_PRICE);
        }
    }
    json_t *benefits = json_object_get(body, "benefits");
    check_benefits(&c, benefits);
    int rc = check_done(&c, err);
    if (rc < 0 || (rc = tx_begin(db, err)) < 0)
        return rc;
    int64_t now = clock_now();
    struct offer_row existing;
    rc = offers_find(db, o.code, &existing);
    if (rc == 1)
        rc = pd_fail_field(err, PD_E_CONFLICT, "code", MSG_FIELD_ALREADY_USED, NULL);
    if (rc == 0)
        rc = offers_insert(db, &o, json_string_value(json_object_get(name, "fr")),
                           json_string_value(json_object_get(name, "en")),
                           json_string_value(json_object_get(desc, "fr")),
                           json_string_value(json_object_get(desc, "en")), now);
    json_object_foreach(prices, cur, amount)
    {
        if (rc == 0)
            rc = offers_set_price(db, o.code, cur, json_integer_value(amount), now);
    }
    size_t i;
    json_t *b;
    json_array_foreach(benefits, i, b)
    {
        if (rc == 0)
            rc = offers_add_benefit(db, o.code, (int)i + 1,
                                    json_string_value(json_object_get(b, "kind")),
                                    json_string_value(json_object_get(b, "fr")),
                                    json_string_value(json_object_get(b, "en")));
    }
    if (rc == 0)
        rc = audit(db, who, ip, NULL, "offer.added", "offer", o.code, json_deep_copy(body));
    return tx_end(db, rc, err);
}
