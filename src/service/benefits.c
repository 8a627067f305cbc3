/*
 * service/benefits.c - grants, their activation and use, and the daily benefits job.
 *
 * A term grants a copy of its offer's rules (benefit_rules) in the transaction that starts
 * it, so an operator's later change reaches the terms granted afterwards only. The state
 * of a grant is asked of core/benefit.c with its subscription's state on the business
 * date. Activating software keys takes them from the product's pool with the pool locked
 * (service/benefit_keys.c); a pool with too few keys queues the activation, which the next
 * key load serves. Every use counts in one guarded UPDATE, so nothing is used twice.
 */
#include "service/benefits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/benefit.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/date.h"
#include "core/msg.h"
#include "db/db.h"
#include "service/audit.h"
#include "service/benefit_keys.h"
#include "service/catalog.h"
#include "service/outbox.h"
#include "service/subscriptions.h"
#include "service/tx.h"
#include "service/validate.h"
#include "store/benefit_keys.h"
#include "store/benefits.h"
#include "store/offers.h"
#include "store/subscriptions.h"

/* The facts of a grant for core/benefit.c, its subscription's state taken today. */
struct benefit_facts benefits_facts(const struct grant_row *g, const struct sub_row *s,
                                    const struct subs_context *ctx, struct date today)
{
    struct benefit_facts f = {
        .quantity = g->quantity, .used = g->used, .current_term = g->term == g->latest_term};
    int kind = benefit_kind_parse(g->kind);
    f.kind = kind < 0 ? BENEFIT_RESOURCE : (enum benefit_kind)kind;
    date_parse(g->starts_on, &f.starts_on);
    date_parse(g->ends_on, &f.ends_on);
    /* an activation waiting for keys was asked for before its deadline (benefits_activate
     * queues only what it could use that day): keys that come late neither make it expire
     * nor earn it a reminder to activate */
    f.has_deadline = g->activate_by[0] != '\0' && !g->queued;
    if (f.has_deadline)
        date_parse(g->activate_by, &f.activate_by);
    struct sub_facts sf = subscriptions_facts(s, ctx, 0);
    f.sub_state = sub_state_on(&sf, today);
    f.lapses_on = date_add_days(sf.expires_on, sf.window_days + 1);
    return f;
}

/* The area of the partner page a kind belongs to, as the reference page groups them:
 * software, support, resources (marketing, planning), training. */
static const char *group_of(const char *kind)
{
    if (!strcmp(kind, "software_key") || !strcmp(kind, "cloud_subscription"))
        return "software";
    if (!strcmp(kind, "support_incident"))
        return "support";
    return !strcmp(kind, "training") ? "training" : "resources";
}

static json_t *text_or_null(const char *s)
{
    return s && s[0] ? json_string(s) : json_null();
}

/* The API object of a grant. */
static json_t *grant_view(struct db *db, const struct grant_row *g, const struct sub_row *s,
                          const struct subs_context *ctx, const char *lang)
{
    struct date today = clock_today();
    struct benefit_facts f = benefits_facts(g, s, ctx, today);
    enum benefit_state state = benefit_state_on(&f, today);
    bool queued = bqueue_has(db, g->id) == 1;
    bool can = benefit_kind_activated(f.kind) && !queued && benefit_can_use(&f, 1, today);
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:s, s:s, s:s, s:o, s:s, "
        "s:{s:s, s:o}, s:o, s:b, s:b}",
        "id", g->id, "kind", g->kind, "group", group_of(g->kind), "product", g->product, "name",
        msg_lang(lang) == LANG_EN ? g->name_en : g->name_fr, "quantity", g->quantity, "used",
        g->used, "remaining", benefit_remaining(&f, today), "state", benefit_state_name(state),
        "starts_on", g->starts_on, "ends_on", g->ends_on, "activate_by",
        text_or_null(g->activate_by), "subscription_id", g->subscription_id, "offer", "code",
        s->offer_code, "name", catalog_offer_name(db, s->offer_code, lang), "tenant_domain",
        text_or_null(g->tenant_domain), "queued", queued, "can_activate", can);
}

int benefits_grant_term(struct db *db, const char *subscription_id, const char *partner_id,
                        const char *offer_code, int term, const char *starts_on,
                        const char *expires_on)
{
    struct arena a = {0};
    struct benefit_rule *rules = NULL;
    struct date start, end;
    int n = 0;
    int rc = brules_list(db, &a, offer_code, &rules, &n);
    struct grant_row *grants =
        rc >= 0 && n > 0 ? arena_alloc(&a, (size_t)n * sizeof(*grants)) : NULL;
    date_parse(starts_on, &start);
    date_parse(expires_on, &end);
    for (int i = 0; rc >= 0 && i < n; i++) {
        struct grant_row *g = &grants[i];
        id_new("ben", g->id, sizeof(g->id));
        snprintf(g->partner_id, sizeof(g->partner_id), "%s", partner_id);
        snprintf(g->subscription_id, sizeof(g->subscription_id), "%s", subscription_id);
        g->term = term;
        g->position = rules[i].position;
        snprintf(g->kind, sizeof(g->kind), "%s", rules[i].kind);
        snprintf(g->product, sizeof(g->product), "%s", rules[i].product);
        snprintf(g->name_fr, sizeof(g->name_fr), "%s", rules[i].name_fr);
        snprintf(g->name_en, sizeof(g->name_en), "%s", rules[i].name_en);
        g->quantity = rules[i].quantity;
        snprintf(g->starts_on, sizeof(g->starts_on), "%s", starts_on);
        snprintf(g->ends_on, sizeof(g->ends_on), "%s", expires_on);
        int kind = benefit_kind_parse(rules[i].kind);
        struct benefit_facts f = {.kind = kind < 0 ? BENEFIT_RESOURCE : (enum benefit_kind)kind,
                                  .quantity = g->quantity,
                                  .starts_on = start,
                                  .ends_on = end,
                                  .sub_state = SUB_ACTIVE, /* paid or renewed */
                                  .current_term = true};
        if (kind >= 0 && benefit_kind_activated((enum benefit_kind)kind)) {
            f.has_deadline = true;
            f.activate_by = benefit_deadline(start, end, rules[i].deadline_days);
            date_format(f.activate_by, g->activate_by);
        }
        struct date check;
        if (benefit_next_check(&f, 0, false, clock_today(), &check))
            date_format(check, g->check_on);
    }
    /* one statement for the term's grants: a term is granted at every purchase and renewal */
    if (rc >= 0)
        rc = grants_insert_term(db, grants, n, clock_now());
    arena_free(&a);
    return rc < 0 ? rc : 0;
}

/* The subscription of a grant and the context of its organisation. */
static int load_sub(struct db *db, const struct grant_row *g, struct sub_row *s,
                    struct subs_context *ctx)
{
    int rc = subs_find(db, g->subscription_id, s);
    if (rc == 0)
        return PD_E_NOT_FOUND;
    if (rc > 0)
        rc = subscriptions_context(db, NULL, ctx);
    return rc < 0 ? rc : 0;
}

int benefits_list(struct db *db, const struct principal *who, const char *lang, json_t **items,
                  struct pd_error *err)
{
    struct grant_row *grants = NULL;
    struct subs_context ctx;
    struct sub_row s = {.id = ""};
    int n = 0;
    int rc = subscriptions_context(db, NULL, &ctx);
    if (rc >= 0)
        rc = grants_list(db, who->partner_id, true, &grants, &n);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    *items = json_array();
    for (int i = 0; rc >= 0 && i < n; i++) {
        if (strcmp(s.id, grants[i].subscription_id) != 0 &&
            (rc = subs_find(db, grants[i].subscription_id, &s)) <= 0)
            break;
        json_array_append_new(*items, grant_view(db, &grants[i], &s, &ctx, lang));
    }
    free(grants);
    if (rc < 0) {
        json_decref(*items);
        return pd_fail(err, rc, "%s", db_errmsg(db));
    }
    return 0;
}

int benefits_get(struct db *db, const struct principal *who, const char *id, const char *lang,
                 json_t **out, struct pd_error *err)
{
    struct grant_row g;
    struct sub_row s;
    struct subs_context ctx;
    int rc = grants_find(db, id, who->partner_id, &g);
    if (rc == 0 || (rc > 0 && who->partner_id[0] == '\0'))
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    if (rc < 0 || (rc = load_sub(db, &g, &s, &ctx)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    *out = grant_view(db, &g, &s, &ctx, lang);
    return 0;
}

/* benefit.activated (or .revoked) for the organisation: emails and webhooks. */
static int emit(struct db *db, const char *event, const struct grant_row *g, int count)
{
    return outbox_emit(db, g->partner_id, event,
                       json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:i, s:i, s:s?}", "benefit_id",
                                 g->id, "subscription_id", g->subscription_id, "kind", g->kind,
                                 "product", g->product, "name", "fr", g->name_fr, "en", g->name_en,
                                 "count", count, "quantity", g->quantity, "tenant_domain",
                                 g->tenant_domain[0] ? g->tenant_domain : NULL));
}

/* A customer tenant's domain: labels of letters, digits and "-", at least two. */
static bool domain_valid(const char *d)
{
    size_t len = d ? strlen(d) : 0;
    if (len < 3 || len > 253 || d[0] == '.' || d[len - 1] == '.' || !strchr(d, '.') ||
        strstr(d, ".."))
        return false;
    return strspn(d, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") == len;
}

/* Checks the body of an activation; *count is what it uses. */
static int check_activation(const struct grant_row *g, const struct benefit_facts *f,
                            const json_t *body, int *count, const char **domain,
                            struct pd_error *err)
{
    static const char *const soft_keys[] = {"count", NULL};
    static const char *const cloud_keys[] = {"tenant_domain", "seats", NULL};
    struct checks c = {0};
    int left = g->quantity - g->used;
    char most[16];
    snprintf(most, sizeof(most), "%d", left > 0 ? left : 1);
    *domain = NULL;
    if (f->kind == BENEFIT_SOFTWARE_KEY) {
        check_known_keys(&c, body, "", soft_keys);
        json_t *n = json_object_get(body, "count");
        *count = left;
        if (n && (!json_is_integer(n) || json_integer_value(n) < 1 ||
                  json_integer_value(n) > (left > 0 ? left : 1)))
            check_fail_args(&c, "count", MSG_FIELD_INTEGER_RANGE, (const char *const[]){"1", most},
                            2);
        else if (n)
            *count = (int)json_integer_value(n);
    } else {
        check_known_keys(&c, body, "", cloud_keys);
        *domain = json_string_value(json_object_get(body, "tenant_domain"));
        if (!domain_valid(*domain))
            check_fail(&c, "tenant_domain", MSG_FIELD_TENANT_DOMAIN);
        else if (g->tenant_domain[0] && strcasecmp(g->tenant_domain, *domain) != 0)
            /* activated in parts: the grant records one tenant, where its seats all went */
            check_fail_args(&c, "tenant_domain", MSG_FIELD_TENANT_SAME,
                            (const char *const[]){g->tenant_domain}, 1);
        json_t *seats = json_object_get(body, "seats");
        if (!json_is_integer(seats) || json_integer_value(seats) < 1 ||
            json_integer_value(seats) > (left > 0 ? left : 1))
            check_fail_args(&c, "seats", MSG_FIELD_INTEGER_RANGE, (const char *const[]){"1", most},
                            2);
        else
            *count = (int)json_integer_value(seats);
    }
    return check_done(&c, err);
}

/* PD_E_BENEFIT_NOT_AVAILABLE with the state in details. */
static int not_available(struct pd_error *err, enum benefit_state state)
{
    pd_fail(err, PD_E_BENEFIT_NOT_AVAILABLE, "benefit is %s", benefit_state_name(state));
    pd_error_detail(err, "state", json_string(benefit_state_name(state)));
    return PD_E_BENEFIT_NOT_AVAILABLE;
}

int benefits_activate(struct db *db, const struct principal *who, const char *ip, const char *id,
                      const json_t *body, const char *lang, json_t **out, struct pd_error *err)
{
    struct grant_row g;
    struct sub_row s;
    struct subs_context ctx;
    struct date today = clock_today();
    int count = 0, rc = tx_begin(db, err);
    const char *domain = NULL;
    bool queued = false;
    if (rc < 0)
        return rc;
    rc = grants_find_locked(db, id, who->partner_id, &g);
    if (rc == 0)
        rc = pd_fail(err, PD_E_NOT_FOUND, NULL);
    if (rc > 0 && (rc = load_sub(db, &g, &s, &ctx)) < 0)
        pd_fail(err, rc, "%s", db_errmsg(db));
    struct benefit_facts f = {0};
    if (rc >= 0) {
        f = benefits_facts(&g, &s, &ctx, today);
        if (!benefit_kind_activated(f.kind) || !benefit_can_use(&f, 1, today))
            rc = not_available(err, benefit_state_on(&f, today));
    }
    if (rc >= 0)
        rc = check_activation(&g, &f, body, &count, &domain, err);
    if (rc >= 0 && !benefit_can_use(&f, count, today))
        rc = not_available(err, benefit_state_on(&f, today));
    if (rc >= 0 && f.kind == BENEFIT_SOFTWARE_KEY) {
        if ((rc = bqueue_has(db, g.id)) == 1)
            queued = true; /* waiting already: stays in its place */
        else if (rc == 0 &&
                 (rc = bkeys_assign(db, who, ip, g.product, g.id, g.partner_id, count)) == 0) {
            queued = true;
            rc = bqueue_insert(db, g.id, g.product, g.partner_id, count, who->user_id, clock_now());
            if (rc >= 0)
                rc = audit(db, who, ip, NULL, "benefit.queued", "benefit", g.id,
                           json_pack("{s:s, s:i}", "product", g.product, "count", count));
        } else if (rc == 1)
            rc = bkeys_check_low(db, g.product);
    }
    if (rc >= 0 && f.kind == BENEFIT_CLOUD_SUBSCRIPTION && g.tenant_domain[0] == '\0') {
        rc = grants_set_tenant(db, g.id, domain); /* the first part: its tenant is the grant's */
        snprintf(g.tenant_domain, sizeof(g.tenant_domain), "%s", domain);
    }
    if (rc >= 0 && !queued) {
        if ((rc = grants_use(db, g.id, count, clock_now())) == 0)
            rc = not_available(err, BENEFIT_ACTIVATED);
        if (rc >= 0)
            rc = audit(db, who, ip, NULL, "benefit.activated", "benefit", g.id,
                       json_pack("{s:s, s:s, s:i, s:s?}", "kind", g.kind, "product", g.product,
                                 "count", count, "tenant_domain",
                                 g.tenant_domain[0] ? g.tenant_domain : NULL));
        g.used += count;
        if (rc >= 0)
            rc = emit(db, "benefit.activated", &g, count);
    }
    if ((rc = tx_end(db, rc, err)) < 0)
        return rc;
    if (queued) {
        pd_fail(err, PD_E_KEY_POOL_EMPTY, "no keys left for %s: queued", g.product);
        pd_error_detail(err, "queued", json_true());
        pd_error_detail(err, "product", json_string(g.product));
        return PD_E_KEY_POOL_EMPTY;
    }
    return benefits_get(db, who, id, lang, out, err);
}

/* The organisation's current support-incident grants. *out malloc'd. */
static int incident_grants(struct db *db, const char *partner_id, struct grant_row **out, int *n)
{
    struct grant_row *all = NULL;
    int count = 0, kept = 0;
    int rc = grants_list(db, partner_id, true, &all, &count);
    if (rc < 0)
        return rc;
    for (int i = 0; i < count; i++)
        if (strcmp(all[i].kind, "support_incident") == 0)
            all[kept++] = all[i];
    *out = all;
    *n = kept;
    return 0;
}

int benefits_incidents_left(struct db *db, const char *partner_id, int *left)
{
    struct grant_row *grants = NULL;
    struct subs_context ctx;
    struct sub_row s;
    struct date today = clock_today();
    int n = 0;
    *left = 0;
    int rc = subscriptions_context(db, NULL, &ctx);
    if (rc >= 0)
        rc = incident_grants(db, partner_id, &grants, &n);
    for (int i = 0; rc >= 0 && i < n; i++) {
        if ((rc = subs_find(db, grants[i].subscription_id, &s)) <= 0)
            break;
        struct benefit_facts f = benefits_facts(&grants[i], &s, &ctx, today);
        if (benefit_state_on(&f, today) == BENEFIT_AVAILABLE)
            *left += benefit_remaining(&f, today);
    }
    free(grants);
    return rc < 0 ? rc : 0;
}

int benefits_use_incident(struct db *db, const char *partner_id, const char *request_id,
                          struct pd_error *err)
{
    struct grant_row *grants = NULL;
    struct subs_context ctx;
    struct sub_row s;
    struct date today = clock_today();
    int n = 0, used = 0;
    int rc = subscriptions_context(db, NULL, &ctx);
    if (rc >= 0)
        rc = incident_grants(db, partner_id, &grants, &n);
    for (int i = 0; rc >= 0 && !used && i < n; i++) {
        if ((rc = subs_find(db, grants[i].subscription_id, &s)) <= 0)
            break;
        struct benefit_facts f = benefits_facts(&grants[i], &s, &ctx, today);
        if (benefit_can_use(&f, 1, today) &&
            (rc = grants_use(db, grants[i].id, 1, clock_now())) == 1)
            used = 1, rc = bincidents_insert(db, request_id, grants[i].id, clock_now());
    }
    free(grants);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    return used ? 0 : pd_fail(err, PD_E_NO_SUPPORT_INCIDENT_LEFT, NULL);
}

int benefits_return_incident(struct db *db, const char *request_id)
{
    char grant_id[32];
    int rc = bincidents_return(db, request_id, grant_id, clock_now());
    if (rc == 1)
        rc = grants_unuse(db, grant_id, 1);
    return rc < 0 ? rc : 0;
}

int benefits_serve_queue(struct db *db, const struct principal *who, const char *ip,
                         const char *product, int *served)
{
    struct queued_row *queue = NULL;
    struct subs_context ctx;
    struct date today = clock_today();
    struct bqueue_taken taken = {0}; /* the queue's figures move once, at the end */
    int n = 0;
    *served = 0;
    int rc = subscriptions_context(db, NULL, &ctx);
    if (rc >= 0)
        rc = bqueue_list(db, product, &queue, &n);
    for (int i = 0; rc >= 0 && i < n; i++) {
        struct grant_row g;
        struct sub_row s;
        if ((rc = grants_find(db, queue[i].grant_id, NULL, &g)) <= 0 ||
            (rc = load_sub(db, &g, &s, &ctx)) < 0)
            break;
        struct benefit_facts f = benefits_facts(&g, &s, &ctx, today);
        if (!benefit_can_use(&f, queue[i].count, today)) {
            /* revoked or expired meanwhile: nothing to serve */
            rc = bqueue_delete(db, g.id, &taken);
            continue;
        }
        if ((rc = bkeys_assign(db, who, ip, product, g.id, g.partner_id, queue[i].count)) <= 0)
            break; /* first come first served: the next waits behind this one */
        if ((rc = grants_use(db, g.id, queue[i].count, clock_now())) == 1 &&
            (rc = bqueue_delete(db, g.id, &taken)) >= 0) {
            g.used += queue[i].count;
            rc = emit(db, "benefit.activated", &g, queue[i].count);
            (*served)++;
        } else if (rc == 0)
            rc = PD_E_INTERNAL;
    }
    if (rc >= 0)
        rc = bqueue_settle(db, product, &taken);
    free(queue);
    return rc < 0 ? rc : 0;
}
