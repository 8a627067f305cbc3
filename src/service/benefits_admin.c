/*
 * service/benefits_admin.c - the staff's side of benefits and the daily benefits job:
 * usage per organisation and product (JSON and CSV), the catalog's rules, and the pass
 * that grants, announces revocations and reminds of activation deadlines.
 *
 * The job reads only the grants whose check day has come (benefit_grants.check_on, set by
 * core/benefit.c benefit_next_check when a grant is made and each time the job looks at it,
 * and brought forward by a cancellation), so a pass with nothing due reads and writes
 * nothing, however many grants there are. A revocation or reminder is recorded by a
 * guarded UPDATE (revoked_at once, reminded 30 then 7) in the transaction of its event,
 * so two passes at once never send one twice.
 */
#include "service/benefits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/fault.h"
#include "core/msg.h"
#include "core/text.h"
#include "db/db.h"
#include "log.h"
#include "service/audit.h"
#include "service/check_days.h"
#include "service/outbox.h"
#include "service/subscriptions.h"
#include "service/tx.h"
#include "service/validate.h"
#include "store/benefit_keys.h"
#include "store/benefits.h"
#include "store/offers.h"
#include "store/subscriptions.h"

/* A usage page being filled: up to limit lines shown, one more read to know a next exists. */
struct usage_fill {
    const struct page_request *p;
    const char *lang;
    json_t *items;
    int lines;                 /* read so far, the peek included */
    struct busage_partner end; /* where the last line shown belongs */
    char end_product[48];      /* and that line's key in its organisation */
    char end_kind[32];
};

/* Adds the lines of organisation o after the line (after_product, after_kind) (from its
 * first when after_product is NULL); sets *full once the page is full. */
static int usage_add(struct db *db, struct usage_fill *f, const struct busage_partner *o,
                     const char *after_product, const char *after_kind, bool *full)
{
    struct arena a = {0};
    struct benefit_usage *rows = NULL;
    int n = 0;
    /* the lines this page still has room for, and the peek */
    int rc =
        busage_of(db, &a, o->id, after_product, after_kind, f->p->limit + 1 - f->lines, &rows, &n);
    for (int i = 0; rc >= 0 && i < n && !*full; i++) {
        if (++f->lines > f->p->limit) {
            *full = true; /* the peek: there is a next page */
            break;
        }
        json_array_append_new(
            f->items,
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "partner_id", rows[i].partner_id,
                      "partner", rows[i].partner_name, "product", rows[i].product, "kind",
                      rows[i].kind, "name",
                      msg_lang(f->lang) == LANG_EN ? rows[i].name_en : rows[i].name_fr, "granted",
                      (json_int_t)rows[i].granted, "used", (json_int_t)rows[i].used));
        f->end = *o;
        snprintf(f->end_product, sizeof(f->end_product), "%s", rows[i].product);
        snprintf(f->end_kind, sizeof(f->end_kind), "%s", rows[i].kind);
    }
    arena_free(&a);
    return rc;
}

int benefits_usage(struct db *db, const char *lang, const struct page_in *page, json_t **items,
                   char next[CURSOR_TEXT_MAX], struct pd_error *err)
{
    struct checks c = {0};
    struct page_request p;
    struct cursor_group_key at = {0};
    page_check(&c, page, &p);
    if (p.after && !cursor_id_split(p.key.id, &at))
        check_fail(&c, "cursor", MSG_FIELD_CURSOR);
    if (page_checks_done(&c, err) < 0)
        return err->code;
    struct usage_fill f = {.p = &p, .lang = lang, .items = json_array()};
    bool full = false;
    int rc = 0;
    if (p.after) { /* the rest of the organisation the last page ended in, after its line */
        struct busage_partner from = {.created_at = p.key.created_at};
        snprintf(from.id, sizeof(from.id), "%s", at.group);
        rc = usage_add(db, &f, &from, at.product, at.kind, &full);
        snprintf(p.key.id, sizeof(p.key.id), "%s", from.id);
    }
    /* then the organisations after it, a batch at a time */
    struct busage_partner batch[PAGE_LIMIT_MAX + 1];
    int n = 0;
    do {
        if (rc < 0 || full || (rc = busage_partners(db, &p, p.limit + 1, batch, &n)) < 0)
            break;
        for (int i = 0; rc >= 0 && i < n && !full; i++)
            rc = usage_add(db, &f, &batch[i], NULL, NULL, &full);
        if (n > 0) {
            p.after = true;
            p.key.created_at = batch[n - 1].created_at;
            snprintf(p.key.id, sizeof(p.key.id), "%s", batch[n - 1].id);
        }
    } while (rc >= 0 && !full && n == p.limit + 1);
    if (rc < 0) {
        json_decref(f.items);
        return pd_fail(err, rc, "%s", db_errmsg(db));
    }
    next[0] = '\0';
    if (full) {
        struct cursor_key k = {.scope = p.scope, .created_at = f.end.created_at};
        struct cursor_group_key line = {0};
        snprintf(line.group, sizeof(line.group), "%s", f.end.id);
        snprintf(line.kind, sizeof(line.kind), "%s", f.end_kind);
        snprintf(line.product, sizeof(line.product), "%s", f.end_product);
        /* a line no cursor can name would end the list there unseen: say so instead */
        if (!cursor_id_join(&line, k.id, sizeof(k.id)) ||
            !cursor_encode(&k, next, CURSOR_TEXT_MAX)) {
            json_decref(f.items);
            return pd_fail(err, PD_E_INTERNAL, "usage line %s/%s/%s has no cursor", f.end.id,
                           f.end_product, f.end_kind);
        }
    }
    *items = f.items;
    return 0;
}

/* A CSV field, quoted when it holds a comma, a quote or a line break; a leading = + - @
 * is prefixed with ' so a spreadsheet never runs it as a formula. */
static void csv_field(struct buf *b, const char *s, bool last)
{
    bool quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        buf_puts(b, "\"");
    if (s[0] && strchr("=+-@", s[0]))
        buf_puts(b, "'");
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            buf_puts(b, "\"\"");
        else
            buf_append(b, p, 1);
    }
    if (quote)
        buf_puts(b, "\"");
    buf_puts(b, last ? "\r\n" : ",");
}

/* An export being written: where the last chunk ended, and the bytes not yet sent. */
struct usage_export {
    char lang[3];
    struct busage_key after;
    bool started, finished;
    struct buf pending;
    size_t sent; /* bytes of pending already given */
};

/* Lines read per chunk: a few tens of kilobytes of CSV. */
#define USAGE_EXPORT_CHUNK 200

struct usage_export *benefits_usage_export_new(const char *lang)
{
    struct usage_export *x = calloc(1, sizeof(*x));
    if (x)
        snprintf(x->lang, sizeof(x->lang), "%s", msg_lang(lang) == LANG_EN ? "en" : "fr");
    return x;
}

/* Reads the next chunk of lines into x->pending: 0, or a negative status. */
static int usage_export_chunk(struct usage_export *x, struct db *db)
{
    struct arena a = {0};
    struct benefit_usage *rows = NULL;
    int n = 0;
    buf_reset(&x->pending);
    x->sent = 0;
    if (!x->started) {
        buf_puts(&x->pending, "partner_id,partner,product,kind,name,granted,used\r\n");
        x->started = true;
    }
    int rc = busage_page(db, &a, x->after.partner_id[0] ? &x->after : NULL, USAGE_EXPORT_CHUNK,
                         &rows, &n);
    for (int i = 0; rc >= 0 && i < n; i++) {
        char granted[24], used[24];
        snprintf(granted, sizeof(granted), "%lld", (long long)rows[i].granted);
        snprintf(used, sizeof(used), "%lld", (long long)rows[i].used);
        csv_field(&x->pending, rows[i].partner_id, false);
        csv_field(&x->pending, rows[i].partner_name, false);
        csv_field(&x->pending, rows[i].product, false);
        csv_field(&x->pending, rows[i].kind, false);
        csv_field(&x->pending, strcmp(x->lang, "en") == 0 ? rows[i].name_en : rows[i].name_fr,
                  false);
        csv_field(&x->pending, granted, false);
        csv_field(&x->pending, used, true);
    }
    if (rc >= 0 && n > 0) {
        snprintf(x->after.partner_id, sizeof(x->after.partner_id), "%s", rows[n - 1].partner_id);
        snprintf(x->after.product, sizeof(x->after.product), "%s", rows[n - 1].product);
        snprintf(x->after.kind, sizeof(x->after.kind), "%s", rows[n - 1].kind);
    }
    if (rc >= 0 && n < USAGE_EXPORT_CHUNK)
        x->finished = true;
    arena_free(&a);
    return rc < 0 ? rc : 0;
}

long benefits_usage_export_read(struct usage_export *x, struct db *db, char *out, size_t max)
{
    while (x->sent == x->pending.len) {
        if (x->finished)
            return 0;
        if (usage_export_chunk(x, db) < 0) {
            char esc[512]; /* the database's words: escaped, as every value */
            log_line(LOG_ERROR, NULL, "usage_export_failed", "detail=%s",
                     log_escape(db_errmsg(db), esc, sizeof(esc)));
            return -1;
        }
    }
    size_t n = x->pending.len - x->sent;
    if (n > max)
        n = max;
    memcpy(out, x->pending.data + x->sent, n);
    x->sent += n;
    return (long)n;
}

void benefits_usage_export_free(struct usage_export *x)
{
    if (x == NULL)
        return;
    buf_free(&x->pending);
    free(x);
}

/* The API object of a rule. */
static json_t *rule_view(const struct benefit_rule *r, const char *lang)
{
    return json_pack("{s:i, s:s, s:s, s:s, s:{s:s, s:s}, s:i, s:i}", "position", r->position,
                     "kind", r->kind, "product", r->product, "label",
                     msg_lang(lang) == LANG_EN ? r->name_en : r->name_fr, "name", "fr", r->name_fr,
                     "en", r->name_en, "quantity", r->quantity, "deadline_days", r->deadline_days);
}

int benefits_rules(struct db *db, const char *offer_code, const char *lang, json_t **items,
                   struct pd_error *err)
{
    struct arena a = {0};
    struct benefit_rule *rules = NULL;
    struct offer_row offer;
    int n = 0;
    int rc = offers_find(db, offer_code, &offer);
    if (rc == 0)
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    if (rc > 0)
        rc = brules_list(db, &a, offer_code, &rules, &n);
    if (rc >= 0) {
        *items = json_array();
        for (int i = 0; i < n; i++)
            json_array_append_new(*items, rule_view(&rules[i], lang));
    }
    arena_free(&a);
    return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db)) : 0;
}

/* Checks the rules of a body into rules (up to max); *n of them. */
static void check_rules(struct checks *c, const json_t *list, struct benefit_rule *rules, int max,
                        int *n)
{
    static const char *const keys[] = {"kind",     "product",       "name",
                                       "quantity", "deadline_days", NULL};
    static const char *const kinds[] = {"software_key", "cloud_subscription", "support_incident",
                                        "training",     "resource",           NULL};
    static const char *const langs[] = {"fr", "en", NULL};
    size_t i;
    json_t *r;
    *n = 0;
    if (!json_is_array(list) || json_array_size(list) > (size_t)max) {
        check_fail(c, "benefits", MSG_FIELD_BENEFITS);
        return;
    }
    json_array_foreach(list, i, r)
    {
        char prefix[48], field[64];
        struct benefit_rule *b = &rules[(*n)++];
        memset(b, 0, sizeof(*b));
        snprintf(prefix, sizeof(prefix), "benefits.%zu.", i);
        check_known_keys(c, r, prefix, keys);
        b->kind = json_string_value(json_object_get(r, "kind"));
        snprintf(field, sizeof(field), "%skind", prefix);
        if (!check_one_of(b->kind, kinds))
            check_fail_one_of(c, field, kinds);
        b->product = json_string_value(json_object_get(r, "product"));
        snprintf(field, sizeof(field), "%sproduct", prefix);
        if (!b->product || !b->product[0] || strlen(b->product) > 47 ||
            strspn(b->product, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(b->product))
            check_fail(c, field, MSG_FIELD_SLUG);
        json_t *name = json_object_get(r, "name");
        snprintf(field, sizeof(field), "%sname.", prefix);
        check_known_keys(c, name, field, langs);
        b->name_fr = json_string_value(json_object_get(name, "fr"));
        b->name_en = json_string_value(json_object_get(name, "en"));
        snprintf(field, sizeof(field), "%sname", prefix);
        if (!text_line_valid(b->name_fr, 200) || !text_line_valid(b->name_en, 200))
            check_fail(c, field, MSG_FIELD_LABELS_FR_EN);
        json_t *q = json_object_get(r, "quantity"), *d = json_object_get(r, "deadline_days");
        snprintf(field, sizeof(field), "%squantity", prefix);
        if (!json_is_integer(q) || json_integer_value(q) < 0 || json_integer_value(q) > 100000)
            check_fail_args(c, field, MSG_FIELD_INTEGER_RANGE, (const char *const[]){"0", "100000"},
                            2);
        else
            b->quantity = (int)json_integer_value(q);
        snprintf(field, sizeof(field), "%sdeadline_days", prefix);
        if (d && (!json_is_integer(d) || json_integer_value(d) < 0 || json_integer_value(d) > 1100))
            check_fail_args(c, field, MSG_FIELD_INTEGER_RANGE, (const char *const[]){"0", "1100"},
                            2);
        else if (d)
            b->deadline_days = (int)json_integer_value(d);
    }
}

#define RULES_MAX 32

int benefits_set_rules(struct db *db, const struct principal *who, const char *ip,
                       const char *offer_code, const json_t *body, const char *lang, json_t **items,
                       struct pd_error *err)
{
    static const char *const keys[] = {"benefits", NULL};
    struct benefit_rule rules[RULES_MAX];
    struct offer_row offer;
    struct checks c = {0};
    int n = 0;
    check_known_keys(&c, body, "", keys);
    check_rules(&c, json_object_get(body, "benefits"), rules, RULES_MAX, &n);
    int rc = check_done(&c, err);
    if (rc < 0 || (rc = tx_begin(db, err)) < 0)
        return rc;
    rc = offers_find(db, offer_code, &offer);
    if (rc == 0)
        rc = pd_fail(err, PD_E_NOT_FOUND, NULL);
    if (rc > 0)
        rc = brules_replace(db, offer_code, rules, n, clock_now());
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "offer.benefits_changed", "offer", offer_code,
                   json_deep_copy(body));
    if ((rc = tx_end(db, rc, err)) < 0)
        return rc;
    return benefits_rules(db, offer_code, lang, items, err);
}

/* ---- the daily job ---- */

/* How many terms or grants a pass reads at a time. */
#define DUE_BATCH 256
/* How many grants' passes, or terms' grants, share a transaction: it holds the write lock,
 * which requests wait for, while it reads them. */
#define GRANT_TX 32
_Static_assert(GRANT_TX <= GRANTS_READ_MAX, "a transaction's grants are read in one statement");

/* Grants term i of the terms due (a struct term_due array), in the caller's transaction,
 * which marks it done, granted or not: 1 when it was granted. */
static int term_step(struct db *db, int i, void *arg)
{
    const struct term_due *d = (const struct term_due *)arg + i;
    const struct term_to_grant *t = &d->t;
    int rc = d->grantable ? benefits_grant_term(db, t->subscription_id, t->partner_id,
                                                t->offer_code, t->term, t->starts_on, t->expires_on)
                          : 0;
    if (rc >= 0)
        rc = grants_term_done(db, t->subscription_id, t->term);
    return rc < 0 ? rc : d->grantable;
}

/* Grants the terms the job has to (imports, terms begun before benefits existed; a paid
 * term is granted when it is paid), GRANT_TX to a transaction. */
static int grant_missing(struct db *db)
{
    int done = 0, rc, n;
    do {
        struct term_due *terms = NULL;
        n = 0;
        if ((rc = grants_terms_due(db, DUE_BATCH, &terms, &n)) < 0)
            break;
        if ((rc = tx_batch(db, n, GRANT_TX, "benefits.term_batch", term_step, terms)) > 0)
            done += rc;
        free(terms);
    } while (rc >= 0 && n == DUE_BATCH);
    return rc < 0 ? rc : done;
}

/* The day after today the job next looks at a grant with these facts, reminded and revoked
 * as given, into on: NULL when never. */
static const char *next_check(const struct benefit_facts *f, int reminded, bool revoked,
                              struct date today, char on[DATE_STRLEN])
{
    struct date next;
    return benefit_next_check(f, reminded, revoked, date_add_days(today, 1), &next)
               ? date_format(next, on)
               : NULL;
}

/* What grant g (with its subscription s, read in the caller's transaction) is owed today,
 * and the next day to look at it: 1 when an event was written, 0 when not, negative when the
 * database failed. An event's guarded write records the next day too: on PostgreSQL, where
 * each statement is a round trip, a pass spends its time in their number. */
static int grant_pass_in(struct db *db, struct grant_row *g, const struct sub_row *s,
                         const struct subs_context *ctx, struct date today)
{
    int rc = 0, wrote = 0;
    char on[DATE_STRLEN];
    struct benefit_facts f = benefits_facts(g, s, ctx, today);
    enum benefit_state state = benefit_state_on(&f, today);
    int remind = benefit_reminder_due(&f, g->reminded, today);
    bool revoke = state == BENEFIT_REVOKED && g->revoked_at == 0;
    if (revoke && (rc = grants_set_revoked(db, g->id, clock_now(),
                                           next_check(&f, g->reminded, true, today, on))) == 1) {
        wrote = 1;
        g->revoked_at = clock_now();
        rc = bqueue_delete(db, g->id, NULL);
        if (rc >= 0)
            rc = outbox_emit(db, g->partner_id, "benefit.revoked",
                             json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:i, s:i}", "benefit_id",
                                       g->id, "subscription_id", g->subscription_id, "kind",
                                       g->kind, "product", g->product, "name", "fr", g->name_fr,
                                       "en", g->name_en, "quantity", g->quantity, "used", g->used));
    } else if (!revoke && remind &&
               (rc = grants_set_reminded(db, g->id, remind,
                                         next_check(&f, remind, g->revoked_at != 0, today, on))) ==
                   1) {
        /* the days really left: a deadline nearer than 30 days when granted (deadline_days
         * under 30) or a pass that comes late has its first reminder with fewer */
        char days[12];
        snprintf(days, sizeof(days), "%d", date_diff_days(today, f.activate_by));
        wrote = 1;
        g->reminded = remind;
        rc = outbox_emit(db, g->partner_id, "benefit.reminder",
                         json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:s, s:i}",
                                   "benefit_id", g->id, "kind", g->kind, "product", g->product,
                                   "days", days, "name", "fr", g->name_fr, "en", g->name_en,
                                   "activate_by", g->activate_by, "subscription_id",
                                   g->subscription_id, "remaining", g->quantity - g->used));
    }
    /* no event written (none due, or another pass wrote it): the next day alone */
    if (rc >= 0 && !wrote)
        rc =
            grants_set_check(db, g->id, next_check(&f, g->reminded, g->revoked_at != 0, today, on));
    return rc < 0 ? rc : wrote;
}

/* The due grants of a pass, for tx_batch_job(); those of the transaction under way read in
 * its begin, with their subscriptions, in one statement. */
struct grants_due {
    const struct grant_due_key *due;
    const struct subs_context *ctx;
    struct date today;
    bool stale;    /* another pass set the days again for a new window since this one read
                      its own (check_days_stale, in each transaction) */
    bool deferred; /* grants were left for the next pass for that (in a transaction that
                      may yet roll back: the log line it makes says so) */
    int from;      /* the transaction's first step: due[from + k] is read into rows[k] */
    struct grant_row rows[GRANT_TX];
    struct sub_row subs[GRANT_TX];
    bool found[GRANT_TX]; /* false: the grant is gone */
};

static int grants_tx_begin(struct db *db, int from, int to, void *arg)
{
    struct grants_due *g = arg;
    const char *ids[GRANT_TX];
    int rc = check_days_stale(db, g->ctx->window_days, &g->stale);
    if (rc < 0 || g->stale) /* nothing is decided with a stale window: nothing to read */
        return rc;
    g->from = from;
    for (int i = from; i < to; i++)
        ids[i - from] = g->due[i].id;
    return grants_find_with_subs(db, ids, to - from, g->rows, g->subs, g->found);
}

static int grant_step(struct db *db, int i, void *arg)
{
    struct grants_due *g = arg;
    char on[DATE_STRLEN];
    int k = i - g->from;
    if (!g->stale)
        return g->found[k] ? grant_pass_in(db, &g->rows[k], &g->subs[k], g->ctx, g->today) : 0;
    /* another pass has taken a new window since this one read its own: nothing decided
     * with the old one (that pass may have decided otherwise with the new), today as the
     * grant's day, for the next pass */
    g->deferred = true;
    int rc = grants_set_check(db, g->due[i].id, date_format(g->today, on));
    return rc < 0 ? rc : 0;
}

int benefits_run(const struct tx_workers *w)
{
    struct db *db = w->db[0];
    struct subs_context ctx = {0};
    struct date today = clock_today();
    char day[DATE_STRLEN];
    struct grant_due_key due[DUE_BATCH], after;
    int events = 0, n = 0;
    bool deferred = false;
    /* a transaction's rows (~60 KB) for each connection's transactions */
    struct grants_due *g = calloc((size_t)w->n, sizeof(*g));
    struct tx_batch_job jobs[TX_WORKERS_MAX];
    if (g == NULL)
        return PD_E_INTERNAL;
    int rc = grant_missing(db);
    if (rc >= 0)
        rc = subscriptions_context(db, NULL, &ctx);
    /* the days true to this window (as the notices and renewals passes do first), so a
     * stale window below means another pass took a new one during this pass; a window
     * staff change with no other pass under way counts from the next pass (this one decides
     * as if it had run just before the change) */
    if (rc >= 0)
        rc = check_days_sync(db, ctx.window_days, today);
    date_format(today, day);
    /* the grants whose day has come, a batch at a time, after the last one read: each
     * decided leaves the list (its next day is after today; a deferred one stays, and a
     * later batch of this pass defers it again); a grant that fails is left for the next
     * pass, the others of its batch done (tx_batch_job), and the pass stops there */
    for (bool first = true; rc >= 0 && (first || n == DUE_BATCH); first = false) {
        if ((rc = grants_due(db, day, first ? NULL : &after, DUE_BATCH, due, &n)) < 0)
            break;
        fault_pause("benefits.due_read"); /* tests: another pass changes the window here */
        /* a commit (and its sync) for each grant was most of a pass's time at 100 000
         * partners: GRANT_TX share one */
        for (int k = 0; k < w->n; k++) {
            g[k] = (struct grants_due){.due = due, .ctx = &ctx, .today = today};
            jobs[k] = (struct tx_batch_job){.name = "benefits.grant_batch",
                                            .begin = grants_tx_begin,
                                            .step = grant_step,
                                            .ctx = &g[k]};
        }
        if ((rc = tx_batch_spread(w, n, GRANT_TX, jobs)) > 0)
            events += rc;
        for (int k = 0; k < w->n; k++)
            deferred = deferred || g[k].deferred;
        if (n > 0)
            after = due[n - 1];
    }
    if (deferred)
        log_line(LOG_INFO, NULL, "benefits",
                 "deferred=1: another pass took a new renewal window during this one; the "
                 "grants it had not decided (unless their transaction failed) are the next "
                 "pass's");
    free(g);
    return rc < 0 ? rc : events;
}
