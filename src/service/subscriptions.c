/* service/subscriptions.c - subscriptions, tiles, auto-renew, PMC import and catalog. */
#include "service/subscriptions.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/csv.h"
#include "core/date.h"
#include "core/money.h"
#include "core/subscription.h"
#include "core/text.h"
#include "db/db.h"
#include "service/audit.h"
#include "service/settings.h"
#include "service/validate.h"
#include "store/offers.h"
#include "store/users.h"

/* Finishes a transaction: commit on success, roll back and fill err otherwise. */
static int finish(struct db *db, int rc, struct pd_error *err)
{
    if (rc >= 0 && (rc = db_commit(db)) >= 0)
        return 0;
    db_rollback(db);
    if (err->code == PD_OK)
        pd_fail(err, rc, "%s", db_errmsg(db));
    return err->code;
}

/* What the rules need, gathered for one organisation once per request. */
struct org_context {
    int64_t certified;
    int window_days;
    char pmc_url[512];
};

static int load_context(struct db *db, const char *partner_id, struct org_context *ctx)
{
    ctx->window_days = (int)setting_window_days(db);
    setting_pmc_url(db, ctx->pmc_url, sizeof(ctx->pmc_url));
    return certified_count(db, partner_id, &ctx->certified);
}

static struct sub_facts facts_of(const struct sub_row *s, const struct org_context *ctx,
                                 int required)
{
    struct sub_facts f = {.paid = s->paid,
                          .managed_in_pmc = strcmp(s->managed_in, "pmc") == 0,
                          .cancelled = s->cancelled_on[0] != '\0',
                          .member = true,
                          .certified = (int)ctx->certified,
                          .certified_required = required,
                          .window_days = ctx->window_days};
    if (s->paid) {
        date_parse(s->starts_on, &f.starts_on);
        date_parse(s->expires_on, &f.expires_on);
    }
    if (f.cancelled)
        date_parse(s->cancelled_on, &f.cancelled_on);
    return f;
}

static json_t *date_json(bool known, struct date d)
{
    char s[DATE_STRLEN];
    return known ? json_string(date_format(d, s)) : json_null();
}

static json_t *renewal_json(const struct sub_facts *f, const struct sub_renewal *r)
{
    const char *reason = sub_reason_name(r->reason);
    return json_pack("{s:b, s:o, s:o, s:o}", "eligible", r->eligible, "opens_on",
                     date_json(f->paid, r->opens_on), "closes_on",
                     date_json(f->paid, r->closes_on), "reason",
                     reason ? json_string(reason) : json_null());
}

/* The API object of a subscription with an already loaded context. */
static json_t *sub_view(struct db *db, const struct sub_row *s, const struct org_context *ctx,
                        const char *lang)
{
    struct offer_row offer = {.certified_required = 0};
    offers_find(db, s->offer_code, &offer);
    struct sub_facts f = facts_of(s, ctx, offer.certified_required);
    struct date today = clock_today();
    enum sub_state state = sub_state_on(&f, today);
    struct sub_renewal r = sub_renewal_on(&f, today);
    json_t *catalog = NULL, *name = NULL;
    if (offers_catalog(db, lang, &catalog) == 0) {
        size_t i;
        json_t *o;
        json_array_foreach(catalog, i, o) if (strcmp(json_string_value(json_object_get(o, "code")),
                                                     s->offer_code) == 0) name =
            json_incref(json_object_get(o, "name"));
        json_decref(catalog);
    }
    json_t *v = json_pack(
        "{s:s, s:s, s:{s:s, s:o}, s:s, s:o, s:o, s:b, s:b, s:s, s:o, s:b, s:o, s:b}", "id",
        s->id, "partner_id", s->partner_id, "offer", "code", s->offer_code, "name",
        name ? name : json_null(), "status", sub_state_name(state), "starts_on",
        date_json(f.paid, f.starts_on), "expires_on", date_json(f.paid, f.expires_on),
        "auto_renew", s->auto_renew, "auto_renew_locked", s->auto_renew_locked, "managed_in",
        s->managed_in, "renewal", renewal_json(&f, &r), "benefits_suspended",
        state == SUB_RENEWAL_WINDOW, "cancelled_on", date_json(f.cancelled, f.cancelled_on),
        "migrated_from_pmc", s->migrated_at != 0);
    if (f.managed_in_pmc)
        json_object_set_new(v, "pmc_url", json_string(ctx->pmc_url));
    return v;
}

int subscription_json(struct db *db, const struct sub_row *s, const char *lang, json_t **out)
{
    struct org_context ctx;
    int rc = load_context(db, s->partner_id, &ctx);
    if (rc < 0)
        return rc;
    *out = sub_view(db, s, &ctx, lang);
    return 0;
}

/* Loads a subscription of the caller's organisation; PD_E_NOT_FOUND otherwise. */
static int own_sub(struct db *db, const struct principal *who, const char *id, struct sub_row *s,
                   struct pd_error *err)
{
    int rc = subs_find(db, id, s);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc == 0 || strcmp(s->partner_id, who->partner_id) != 0)
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    return 0;
}

int subscriptions_get(struct db *db, const struct principal *who, const char *id,
                      const char *lang, json_t **out, struct pd_error *err)
{
    struct sub_row s;
    int rc = own_sub(db, who, id, &s, err);
    if (rc < 0)
        return rc;
    rc = subscription_json(db, &s, lang, out);
    return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db)) : 0;
}

/* The rows of partner_id (NULL: all) as API objects, filtered by state and place. */
static int list_views(struct db *db, const char *partner_id, const char *status,
                      const char *managed_in, const char *lang, json_t **items,
                      struct pd_error *err)
{
    int want = -1;
    if (status && (want = sub_state_parse(status)) < 0) {
        pd_fail(err, PD_E_INVALID_QUERY, "unknown status");
        pd_error_detail(err, "status",
                        json_string("one of pending_payment, active, renewal_window, lapsed, "
                                    "cancelled"));
        return PD_E_INVALID_QUERY;
    }
    struct sub_row *rows = NULL;
    int n = 0;
    int rc = subs_list(db, partner_id, &rows, &n);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    *items = json_array();
    for (int i = 0; i < n; i++) {
        struct org_context ctx;
        if ((rc = load_context(db, rows[i].partner_id, &ctx)) < 0)
            break;
        if (managed_in && strcmp(rows[i].managed_in, managed_in) != 0)
            continue;
        json_t *v = sub_view(db, &rows[i], &ctx, lang);
        if (want >= 0 &&
            strcmp(json_string_value(json_object_get(v, "status")), sub_state_name(want)) != 0) {
            json_decref(v);
            continue;
        }
        json_array_append_new(*items, v);
    }
    free(rows);
    if (rc < 0) {
        json_decref(*items);
        return pd_fail(err, rc, "%s", db_errmsg(db));
    }
    return 0;
}

int subscriptions_list(struct db *db, const struct principal *who, const char *status,
                       const char *lang, json_t **items, struct pd_error *err)
{
    return list_views(db, who->partner_id, status, NULL, lang, items, err);
}

int subscriptions_admin_list(struct db *db, const char *partner_id, const char *managed_in,
                             const char *lang, json_t **items, struct pd_error *err)
{
    if (managed_in && strcmp(managed_in, "pmc") != 0 && strcmp(managed_in, "partner_center") != 0)
        return pd_fail(err, PD_E_INVALID_QUERY, "managed_in is pmc or partner_center");
    return list_views(db, partner_id, NULL, managed_in, lang, items, err);
}

static int pmc_refusal(struct pd_error *err, const char *url)
{
    pd_fail(err, PD_E_MANAGED_IN_PMC, NULL);
    pd_error_detail(err, "pmc_url", json_string(url));
    return PD_E_MANAGED_IN_PMC;
}

int subscriptions_set_auto_renew(struct db *db, const struct principal *who, const char *ip,
                                 const char *id, const json_t *body, const char *lang,
                                 json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"auto_renew", NULL};
    struct checks c = {0};
    struct sub_row s;
    struct org_context ctx;
    /* not found comes before a bad body, for missing and foreign objects alike */
    int rc = own_sub(db, who, id, &s, err);
    if (rc < 0)
        return rc;
    check_known_keys(&c, body, "", keys);
    json_t *v = json_object_get(body, "auto_renew");
    if (!json_is_boolean(v))
        check_fail(&c, "auto_renew", MSG_FIELD_NOT_BOOLEAN);
    if ((rc = check_done(&c, err)) < 0)
        return rc;
    bool on = json_is_true(v);

    if ((rc = db_begin(db)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    rc = own_sub(db, who, id, &s, err); /* again, inside the transaction */
    if (rc == 0)
        rc = load_context(db, s.partner_id, &ctx);
    if (rc == 0 && strcmp(s.managed_in, "pmc") == 0)
        rc = pmc_refusal(err, ctx.pmc_url);
    else if (rc == 0 && on && s.cancelled_on[0])
        rc = pd_fail(err, PD_E_SUBSCRIPTION_CANCELLED, NULL);
    else if (rc == 0 && on && s.auto_renew_locked)
        rc = pd_fail(err, PD_E_AUTO_RENEW_LOCKED, NULL);
    if (rc == 0 && on != s.auto_renew) {
        /* turning it off locks it until the next renewal */
        rc = subs_set_auto_renew(db, s.id, on, on ? s.auto_renew_locked : true, clock_now());
        if (rc == 0)
            rc = audit(db, who, ip, NULL, on ? "subscription.auto_renew_on"
                                             : "subscription.auto_renew_off",
                       "subscription", s.id, json_pack("{s:s}", "offer", s.offer_code));
    }
    if ((rc = finish(db, rc, err)) < 0)
        return rc;
    if (subs_find(db, id, &s) != 1)
        return pd_fail(err, PD_E_INTERNAL, "read back");
    *out = sub_view(db, &s, &ctx, lang);
    return 0;
}

/* Localised sentences of the tiles: a choice between two literals, so printf formats
 * stay checked by the compiler. */
#define msg(lang, fr, en) ((lang) && strcmp((lang), "en") == 0 ? (en) : (fr))

static json_t *tile_message(const char *state, const char *lang, const struct sub_facts *f,
                            const struct sub_renewal *r, const struct sub_row *s,
                            const struct org_context *ctx, int required)
{
    char a[40], b[40], text[600];
    if (strcmp(state, "manage_in_pmc") == 0) {
        snprintf(text, sizeof(text),
                 msg(lang, "Cet abonnement est géré dans le Partner Membership Center : "
                           "renouvelez-le sur %s.",
                     "This subscription is managed in the Partner Membership Center: renew it "
                     "at %s."),
                 ctx->pmc_url);
    } else if (strcmp(state, "pending_payment") == 0) {
        snprintf(text, sizeof(text), "%s",
                 msg(lang, "Commande en attente de paiement.", "Order awaiting payment."));
    } else if (strcmp(state, "renew") == 0) {
        snprintf(text, sizeof(text),
                 msg(lang, "Votre abonnement a expiré le %s. Vous pouvez le renouveler "
                           "jusqu'au %s inclus.",
                     "Your subscription expired on %s. You can renew it until %s."),
                 date_format_long(f->expires_on, lang, a, sizeof(a)),
                 date_format_long(r->closes_on, lang, b, sizeof(b)));
    } else if (strcmp(state, "active") == 0) {
        date_format_long(f->expires_on, lang, a, sizeof(a));
        date_format_long(r->opens_on, lang, b, sizeof(b));
        if (s->auto_renew)
            snprintf(text, sizeof(text),
                     msg(lang, "Actif jusqu'au %s. Renouvellement automatique le %s.",
                         "Active until %s. Renews automatically on %s."),
                     a, b);
        else
            snprintf(text, sizeof(text),
                     msg(lang, "Actif jusqu'au %s. Vous pourrez le renouveler à partir du %s.",
                         "Active until %s. You can renew it from %s."),
                     a, b);
    } else if (strcmp(state, "not_eligible") == 0) {
        snprintf(text, sizeof(text),
                 msg(lang, "Conditions non remplies : %d personnes certifiées requises, %lld "
                           "enregistrée(s).",
                     "Requirements not met: %d certified people needed, %lld registered."),
                 required, (long long)ctx->certified);
    } else {
        snprintf(text, sizeof(text), "%s",
                 msg(lang, "Vous pouvez acheter cette offre.", "You can buy this offer."));
    }
    if (s && s->migrated_at && strcmp(state, "manage_in_pmc") != 0) {
        size_t len = strlen(text);
        snprintf(text + len, sizeof(text) - len, " %s",
                 msg(lang, "Votre abonnement est désormais géré ici, dans l'Espace partenaires.",
                     "Your subscription is now managed here, in Partner Center."));
    }
    return json_string(text);
}

int offers_tiles(struct db *db, const struct principal *who, const char *lang, json_t **items)
{
    json_t *catalog;
    struct partner_row partner;
    struct org_context ctx;
    struct sub_row *rows = NULL;
    int n = 0, rc;
    if ((rc = load_context(db, who->partner_id, &ctx)) < 0 ||
        (rc = offers_catalog(db, lang, &catalog)) < 0)
        return rc;
    if ((rc = partners_find(db, who->partner_id, &partner)) != 1 ||
        (rc = subs_list(db, who->partner_id, &rows, &n)) < 0) {
        json_decref(catalog);
        return rc < 0 ? rc : PD_E_NOT_FOUND;
    }
    const char *currency = partner.currency;
    struct date today = clock_today();
    *items = json_array();
    size_t i;
    json_t *o;
    json_array_foreach(catalog, i, o) {
        const char *code = json_string_value(json_object_get(o, "code"));
        int required = (int)json_integer_value(json_object_get(o, "certified_required"));
        bool met = ctx.certified >= required;
        /* the live subscription, else the latest one */
        const struct sub_row *shown = NULL;
        bool live = false;
        for (int k = 0; k < n; k++) {
            if (strcmp(rows[k].offer_code, code) != 0)
                continue;
            struct sub_facts f = facts_of(&rows[k], &ctx, required);
            if (sub_is_live(&f, today)) {
                shown = &rows[k];
                live = true;
                break;
            }
            if (shown == NULL)
                shown = &rows[k];
        }
        struct sub_facts f = {0};
        struct sub_renewal r = {0};
        const char *state;
        if (shown) {
            f = facts_of(shown, &ctx, required);
            r = sub_renewal_on(&f, today);
        }
        if (!live)
            state = met ? "buy" : "not_eligible";
        else if (f.managed_in_pmc)
            state = "manage_in_pmc";
        else if (!f.paid)
            state = "pending_payment";
        else if (r.eligible)
            state = "renew";
        else if (r.reason == SUB_PREREQUISITES_NOT_MET)
            state = "not_eligible";
        else
            state = "active";
        int64_t price = 0;
        json_t *p = json_object_get(json_object_get(o, "prices"), currency);
        if (p)
            price = json_integer_value(p);
        json_t *tile = json_pack(
            "{s:s, s:O, s:O, s:O, s:O, s:o, s:{s:i, s:I, s:b}, s:s, s:o, s:o, s:o, s:o, s:o}",
            "code", code, "name", json_object_get(o, "name"), "description",
            json_object_get(o, "description"), "term_months", json_object_get(o, "term_months"),
            "benefits", json_object_get(o, "benefits"), "price",
            p ? money_json(price, currency, lang) : json_null(), "prerequisites",
            "certified_required", required, "certified_count", (json_int_t)ctx.certified, "met",
            met, "state", state, "subscription_id",
            live ? json_string(shown->id) : json_null(), "starts_on",
            date_json(live && f.paid, f.starts_on), "expires_on",
            date_json(live && f.paid, f.expires_on), "renewal",
            live ? renewal_json(&f, &r) : json_null(), "message",
            tile_message(state, lang, &f, &r, live ? shown : NULL, &ctx, required));
        json_object_set_new(tile, "auto_renew", live ? json_boolean(shown->auto_renew) : json_null());
        if (strcmp(state, "manage_in_pmc") == 0)
            json_object_set_new(tile, "pmc_url", json_string(ctx.pmc_url));
        /* a competency whose people fell short: its next renewal is at risk */
        json_object_set_new(tile, "warning",
                            live && !met && required > 0 && f.paid
                                ? json_string(msg(lang,
                                                  "Éligibilité au renouvellement menacée : "
                                                  "trop peu de personnes certifiées.",
                                                  "Renewal eligibility at risk: too few "
                                                  "certified people."))
                                : json_null());
        json_array_append_new(*items, tile);
    }
    free(rows);
    json_decref(catalog);
    return 0;
}

int subscriptions_migrate(struct db *db, const struct principal *who, const char *ip,
                          const char *id, const char *lang, json_t **out, struct pd_error *err)
{
    struct sub_row s;
    int rc = db_begin(db);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    rc = subs_find(db, id, &s);
    if (rc == 0)
        rc = pd_fail(err, PD_E_NOT_FOUND, NULL);
    else if (rc == 1 && strcmp(s.managed_in, "pmc") != 0)
        rc = pd_fail(err, PD_E_CONFLICT, "already managed in Partner Center");
    else if (rc == 1)
        rc = subs_migrate(db, id, clock_now());
    if (rc >= 0)
        rc = audit(db, who, ip, s.partner_id, "subscription.migrated", "subscription", id,
                   json_pack("{s:s}", "offer", s.offer_code));
    if ((rc = finish(db, rc, err)) < 0)
        return rc;
    if (subs_find(db, id, &s) != 1)
        return pd_fail(err, PD_E_INTERNAL, "read back");
    rc = subscription_json(db, &s, lang, out);
    return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db)) : 0;
}

int subscriptions_migrate_all(struct db *db, const struct principal *who, const char *ip,
                              int *migrated, struct pd_error *err)
{
    struct sub_row *rows = NULL;
    int n = 0;
    *migrated = 0;
    int rc = db_begin(db);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    rc = subs_list(db, NULL, &rows, &n);
    for (int i = 0; rc >= 0 && i < n; i++) {
        if (strcmp(rows[i].managed_in, "pmc") != 0)
            continue;
        rc = subs_migrate(db, rows[i].id, clock_now());
        if (rc >= 0)
            rc = audit(db, who, ip, rows[i].partner_id, "subscription.migrated", "subscription",
                       rows[i].id, json_pack("{s:s}", "offer", rows[i].offer_code));
        if (rc >= 0)
            (*migrated)++;
    }
    free(rows);
    return finish(db, rc, err);
}

/* ---- legacy import ---- */

static void problem(json_t *problems, int line, const char *field, const char *why)
{
    char text[300];
    snprintf(text, sizeof(text), "line %d: %s: %s", line, field, why);
    json_array_append_new(problems, json_string(text));
}

static int parse_bool(const char *s)
{
    if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcmp(s, "1"))
        return 1;
    if (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcmp(s, "0"))
        return 0;
    return -1;
}

struct import_row {
    char partner_id[32];
    char offer[48];
    char starts_on[11], expires_on[11];
    int auto_renew;
    int line;
};

/* Finds the partner of a membership ID. */
static int partner_of_membership(struct db *db, const char *membership_id, char *out, size_t n)
{
    struct db_stmt *st;
    int rc = db_query(db, &st, "SELECT id FROM partners WHERE membership_id = ?", "t",
                      membership_id);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        snprintf(out, n, "%s", db_column_text(st, 0));
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

static int check_import_row(struct db *db, char **f, int line, struct import_row *out,
                            json_t *problems)
{
    int before = (int)json_array_size(problems);
    struct offer_row offer;
    struct date start, end;
    out->line = line;
    if (strlen(f[0]) != 7 || strspn(f[0], "0123456789") != 7)
        problem(problems, line, "membership_id", "must be 7 digits");
    else if (partner_of_membership(db, f[0], out->partner_id, sizeof(out->partner_id)) != 1)
        problem(problems, line, "membership_id", "no partner has this membership ID");
    if (offers_find(db, f[1], &offer) != 1)
        problem(problems, line, "offer", "unknown offer code");
    else
        snprintf(out->offer, sizeof(out->offer), "%s", f[1]);
    bool dates = true;
    if (date_parse(f[2], &start) < 0) {
        problem(problems, line, "starts_on", "not a date (YYYY-MM-DD)");
        dates = false;
    }
    if (date_parse(f[3], &end) < 0) {
        problem(problems, line, "expires_on", "not a date (YYYY-MM-DD)");
        dates = false;
    }
    if (dates && date_cmp(end, start) < 0)
        problem(problems, line, "expires_on", "before starts_on");
    snprintf(out->starts_on, sizeof(out->starts_on), "%s", f[2]);
    snprintf(out->expires_on, sizeof(out->expires_on), "%s", f[3]);
    if ((out->auto_renew = parse_bool(f[4])) < 0)
        problem(problems, line, "auto_renew", "true or false");
    return (int)json_array_size(problems) == before;
}

int legacy_import(struct db *db, const char *csv, int *imported, json_t **problems,
                  struct pd_error *err)
{
    static const char header[] = "membership_id,offer,starts_on,expires_on,auto_renew";
    char *text = strdup(csv ? csv : "");
    struct import_row *rows = NULL;
    int nrows = 0, cap = 0, line = 0, rc;
    *imported = 0;
    *problems = json_array();
    if (text == NULL)
        return pd_fail(err, PD_E_INTERNAL, "out of memory");
    if ((rc = db_begin(db)) < 0) {
        free(text);
        return pd_fail(err, rc, "%s", db_errmsg(db));
    }
    char *cursor = text;
    for (char *l; (l = csv_next_line(&cursor)) != NULL;) {
        line++;
        if (line == 1) {
            if (strcmp(l, header) != 0)
                problem(*problems, 1, "header", "must be " "membership_id,offer,starts_on,"
                                                "expires_on,auto_renew");
            continue;
        }
        if (l[0] == '\0')
            continue;
        char *f[5];
        if (csv_split(l, f, 5) != 5) {
            problem(*problems, line, "row", "must have 5 comma-separated fields");
            continue;
        }
        struct import_row r;
        memset(&r, 0, sizeof(r));
        if (!check_import_row(db, f, line, &r, *problems))
            continue;
        for (int k = 0; k < nrows; k++)
            if (!strcmp(rows[k].partner_id, r.partner_id) && !strcmp(rows[k].offer, r.offer))
                problem(*problems, line, "offer", "the same partner and offer are on another line");
        if (nrows == cap) {
            cap = cap ? cap * 2 : 64;
            struct import_row *grown = realloc(rows, (size_t)cap * sizeof(*rows));
            if (grown == NULL)
                break;
            rows = grown;
        }
        rows[nrows++] = r;
    }
    if (line == 0)
        problem(*problems, 1, "header", "the file is empty");
    /* an organisation holds one live subscription per offer */
    struct org_context ctx = {.window_days = (int)setting_window_days(db)};
    for (int k = 0; k < nrows && json_array_size(*problems) == 0; k++) {
        struct sub_row *have = NULL;
        int n = 0;
        if ((rc = subs_list(db, rows[k].partner_id, &have, &n)) < 0)
            break;
        for (int j = 0; j < n; j++) {
            struct sub_facts fct = facts_of(&have[j], &ctx, 0);
            if (!strcmp(have[j].offer_code, rows[k].offer) && sub_is_live(&fct, clock_today()))
                problem(*problems, rows[k].line, "offer",
                        "the partner already has a live subscription to this offer");
        }
        free(have);
    }
    rc = rc < 0 ? rc : 0;
    if (rc == 0 && json_array_size(*problems) > 0) {
        pd_fail(err, PD_E_INVALID_REQUEST, "%zu bad row(s); nothing imported",
                json_array_size(*problems));
        rc = PD_E_INVALID_REQUEST;
    }
    for (int k = 0; rc == 0 && k < nrows; k++) {
        struct sub_row s;
        memset(&s, 0, sizeof(s));
        id_new("sub", s.id, sizeof(s.id));
        snprintf(s.partner_id, sizeof(s.partner_id), "%s", rows[k].partner_id);
        snprintf(s.offer_code, sizeof(s.offer_code), "%s", rows[k].offer);
        snprintf(s.managed_in, sizeof(s.managed_in), "pmc");
        s.paid = true;
        snprintf(s.starts_on, sizeof(s.starts_on), "%s", rows[k].starts_on);
        snprintf(s.expires_on, sizeof(s.expires_on), "%s", rows[k].expires_on);
        s.auto_renew = rows[k].auto_renew == 1;
        s.auto_renew_locked = rows[k].auto_renew == 0; /* off stays off until a renewal */
        int64_t now = clock_now();
        rc = subs_insert(db, &s, now);
        if (rc == 0)
            rc = subs_add_term(db, s.id, 1, s.starts_on, s.expires_on, "import", now);
        if (rc == 0)
            rc = audit(db, NULL, "cli", s.partner_id, "subscription.imported", "subscription",
                       s.id, json_pack("{s:s, s:s, s:i}", "offer", s.offer_code, "expires_on",
                                       s.expires_on, "line", rows[k].line));
        if (rc == 0)
            (*imported)++;
    }
    free(rows);
    free(text);
    if (rc < 0) {
        *imported = 0;
        return finish(db, rc, err);
    }
    return finish(db, 0, err);
}

/* ---- certified people ---- */

int certified_people_list(struct db *db, const struct principal *who, json_t **items)
{
    return certified_list(db, who->partner_id, items);
}

int certified_people_add(struct db *db, const struct principal *who, const char *ip,
                         const json_t *body, json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"name", "email", "certification", NULL};
    struct checks c = {0};
    char email[256], id[32], created[21];
    check_known_keys(&c, body, "", keys);
    const char *name = check_text(&c, body, "name", "name", true, 200);
    const char *mail = check_text(&c, body, "email", "email", true, 254);
    if (mail && !text_email_valid(mail)) {
        check_fail(&c, "email", MSG_FIELD_EMAIL);
        mail = NULL;
    }
    const char *cert = check_text(&c, body, "certification", "certification", true, 200);
    int rc = check_done(&c, err);
    if (rc < 0)
        return rc;
    text_lower(mail, email, sizeof(email));
    id_new("cpr", id, sizeof(id));
    int64_t now = clock_now();
    if ((rc = db_begin(db)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    rc = certified_insert(db, id, who->partner_id, name, email, cert, now);
    if (rc == PD_E_DB_CONSTRAINT) {
        pd_fail_field(err, PD_E_CERTIFIED_PERSON_TAKEN, "email", MSG_FIELD_CERTIFIED_TAKEN, NULL);
    } else if (rc == 0) {
        rc = audit(db, who, ip, NULL, "certified_person.added", "certified_person", id,
                   json_pack("{s:s, s:s}", "email", email, "certification", cert));
    }
    if ((rc = finish(db, rc, err)) < 0)
        return rc;
    *out = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", id, "name", name, "email", email,
                     "certification", cert, "created_at", instant_format(now, created));
    return 0;
}

int certified_people_remove(struct db *db, const struct principal *who, const char *ip,
                            const char *id, struct pd_error *err)
{
    int rc = db_begin(db);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    rc = certified_delete(db, id, who->partner_id);
    if (rc == 0)
        rc = pd_fail(err, PD_E_NOT_FOUND, NULL);
    else if (rc > 0)
        rc = audit(db, who, ip, NULL, "certified_person.removed", "certified_person", id, NULL);
    return finish(db, rc, err);
}

/* ---- catalog ---- */

int catalog_list(struct db *db, const char *lang, json_t **items)
{
    return offers_catalog(db, lang, items);
}

int catalog_set_price(struct db *db, const struct principal *who, const char *ip,
                      const char *code, const char *currency, const json_t *body,
                      struct pd_error *err)
{
    static const char *const keys[] = {"amount_minor", NULL};
    struct checks c = {0};
    struct offer_row offer;
    check_known_keys(&c, body, "", keys);
    json_t *v = json_object_get(body, "amount_minor");
    if (!json_is_integer(v) || json_integer_value(v) <= 0 ||
        json_integer_value(v) > 1000000000000LL)
        check_fail(&c, "amount_minor", MSG_FIELD_AMOUNT_MINOR);
    if (money_currency(currency) == NULL)
        check_fail(&c, "currency", MSG_FIELD_CURRENCY);
    int rc = check_done(&c, err);
    if (rc < 0)
        return rc;
    if ((rc = db_begin(db)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    int64_t before = 0;
    rc = offers_find(db, code, &offer);
    if (rc == 0)
        rc = pd_fail(err, PD_E_NOT_FOUND, NULL);
    if (rc > 0 && (rc = offers_price(db, code, currency, &before)) >= 0)
        rc = offers_set_price(db, code, currency, json_integer_value(v), clock_now());
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "offer.price_changed", "offer", code,
                   json_pack("{s:s, s:I, s:O}", "currency", currency, "before",
                             (json_int_t)before, "after", v));
    return finish(db, rc, err);
}

int catalog_add_offer(struct db *db, const struct principal *who, const char *ip,
                      const json_t *body, struct pd_error *err)
{
    static const char *const keys[] = {"code",  "term_months", "certified_required", "name",
                                       "description", "prices", "benefits", NULL};
    static const char *const langs[] = {"fr", "en", NULL};
    struct checks c = {0};
    struct offer_row o = {.term_months = 12};
    check_known_keys(&c, body, "", keys);
    const char *code = check_text(&c, body, "code", "code", true, 40);
    if (code && strspn(code, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(code))
        check_fail(&c, "code", MSG_FIELD_SLUG);
    else if (code)
        snprintf(o.code, sizeof(o.code), "%s", code);
    json_t *term = json_object_get(body, "term_months");
    if (term && (!json_is_integer(term) || json_integer_value(term) < 1 ||
                 json_integer_value(term) > 36))
        check_fail_args(&c, "term_months", MSG_FIELD_INTEGER_RANGE, (const char *const[]){"1", "36"}, 2);
    else if (term)
        o.term_months = (int)json_integer_value(term);
    json_t *req = json_object_get(body, "certified_required");
    if (req && (!json_is_integer(req) || json_integer_value(req) < 0 ||
                json_integer_value(req) > 100))
        check_fail_args(&c, "certified_required", MSG_FIELD_INTEGER_RANGE, (const char *const[]){"0", "100"}, 2);
    else if (req)
        o.certified_required = (int)json_integer_value(req);
    json_t *name = check_object(&c, body, "name", "name", true);
    json_t *desc = check_object(&c, body, "description", "description", true);
    if (name) {
        check_known_keys(&c, name, "name.", langs);
        check_text(&c, name, "fr", "name.fr", true, 200);
        check_text(&c, name, "en", "name.en", true, 200);
    }
    if (desc) {
        check_known_keys(&c, desc, "description.", langs);
        check_text(&c, desc, "fr", "description.fr", true, 1000);
        check_text(&c, desc, "en", "description.en", true, 1000);
    }
    json_t *prices = check_object(&c, body, "prices", "prices", true);
    const char *cur;
    json_t *amount;
    json_object_foreach(prices, cur, amount) {
        if (money_currency(cur) == NULL || !json_is_integer(amount) ||
            json_integer_value(amount) <= 0) {
            char field[64];
            snprintf(field, sizeof(field), "prices.%s", cur);
            check_fail(&c, field, MSG_FIELD_PRICE);
        }
    }
    json_t *benefits = json_object_get(body, "benefits");
    if (benefits && !json_is_array(benefits))
        check_fail(&c, "benefits", MSG_FIELD_BENEFITS);
    size_t i;
    json_t *b;
    json_array_foreach(benefits, i, b) {
        static const char *const bkeys[] = {"kind", "fr", "en", NULL};
        const char *kind = json_string_value(json_object_get(b, "kind"));
        char field[64];
        snprintf(field, sizeof(field), "benefits.%zu.", i);
        check_known_keys(&c, b, field, bkeys);
        if (kind == NULL || strstr(" software cloud support training marketing ", kind) == NULL ||
            strchr(kind, ' ') || !*kind)
            check_fail_one_of(&c, field, (const char *const[]){"software", "cloud", "support", "training", "marketing", NULL});
        if (!text_line_valid(json_string_value(json_object_get(b, "fr")), 300) ||
            !text_line_valid(json_string_value(json_object_get(b, "en")), 300))
            check_fail(&c, field, MSG_FIELD_LABELS_FR_EN);
    }
    int rc = check_done(&c, err);
    if (rc < 0)
        return rc;
    int64_t now = clock_now();
    if ((rc = db_begin(db)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    struct offer_row existing;
    rc = offers_find(db, o.code, &existing);
    if (rc == 1) {
        pd_fail_field(err, PD_E_CONFLICT, "code", MSG_FIELD_ALREADY_USED, NULL);
        rc = PD_E_CONFLICT;
    }
    if (rc == 0)
        rc = offers_insert(db, &o, json_string_value(json_object_get(name, "fr")),
                           json_string_value(json_object_get(name, "en")),
                           json_string_value(json_object_get(desc, "fr")),
                           json_string_value(json_object_get(desc, "en")), now);
    json_object_foreach(prices, cur, amount) if (rc == 0) rc =
        offers_set_price(db, o.code, cur, json_integer_value(amount), now);
    json_array_foreach(benefits, i, b) if (rc == 0) rc = offers_add_benefit(
        db, o.code, (int)i + 1, json_string_value(json_object_get(b, "kind")),
        json_string_value(json_object_get(b, "fr")), json_string_value(json_object_get(b, "en")));
    if (rc == 0)
        rc = audit(db, who, ip, NULL, "offer.added", "offer", o.code, json_deep_copy(body));
    return finish(db, rc, err);
}
