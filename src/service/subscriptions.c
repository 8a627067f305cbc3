/*
 * service/subscriptions.c - subscriptions and the offer tiles.
 *
 * A subscription row holds facts (store/subscriptions.c); what it is today (active, in its
 * renewal window, lapsed...) and whether it may be renewed is asked of core/subscription.c
 * each time it is shown, with the organisation's context (its certified people, the
 * renewal window, the PMC's address) read once per use case.
 *
 * The tiles of GET /offers join the catalog and the organisation's subscriptions: one tile
 * per offer, in one of the states buy, not_eligible, pending_payment, active, renew and
 * manage_in_pmc, with a sentence of the catalog that says what the partner can do.
 */
#include "service/subscriptions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/date.h"
#include "core/money.h"
#include "core/msg.h"
#include "db/db.h"
#include "service/audit.h"
#include "service/card.h"
#include "service/catalog.h"
#include "service/notices.h"
#include "service/settings.h"
#include "service/tx.h"
#include "service/page.h"
#include "service/partner_search.h"
#include "service/validate.h"
#include "store/certified.h"
#include "store/offers.h"
#include "store/orders.h"
#include "store/renewals.h"
#include "store/support.h"
#include "store/users.h"

int subscriptions_context(struct db *db, const char *partner_id, struct subs_context *ctx)
{
    struct settings s;
    int rc = settings_load(db, &s);
    ctx->window_days = (int)s.renewal_window_days;
    snprintf(ctx->pmc_url, sizeof(ctx->pmc_url), "%s", s.pmc_url);
    ctx->certified = 0;
    if (rc >= 0 && partner_id)
        rc = certified_count(db, partner_id, &ctx->certified);
    return rc < 0 ? rc : 0;
}

struct sub_facts subscriptions_facts(const struct sub_row *s, const struct subs_context *ctx,
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
                     date_json(f->paid, r->opens_on), "closes_on", date_json(f->paid, r->closes_on),
                     "reason", reason ? json_string(reason) : json_null());
}

/* An automatic renewal the bank asked to authenticate waits for the partner: the order, the
 * page where they pay it (/paiement/<order>) and until when, as v's "pending_payment". */
static void pending_payment(struct db *db, const struct sub_row *s, json_t *v)
{
    char order_id[32], url[512], until[21];
    struct order_row o;
    int64_t expires_at = 0;
    if (renewal_open_order(db, s->id, order_id) == 1 && orders_find(db, order_id, &o) == 1 &&
        card_pending_action(db, &o, url, sizeof(url), &expires_at) > 0) {
        char page[64];
        snprintf(page, sizeof(page), "/paiement/%s", o.id);
        json_object_set_new(v, "pending_payment",
                            json_pack("{s:s, s:s, s:s}", "order_id", o.id, "url", page,
                                      "expires_at", instant_format(expires_at, until)));
    }
}

json_t *subscriptions_view(struct db *db, const struct sub_row *s, const struct subs_context *ctx,
                           const char *lang)
{
    struct offer_row offer = {.certified_required = 0};
    offers_find(db, s->offer_code, &offer);
    struct sub_facts f = subscriptions_facts(s, ctx, offer.certified_required);
    struct date today = clock_today();
    enum sub_state state = sub_state_on(&f, today);
    struct sub_renewal r = sub_renewal_on(&f, today);
    json_t *v = json_pack(
        "{s:s, s:s, s:{s:s, s:o}, s:s, s:o, s:o, s:b, s:b, s:s, s:o, s:b, s:o, s:b}", "id", s->id,
        "partner_id", s->partner_id, "offer", "code", s->offer_code, "name",
        catalog_offer_name(db, s->offer_code, lang), "status", sub_state_name(state), "starts_on",
        date_json(f.paid, f.starts_on), "expires_on", date_json(f.paid, f.expires_on), "auto_renew",
        s->auto_renew, "auto_renew_locked", s->auto_renew_locked, "managed_in", s->managed_in,
        "renewal", renewal_json(&f, &r), "benefits_suspended", state == SUB_RENEWAL_WINDOW,
        "cancelled_on", date_json(f.cancelled, f.cancelled_on), "migrated_from_pmc",
        s->migrated_at != 0);
    if (f.managed_in_pmc)
        json_object_set_new(v, "pmc_url", json_string(ctx->pmc_url));
    if (state == SUB_RENEWAL_WINDOW && s->auto_renew)
        pending_payment(db, s, v);
    return v;
}

/* Reads a subscription of the caller's organisation; PD_E_NOT_FOUND otherwise. */
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

int subscriptions_get(struct db *db, const struct principal *who, const char *id, const char *lang,
                      json_t **out, struct pd_error *err)
{
    struct sub_row s;
    struct subs_context ctx;
    int rc = own_sub(db, who, id, &s, err);
    if (rc < 0)
        return rc;
    if ((rc = subscriptions_context(db, s.partner_id, &ctx)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    *out = subscriptions_view(db, &s, &ctx, lang);
    return 0;
}

/* Rows read per page at most when a state is asked: the state is computed (core/), not a
 * column, so a page with few matches may end early; its next_cursor then names the last
 * row read and the client goes on from there. */
#define STATE_SCAN_BUDGET 2000

/* A page of the rows of partner_id (NULL: all) as API objects, filtered by place in SQL and
 * by state (want >= 0) here. */
static int page_views(struct db *db, const char *partner_id, int want, const char *managed_in,
                      bool staff, const char *lang, struct page_request p, json_t **items,
                      char next[CURSOR_TEXT_MAX], struct pd_error *err)
{
    struct partner_name_cache names = {0};
    struct subs_context ctx;
    char ctx_of[sizeof(((struct sub_row *)0)->partner_id)] = "";
    int limit = p.limit, scanned = 0, rc = subscriptions_context(db, NULL, &ctx);
    struct sub_row last = {0};
    bool more = false;
    next[0] = '\0';
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    *items = json_array();
    for (;;) {
        struct sub_row *rows = NULL;
        int n = 0;
        if ((rc = subs_page(db, partner_id, managed_in, &p, &rows, &n)) < 0)
            break;
        int shown = page_shown(&p, n);
        for (int i = 0; i < shown && rc >= 0 && !more; i++) {
            scanned++;
            if (strcmp(ctx_of, rows[i].partner_id) != 0) {
                if ((rc = certified_count(db, rows[i].partner_id, &ctx.certified)) < 0)
                    break;
                snprintf(ctx_of, sizeof(ctx_of), "%s", rows[i].partner_id);
            }
            json_t *v = subscriptions_view(db, &rows[i], &ctx, lang);
            if (want >= 0 && strcmp(json_string_value(json_object_get(v, "status")),
                                    sub_state_name(want)) != 0) {
                json_decref(v);
                last = rows[i];
                continue;
            }
            if ((int)json_array_size(*items) == limit) { /* a row past the page: more */
                json_decref(v);
                more = true;
                break;
            }
            if (staff)
                json_object_set_new(v, "partner_name",
                                    partner_search_name(db, rows[i].partner_id, &names));
            json_array_append_new(*items, v);
            last = rows[i];
        }
        bool sql_more = n > p.limit;
        free(rows);
        if (rc < 0 || more || !sql_more)
            break;
        if (scanned >= STATE_SCAN_BUDGET) { /* stop here; the client goes on from last */
            more = true;
            break;
        }
        p.after = true;
        p.key.created_at = last.created_at;
        snprintf(p.key.id, sizeof(p.key.id), "%s", last.id);
        if (want >= 0 && p.limit < PAGE_LIMIT_MAX)
            p.limit = PAGE_LIMIT_MAX; /* read on in big steps */
    }
    if (rc < 0) {
        json_decref(*items);
        return pd_fail(err, rc, "%s", db_errmsg(db));
    }
    if (more) {
        struct page_request one = {.limit = 0, .scope = p.scope};
        page_next(&one, 1, last.created_at, last.id, next);
    }
    return 0;
}

int subscriptions_list(struct db *db, const struct principal *who, const struct page_in *page,
                       const char *status, const char *lang, json_t **items,
                       char next[CURSOR_TEXT_MAX], struct pd_error *err)
{
    static const char *const states[] = {"pending_payment", "active",    "renewal_window",
                                         "lapsed",          "cancelled", NULL};
    struct checks c = {0};
    struct page_request p;
    page_check(&c, page, &p);
    if (!check_one_of(status, states))
        check_fail_one_of(&c, "status", states);
    if (page_checks_done(&c, err) < 0)
        return err->code;
    return page_views(db, who->partner_id, status ? sub_state_parse(status) : -1, NULL, false, lang,
                      p, items, next, err);
}

int subscriptions_admin_list(struct db *db, const struct subs_admin_query *in, const char *lang,
                             json_t **items, char next[CURSOR_TEXT_MAX], struct pd_error *err)
{
    static const char *const places[] = {"pmc", "partner_center", NULL};
    static const char *const states[] = {"pending_payment", "active",    "renewal_window",
                                         "lapsed",          "cancelled", NULL};
    struct checks c = {0};
    struct page_request p;
    page_check(&c, &in->page, &p);
    if (!check_one_of(in->managed_in, places))
        check_fail_one_of(&c, "managed_in", places);
    if (!check_one_of(in->status, states))
        check_fail_one_of(&c, "status", states);
    if (page_checks_done(&c, err) < 0)
        return err->code;
    return page_views(db, in->partner_id, in->status ? sub_state_parse(in->status) : -1,
                      in->managed_in, true, lang, p, items, next, err);
}

int subscriptions_set_auto_renew(struct db *db, const struct principal *who, const char *ip,
                                 const char *id, const json_t *body, const char *lang, json_t **out,
                                 struct pd_error *err)
{
    static const char *const keys[] = {"auto_renew", NULL};
    struct checks c = {0};
    struct sub_row s;
    struct subs_context ctx;
    int rc = tx_begin(db, err);
    if (rc < 0)
        return rc;
    /* not found comes before a bad body, for missing and foreign objects alike */
    if ((rc = own_sub(db, who, id, &s, err)) < 0)
        return tx_end(db, rc, err);
    check_known_keys(&c, body, "", keys);
    json_t *v = json_object_get(body, "auto_renew");
    if (!json_is_boolean(v))
        check_fail(&c, "auto_renew", MSG_FIELD_NOT_BOOLEAN);
    if ((rc = check_done(&c, err)) < 0)
        return tx_end(db, rc, err);
    bool on = json_is_true(v);
    rc = subscriptions_context(db, s.partner_id, &ctx);
    if (rc == 0 && strcmp(s.managed_in, "pmc") == 0) {
        rc = pd_fail(err, PD_E_MANAGED_IN_PMC, NULL);
        pd_error_detail(err, "pmc_url", json_string(ctx.pmc_url));
    } else if (rc == 0 && on && s.cancelled_on[0]) {
        rc = pd_fail(err, PD_E_SUBSCRIPTION_CANCELLED, NULL);
    } else if (rc == 0 && on && s.auto_renew_locked) {
        rc = pd_fail(err, PD_E_AUTO_RENEW_LOCKED, NULL);
    }
    if (rc == 0 && on != s.auto_renew) {
        /* turning it off locks it until the next renewal */
        s.auto_renew_locked = on ? s.auto_renew_locked : true;
        s.auto_renew = on;
        rc = subs_set_auto_renew(db, s.id, on, s.auto_renew_locked, clock_now());
        if (rc == 0)
            rc = audit(db, who, ip, NULL,
                       on ? "subscription.auto_renew_on" : "subscription.auto_renew_off",
                       "subscription", s.id, json_pack("{s:s}", "offer", s.offer_code));
    }
    json_t *view = rc == 0 ? subscriptions_view(db, &s, &ctx, lang) : NULL;
    if ((rc = tx_end(db, rc, err)) < 0) {
        json_decref(view);
        return rc;
    }
    *out = view;
    return 0;
}

/* ---- the offer tiles ---- */

/* The organisation's subscription shown on an offer's tile: the live one, else the latest
 * (rows come newest first). *live says which. NULL when it never subscribed. */
static const struct sub_row *tile_subscription(const struct sub_row *rows, int n, const char *code,
                                               const struct subs_context *ctx, int required,
                                               struct date today, bool *live)
{
    const struct sub_row *shown = NULL;
    *live = false;
    for (int k = 0; k < n; k++) {
        if (strcmp(rows[k].offer_code, code) != 0)
            continue;
        struct sub_facts f = subscriptions_facts(&rows[k], ctx, required);
        if (sub_is_live(&f, today)) {
            *live = true;
            return &rows[k];
        }
        if (shown == NULL)
            shown = &rows[k];
    }
    return shown;
}

/* What the partner can do with an offer. */
static const char *tile_state(bool live, bool met, bool paying, const struct sub_facts *f,
                              const struct sub_renewal *r)
{
    /* a card payment whose answer is still awaited: nothing to buy again meanwhile */
    if (paying && !(live && f->managed_in_pmc))
        return "pending_payment";
    if (!live)
        return met ? "buy" : "not_eligible";
    if (f->managed_in_pmc)
        return "manage_in_pmc";
    if (!f->paid)
        return "pending_payment";
    if (r->eligible)
        return "renew";
    if (r->reason == SUB_PREREQUISITES_NOT_MET)
        return "not_eligible";
    return "active";
}

/* How an active subscription with auto-renew on will renew, as the renewals job sees it. */
enum tile_renewal {
    RENEWS_BY_ITSELF,
    RENEWS_NO_CARD,     /* no card to charge (notices_renews_by_itself) */
    RENEWS_AFTER_ASKED, /* a cancellation asked for, not answered: held (service/renewals.c) */
};

/* The tile's sentence in lang; s is the live subscription or NULL. */
static json_t *tile_message(const char *state, const char *lang, const struct sub_facts *f,
                            const struct sub_renewal *r, const struct sub_row *s,
                            const struct subs_context *ctx, int required, const char *paying_by,
                            const struct sub_row *ended, enum tile_renewal renews)
{
    char a[40], b[40], text[600];
    bool paying = paying_by[0] != '\0';
    if (paying && strcmp(state, "pending_payment") == 0 && (s == NULL || s->paid)) {
        msg_format(text, sizeof(text),
                   strcmp(paying_by, "wire") == 0 ? MSG_TILE_PAYMENT_WIRE
                                                  : MSG_TILE_PAYMENT_CHECKING,
                   lang, NULL, 0);
    } else if (strcmp(state, "buy") == 0 && ended) {
        /* the window of the last subscription closed: say so, not just "available" */
        struct sub_facts e = subscriptions_facts(ended, ctx, required);
        struct sub_renewal er = sub_renewal_on(&e, clock_today());
        date_format_long(er.closes_on, lang, a, sizeof(a));
        msg_format(text, sizeof(text), MSG_TILE_LAPSED, lang, (const char *const[]){a}, 1);
    } else if (strcmp(state, "manage_in_pmc") == 0) {
        msg_format(text, sizeof(text), MSG_TILE_MANAGE_IN_PMC, lang,
                   (const char *const[]){ctx->pmc_url}, 1);
    } else if (strcmp(state, "pending_payment") == 0) {
        msg_format(text, sizeof(text), MSG_TILE_PENDING_PAYMENT, lang, NULL, 0);
    } else if (strcmp(state, "renew") == 0) {
        date_format_long(f->expires_on, lang, a, sizeof(a));
        date_format_long(r->closes_on, lang, b, sizeof(b));
        msg_format(text, sizeof(text), MSG_TILE_RENEW, lang, (const char *const[]){a, b}, 2);
    } else if (strcmp(state, "active") == 0) {
        date_format_long(f->expires_on, lang, a, sizeof(a));
        date_format_long(r->opens_on, lang, b, sizeof(b));
        /* cancelled at the end of its term: its renewal will be refused, never promise it;
         * nor without a card to charge, as the reminders say (notices_renews_by_itself),
         * nor while a cancellation asked for holds it */
        msg_format(text, sizeof(text),
                   f->cancelled                   ? MSG_TILE_ACTIVE_CANCELLED
                   : !s->auto_renew               ? MSG_TILE_ACTIVE_RENEW_FROM
                   : renews == RENEWS_AFTER_ASKED ? MSG_TILE_ACTIVE_CANCEL_ASKED
                   : renews == RENEWS_NO_CARD     ? MSG_TILE_ACTIVE_NO_CARD
                                                  : MSG_TILE_ACTIVE_AUTO_RENEW,
                   lang, (const char *const[]){a, b}, 2);
    } else if (strcmp(state, "not_eligible") == 0) {
        snprintf(a, sizeof(a), "%d", required);
        snprintf(b, sizeof(b), "%lld", (long long)ctx->certified);
        msg_format(text, sizeof(text), MSG_TILE_NOT_ELIGIBLE, lang, (const char *const[]){a, b}, 2);
    } else {
        msg_format(text, sizeof(text), MSG_TILE_BUY, lang, NULL, 0);
    }
    if (s && s->migrated_at && strcmp(state, "manage_in_pmc") != 0) {
        size_t len = strlen(text);
        snprintf(text + len, sizeof(text) - len, " %s", msg_text(MSG_TILE_MIGRATED, lang));
    }
    return json_string(text);
}

/* The tile of one offer of the catalog (o, as catalog_list shapes it). */
static json_t *tile_view(struct db *db, const char *partner_id, const json_t *o,
                         const struct sub_row *rows, int n, const struct subs_context *ctx,
                         const char *currency, const char *lang)
{
    struct date today = clock_today();
    const char *code = json_string_value(json_object_get(o, "code"));
    int required = (int)json_integer_value(json_object_get(o, "certified_required"));
    bool met = ctx->certified >= required, is_live;
    const struct sub_row *shown = tile_subscription(rows, n, code, ctx, required, today, &is_live);
    const struct sub_row *live = is_live ? shown : NULL; /* the live subscription, if any */
    struct sub_facts f = {0};
    struct sub_renewal r = {0};
    if (shown) {
        f = subscriptions_facts(shown, ctx, required);
        r = sub_renewal_on(&f, today);
    }
    /* the open orders' payment method ("" when none, or unreadable: the tile is a view, Buy
     * checks again) */
    char buying[8], renewing[8];
    if (orders_open_method(db, partner_id, code, "purchase", buying, sizeof(buying)) < 0)
        buying[0] = '\0';
    if (orders_open_method(db, partner_id, code, "renewal", renewing, sizeof(renewing)) < 0)
        renewing[0] = '\0';
    const char *paying_by = buying[0] ? buying : live ? renewing : "";
    bool paying = paying_by[0] != '\0';
    const struct sub_row *ended = NULL;
    if (!live && shown && shown->paid && !shown->cancelled_on[0]) {
        struct sub_facts e = subscriptions_facts(shown, ctx, required);
        if (sub_state_on(&e, today) == SUB_LAPSED)
            ended = shown;
    }
    const char *state = tile_state(live != NULL, met, paying, &f, &r);
    /* asked only of an active one renewing by itself: a cancellation asked for, then a card
     * to renew with (a view: an unreadable answer keeps the promise, as before) */
    enum tile_renewal renews = RENEWS_BY_ITSELF;
    char asked[32];
    if (live && strcmp(state, "active") == 0 && live->auto_renew && !f.cancelled)
        renews = requests_open_cancellation(db, live->id, asked, sizeof(asked)) == 1
                     ? RENEWS_AFTER_ASKED
                 : notices_renews_by_itself(db, live) == 0 ? RENEWS_NO_CARD
                                                           : RENEWS_BY_ITSELF;
    json_t *p = json_object_get(json_object_get(o, "prices"), currency);
    json_t *tile = json_pack(
        "{s:s, s:O, s:O, s:O, s:O, s:o, s:{s:i, s:I, s:b}, s:s, s:o, s:o, s:o, s:o, s:o}", "code",
        code, "name", json_object_get(o, "name"), "description", json_object_get(o, "description"),
        "term_months", json_object_get(o, "term_months"), "benefits",
        json_object_get(o, "benefits"), "price",
        p ? money_json(json_integer_value(p), currency, lang) : json_null(), "prerequisites",
        "certified_required", required, "certified_count", (json_int_t)ctx->certified, "met", met,
        "state", state, "subscription_id", live ? json_string(live->id) : json_null(), "starts_on",
        date_json(live && f.paid, f.starts_on), "expires_on",
        date_json(live && f.paid, f.expires_on), "renewal",
        live ? renewal_json(&f, &r) : json_null(), "message",
        tile_message(state, lang, &f, &r, live, ctx, required, paying_by, ended, renews));
    json_object_set_new(tile, "lapsed", json_boolean(ended != NULL));
    json_object_set_new(tile, "auto_renew", live ? json_boolean(live->auto_renew) : json_null());
    if (strcmp(state, "manage_in_pmc") == 0)
        json_object_set_new(tile, "pmc_url", json_string(ctx->pmc_url));
    /* a competency whose people fell short: its next renewal is at risk */
    json_object_set_new(tile, "warning",
                        live && !met && required > 0 && f.paid
                            ? json_string(msg_text(MSG_TILE_RENEWAL_AT_RISK, lang))
                            : json_null());
    return tile;
}

int subscriptions_tiles(struct db *db, const struct principal *who, const char *lang,
                        json_t **items, struct pd_error *err)
{
    json_t *catalog = NULL;
    struct partner_row partner;
    struct subs_context ctx;
    struct sub_row *rows = NULL;
    int n = 0;
    int rc = subscriptions_context(db, who->partner_id, &ctx);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if ((rc = catalog_list(db, lang, &catalog, err)) < 0)
        return rc;
    if ((rc = partners_find(db, who->partner_id, &partner)) == 1)
        rc = subs_list(db, who->partner_id, &rows, &n);
    else if (rc == 0)
        rc = pd_fail(err, PD_E_NOT_FOUND, NULL);
    if (rc >= 0) {
        *items = json_array();
        size_t i;
        json_t *o;
        json_array_foreach(catalog, i, o) json_array_append_new(
            *items, tile_view(db, who->partner_id, o, rows, n, &ctx, partner.currency, lang));
    }
    free(rows);
    json_decref(catalog);
    if (rc < 0 && err->code == PD_OK)
        pd_fail(err, rc, "%s", db_errmsg(db));
    return rc < 0 ? err->code : 0;
}
