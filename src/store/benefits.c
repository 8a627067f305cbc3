/*
 * store/benefits.c - SQL of benefit rules, grants and used incidents.
 *
 * A use never goes below zero nor above what was granted: grants_use() checks and counts
 * in one UPDATE (used + n <= quantity), so two requests using the last incident cannot
 * both have it.
 */
#include "store/benefits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "db/db.h"
#include "store/page.h"
#include "store/rows.h"
#include "store/subscriptions.h"

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

int brules_list(struct db *db, struct arena *a, const char *offer_code, struct benefit_rule **out,
                int *count)
{
    struct db_stmt *st;
    struct rows r = {0};
    int rc =
        db_query(db, &st,
                 "SELECT offer_code, position, kind, product, name_fr, name_en, quantity, "
                 "deadline_days FROM benefit_rules WHERE CAST(? AS TEXT) IS NULL OR offer_code = ? "
                 "ORDER BY offer_code, position",
                 "tt", offer_code, offer_code);
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        struct benefit_rule *b = rows_add(a, &r, sizeof(*b));
        b->offer_code = arena_strdup(a, db_column_text(st, 0));
        b->position = (int)db_column_int64(st, 1);
        b->kind = arena_strdup(a, db_column_text(st, 2));
        b->product = arena_strdup(a, db_column_text(st, 3));
        b->name_fr = arena_strdup(a, db_column_text(st, 4));
        b->name_en = arena_strdup(a, db_column_text(st, 5));
        b->quantity = (int)db_column_int64(st, 6);
        b->deadline_days = (int)db_column_int64(st, 7);
    }
    db_finalize(st);
    *out = r.items;
    *count = r.count;
    return rc < 0 ? rc : 0;
}

int brules_replace(struct db *db, const char *offer_code, const struct benefit_rule *rules, int n,
                   int64_t now)
{
    int64_t rc = db_run(db, "DELETE FROM benefit_rules WHERE offer_code = ?", "t", offer_code);
    for (int i = 0; rc >= 0 && i < n; i++)
        rc = db_run(
            db,
            "INSERT INTO benefit_rules (offer_code, position, kind, product, name_fr, "
            "name_en, quantity, deadline_days, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            "tittttiii", offer_code, (int64_t)i + 1, rules[i].kind, rules[i].product,
            rules[i].name_fr, rules[i].name_en, (int64_t)rules[i].quantity,
            (int64_t)rules[i].deadline_days, now);
    return rc < 0 ? (int)rc : 0;
}

/* The columns of a grant's row, in the order grants_insert_term() binds them. */
#define GRANT_ROW_PARAMS 15
#define GRANT_ROW_VALUES "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)"
/* Rows of one INSERT: their parameters within DB_MAX_PARAMS. An offer has at most 32 rules
 * (benefits_set_rules), so a term takes one statement. */
#define GRANTS_PER_STATEMENT (DB_MAX_PARAMS / GRANT_ROW_PARAMS)

static int bind_grant(struct db_stmt *st, int first, const struct grant_row *g, int64_t now)
{
    bool failed = false;
    int i = first;
    failed = failed || db_bind_text(st, i++, g->id) < 0;
    failed = failed || db_bind_text(st, i++, g->partner_id) < 0;
    failed = failed || db_bind_text(st, i++, g->subscription_id) < 0;
    failed = failed || db_bind_int64(st, i++, g->term) < 0;
    failed = failed || db_bind_int64(st, i++, g->position) < 0;
    failed = failed || db_bind_text(st, i++, g->kind) < 0;
    failed = failed || db_bind_text(st, i++, g->product) < 0;
    failed = failed || db_bind_text(st, i++, g->name_fr) < 0;
    failed = failed || db_bind_text(st, i++, g->name_en) < 0;
    failed = failed || db_bind_int64(st, i++, g->quantity) < 0;
    failed = failed || db_bind_text(st, i++, g->starts_on) < 0;
    failed = failed || db_bind_text(st, i++, g->ends_on) < 0;
    failed = failed || db_bind_text(st, i++, g->activate_by[0] ? g->activate_by : NULL) < 0;
    failed = failed || db_bind_int64(st, i++, now) < 0;
    failed = failed || db_bind_text(st, i++, g->check_on[0] ? g->check_on : NULL) < 0;
    return failed ? PD_E_DB : 0;
}

/* Inserts g[0..n-1] in one statement: how many were inserted, or negative. */
static int insert_grants(struct db *db, const struct grant_row *g, int n, int64_t now)
{
    struct buf sql = {0};
    buf_puts(&sql, "INSERT INTO benefit_grants (id, partner_id, subscription_id, term, position, "
                   "kind, product, name_fr, name_en, quantity, used, starts_on, ends_on, "
                   "activate_by, created_at, check_on) VALUES " GRANT_ROW_VALUES);
    for (int i = 1; i < n; i++)
        buf_puts(&sql, ", " GRANT_ROW_VALUES);
    buf_puts(&sql, " ON CONFLICT (subscription_id, term, position) DO NOTHING");
    struct db_stmt *st = NULL;
    int rc = sql.data ? db_prepare(db, sql.data, &st) : PD_E_INTERNAL;
    buf_free(&sql);
    for (int i = 0; rc >= 0 && i < n; i++)
        rc = bind_grant(st, 1 + i * GRANT_ROW_PARAMS, &g[i], now);
    if (rc >= 0)
        rc = db_step(st);
    int64_t inserted = rc < 0 ? rc : db_changes(st);
    db_finalize(st);
    return (int)inserted;
}

int grants_insert_term(struct db *db, const struct grant_row *g, int n, int64_t now)
{
    int inserted = 0;
    for (int done = 0; done < n;) { /* a statement's parameters are bounded (db.h) */
        int rows = n - done < GRANTS_PER_STATEMENT ? n - done : GRANTS_PER_STATEMENT;
        int rc = insert_grants(db, g + done, rows, now);
        if (rc < 0)
            return rc;
        inserted += rc;
        done += rows;
    }
    return inserted;
}

#define GRANT_LIST                                                                                 \
    "g.id, g.partner_id, g.subscription_id, g.term, (SELECT MAX(t.term) FROM "                     \
    "subscription_terms t WHERE t.subscription_id = g.subscription_id), g.position, g.kind, "      \
    "g.product, g.name_fr, g.name_en, g.quantity, g.used, g.starts_on, g.ends_on, "                \
    "g.activate_by, g.tenant_domain, COALESCE(g.activated_at, 0), g.reminded, "                    \
    "COALESCE(g.revoked_at, 0), CASE WHEN EXISTS (SELECT 1 FROM benefit_queue q WHERE "            \
    "q.grant_id = g.id) THEN 1 ELSE 0 END"
#define GRANT_COLUMNS "SELECT " GRANT_LIST " FROM benefit_grants g "

/* Reads the columns of GRANT_LIST; returns how many, the index of the next column. */
static int read_grant(struct db_stmt *st, struct grant_row *g)
{
    memset(g, 0, sizeof(*g));
    copy(g->id, sizeof(g->id), db_column_text(st, 0));
    copy(g->partner_id, sizeof(g->partner_id), db_column_text(st, 1));
    copy(g->subscription_id, sizeof(g->subscription_id), db_column_text(st, 2));
    g->term = (int)db_column_int64(st, 3);
    g->latest_term = (int)db_column_int64(st, 4);
    g->position = (int)db_column_int64(st, 5);
    copy(g->kind, sizeof(g->kind), db_column_text(st, 6));
    copy(g->product, sizeof(g->product), db_column_text(st, 7));
    copy(g->name_fr, sizeof(g->name_fr), db_column_text(st, 8));
    copy(g->name_en, sizeof(g->name_en), db_column_text(st, 9));
    g->quantity = (int)db_column_int64(st, 10);
    g->used = (int)db_column_int64(st, 11);
    copy(g->starts_on, sizeof(g->starts_on), db_column_text(st, 12));
    copy(g->ends_on, sizeof(g->ends_on), db_column_text(st, 13));
    copy(g->activate_by, sizeof(g->activate_by), db_column_text(st, 14));
    copy(g->tenant_domain, sizeof(g->tenant_domain), db_column_text(st, 15));
    g->activated_at = db_column_int64(st, 16);
    g->reminded = (int)db_column_int64(st, 17);
    g->revoked_at = db_column_int64(st, 18);
    g->queued = db_column_int64(st, 19) != 0;
    return 20;
}

/* Runs a query of grants into a malloc'd array. */
static int read_grants(struct db_stmt *st, struct grant_row **out, int *count)
{
    int rc, n = 0, cap = 0;
    struct grant_row *list = NULL;
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            struct grant_row *more = realloc(list, (size_t)cap * sizeof(*list));
            if (more == NULL) {
                rc = PD_E_INTERNAL;
                break;
            }
            list = more;
        }
        read_grant(st, &list[n++]);
    }
    db_finalize(st);
    if (rc < 0) {
        free(list);
        return rc;
    }
    *out = list;
    *count = n;
    return 0;
}

/* The first row of st, if any, into *out (1; 0 when none), and st finalized. */
static int first_grant(struct db_stmt *st, struct grant_row *out)
{
    int rc = db_step(st);
    if (rc == DB_ROW) {
        read_grant(st, out);
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

#define GRANT_OF GRANT_COLUMNS "WHERE g.id = ? AND (CAST(? AS TEXT) IS NULL OR g.partner_id = ?)"

int grants_find(struct db *db, const char *id, const char *partner_id, struct grant_row *out)
{
    struct db_stmt *st;
    int rc = db_query(db, &st, GRANT_OF, "ttt", id, partner_id, partner_id);
    return rc < 0 ? rc : first_grant(st, out);
}

int grants_find_locked(struct db *db, const char *id, const char *partner_id, struct grant_row *out)
{
    struct db_stmt *st;
    int rc = db_query_locked(db, &st, GRANT_OF, "ttt", id, partner_id, partner_id);
    return rc < 0 ? rc : first_grant(st, out);
}

/* A grant's columns, then its subscription's (store/subscriptions.h). */
#define SUB_LIST_S SUBS_COLUMNS_OF("s.")
static const char grant_with_sub_sql[] =
    "SELECT " GRANT_LIST ", " SUB_LIST_S " FROM benefit_grants g JOIN subscriptions s ON s.id = "
    "g.subscription_id WHERE g.id IN (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
_Static_assert(GRANTS_READ_MAX == 32, "one parameter for each id");

int grants_find_with_subs(struct db *db, const char *const *ids, int n, struct grant_row *g,
                          struct sub_row *s, bool *found)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, grant_with_sub_sql, &st);
    if (rc >= 0)
        rc = db_bind_text_list(st, 1, ids, n, GRANTS_READ_MAX);
    if (rc < 0) {
        db_finalize(st);
        return rc;
    }
    for (int i = 0; i < n; i++)
        found[i] = false;
    struct grant_row row;
    while ((rc = db_step(st)) == DB_ROW) {
        int next = read_grant(st, &row);
        for (int i = 0; i < n; i++)
            if (!found[i] && strcmp(ids[i], row.id) == 0) {
                g[i] = row;
                subs_read_columns(st, next, &s[i]);
                found[i] = true;
                break;
            }
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int grants_list(struct db *db, const char *partner_id, bool current, struct grant_row **out,
                int *count)
{
    struct db_stmt *st;
    int rc = db_query(
        db, &st,
        GRANT_COLUMNS
        "WHERE (CAST(? AS TEXT) IS NULL OR g.partner_id = ?) AND (? = 0 OR g.term = (SELECT "
        "MAX(t.term) FROM subscription_terms t WHERE t.subscription_id = "
        "g.subscription_id)) ORDER BY g.subscription_id, g.term, g.position",
        "tti", partner_id, partner_id, (int64_t)current);
    return rc < 0 ? rc : read_grants(st, out, count);
}

const char grants_sql_due[] =
    "SELECT check_on, id FROM benefit_grants WHERE check_on <= ? AND (check_on, id) > (?, ?) "
    "ORDER BY check_on, id LIMIT ?";

int grants_due(struct db *db, const char *today, const struct grant_due_key *after, int limit,
               struct grant_due_key *out, int *count)
{
    struct db_stmt *st;
    int rc = db_query(db, &st, grants_sql_due, "ttti", today, after ? after->check_on : "",
                      after ? after->id : "", (int64_t)limit);
    if (rc < 0)
        return rc;
    int n = 0;
    while (n < limit && (rc = db_step(st)) == DB_ROW) {
        copy(out[n].check_on, sizeof(out[n].check_on), db_column_text(st, 0));
        copy(out[n].id, sizeof(out[n].id), db_column_text(st, 1));
        n++;
    }
    db_finalize(st);
    *count = n;
    return rc < 0 ? rc : 0;
}

int grants_set_check(struct db *db, const char *id, const char *check_on)
{
    return db_write(db, "UPDATE benefit_grants SET check_on = ? WHERE id = ?", "tt", check_on, id);
}

int grants_checks_reset(struct db *db, const char *today, const char *since)
{
    int64_t rc = db_run(db,
                        "UPDATE benefit_grants SET check_on = ? WHERE check_on > ends_on AND "
                        "ends_on < ? AND ends_on >= ?",
                        "ttt", today, today, since);
    return rc < 0 ? (int)rc : 0;
}

int grants_of_term(struct db *db, const char *subscription_id, int term, struct grant_row **out,
                   int *count)
{
    struct db_stmt *st;
    int rc = db_query(
        db, &st, GRANT_COLUMNS "WHERE g.subscription_id = ? AND g.term = ? ORDER BY g.position",
        "ti", subscription_id, (int64_t)term);
    return rc < 0 ? rc : read_grants(st, out, count);
}

int grants_use(struct db *db, const char *id, int count, int64_t now)
{
    int64_t rc = db_run(db,
                        "UPDATE benefit_grants SET used = used + ?, activated_at = "
                        "COALESCE(activated_at, ?) WHERE id = ? AND used + ? <= quantity",
                        "iiti", (int64_t)count, now, id, (int64_t)count);
    return rc < 0 ? (int)rc : rc > 0;
}

int grants_unuse(struct db *db, const char *id, int count)
{
    int64_t rc = db_run(db, "UPDATE benefit_grants SET used = used - ? WHERE id = ? AND used >= ?",
                        "iti", (int64_t)count, id, (int64_t)count);
    return rc < 0 ? (int)rc : 0;
}

int grants_set_tenant(struct db *db, const char *id, const char *domain)
{
    int64_t rc =
        db_run(db, "UPDATE benefit_grants SET tenant_domain = ? WHERE id = ?", "tt", domain, id);
    return rc < 0 ? (int)rc : 0;
}

int grants_set_reminded(struct db *db, const char *id, int reminded, const char *check_on)
{
    int64_t rc =
        db_run(db,
               "UPDATE benefit_grants SET reminded = ?, check_on = ? WHERE id = ? AND "
               "reminded <> ? AND (reminded = 0 OR ? = 7)",
               "ittii", (int64_t)reminded, check_on, id, (int64_t)reminded, (int64_t)reminded);
    return rc < 0 ? (int)rc : rc > 0;
}

int grants_set_revoked(struct db *db, const char *id, int64_t now, const char *check_on)
{
    int64_t rc = db_run(db,
                        "UPDATE benefit_grants SET revoked_at = ?, check_on = ? WHERE id = ? AND "
                        "revoked_at IS NULL",
                        "itt", now, check_on, id);
    return rc < 0 ? (int)rc : rc > 0;
}

const char grants_sql_terms_due[] =
    "SELECT s.id, s.partner_id, s.offer_code, t.term, t.starts_on, t.expires_on, "
    "s.cancelled_on IS NULL AND t.term = (SELECT MAX(u.term) FROM subscription_terms u WHERE "
    "u.subscription_id = s.id) FROM subscription_terms t JOIN subscriptions s ON s.id = "
    "t.subscription_id WHERE t.benefits_due = 1 ORDER BY t.subscription_id, t.term LIMIT ?";

int grants_terms_due(struct db *db, int limit, struct term_due **out, int *count)
{
    struct db_stmt *st;
    int rc = db_query(db, &st, grants_sql_terms_due, "i", (int64_t)limit);
    if (rc < 0)
        return rc;
    int n = 0, cap = 0;
    struct term_due *list = NULL;
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            struct term_due *more = realloc(list, (size_t)cap * sizeof(*list));
            if (more == NULL) {
                rc = PD_E_INTERNAL;
                break;
            }
            list = more;
        }
        struct term_due *d = &list[n++];
        copy(d->t.subscription_id, sizeof(d->t.subscription_id), db_column_text(st, 0));
        copy(d->t.partner_id, sizeof(d->t.partner_id), db_column_text(st, 1));
        copy(d->t.offer_code, sizeof(d->t.offer_code), db_column_text(st, 2));
        d->t.term = (int)db_column_int64(st, 3);
        copy(d->t.starts_on, sizeof(d->t.starts_on), db_column_text(st, 4));
        copy(d->t.expires_on, sizeof(d->t.expires_on), db_column_text(st, 5));
        d->grantable = db_column_int64(st, 6) != 0;
    }
    db_finalize(st);
    if (rc < 0) {
        free(list);
        return rc;
    }
    *out = list;
    *count = n;
    return 0;
}

int grants_term_done(struct db *db, const char *subscription_id, int term)
{
    int64_t rc = db_run(db,
                        "UPDATE subscription_terms SET benefits_due = 0 WHERE subscription_id = ? "
                        "AND term = ? AND benefits_due = 1",
                        "ti", subscription_id, (int64_t)term);
    return rc < 0 ? (int)rc : 0;
}

int bincidents_insert(struct db *db, const char *request_id, const char *grant_id, int64_t now)
{
    int64_t rc = db_run(db,
                        "INSERT INTO benefit_incidents (request_id, grant_id, created_at) VALUES "
                        "(?, ?, ?)",
                        "tti", request_id, grant_id, now);
    return rc < 0 ? (int)rc : 0;
}

int bincidents_return(struct db *db, const char *request_id, char grant_id[32], int64_t now)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT grant_id FROM benefit_incidents WHERE request_id = ? AND "
                      "returned_at IS NULL",
                      "t", request_id);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        copy(grant_id, 32, db_column_text(st, 0));
        rc = 1;
    }
    db_finalize(st);
    if (rc != 1)
        return rc;
    int64_t n = db_run(db,
                       "UPDATE benefit_incidents SET returned_at = ? WHERE request_id = ? AND "
                       "returned_at IS NULL",
                       "it", now, request_id);
    return n < 0 ? (int)n : n > 0;
}

/* Reads the usage rows of st (the columns of busage_page and busage_list) into a. */
static int read_usage(struct db_stmt *st, struct arena *a, struct benefit_usage **out, int *count)
{
    struct rows r = {0};
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        struct benefit_usage *u = rows_add(a, &r, sizeof(*u));
        u->partner_id = arena_strdup(a, db_column_text(st, 0));
        u->partner_name = arena_strdup(a, db_column_text(st, 1));
        u->product = arena_strdup(a, db_column_text(st, 2));
        u->kind = arena_strdup(a, db_column_text(st, 3));
        u->name_fr = arena_strdup(a, db_column_text(st, 4));
        u->name_en = arena_strdup(a, db_column_text(st, 5));
        u->granted = db_column_int64(st, 6);
        u->used = db_column_int64(st, 7);
    }
    db_finalize(st);
    *out = r.items;
    *count = r.count;
    return rc < 0 ? rc : 0;
}

int busage_page(struct db *db, struct arena *a, const struct busage_key *after, int limit,
                struct benefit_usage **out, int *count)
{
    struct db_stmt *st;
    const char *id = after ? after->partner_id : "", *product = after ? after->product : "";
    const char *kind = after ? after->kind : "";
    int rc = db_query(
        db, &st,
        "SELECT g.partner_id, p.legal_name, g.product, g.kind, MIN(g.name_fr), MIN(g.name_en), "
        "SUM(g.quantity), SUM(g.used) FROM benefit_grants g JOIN partners p ON p.id = "
        "g.partner_id WHERE g.partner_id >= ? AND (g.partner_id, g.product, g.kind) > (?, ?, ?) "
        "AND g.term = (SELECT MAX(t.term) FROM subscription_terms t WHERE t.subscription_id = "
        "g.subscription_id) GROUP BY g.partner_id, p.legal_name, g.product, g.kind ORDER BY "
        "g.partner_id, g.product, g.kind LIMIT ?",
        "tttti", id, id, product, kind, (int64_t)limit);
    if (rc < 0)
        return rc;
    return read_usage(st, a, out, count);
}

int busage_partners(struct db *db, const struct page_request *p, int limit,
                    struct busage_partner *out, int *count)
{
    struct db_stmt *st;
    struct page_sql q = {0};
    struct page_request one = *p;
    one.limit = limit - 1; /* page_sql_finish() asks for limit + 1 */
    page_sql_start(&q, "SELECT p.id, p.created_at FROM partners p WHERE EXISTS (SELECT 1 FROM "
                       "benefit_grants g WHERE g.partner_id = p.id)");
    page_sql_finish(&q, "p", &one);
    int rc = page_sql_run(db, &q, &st);
    if (rc < 0)
        return rc;
    int n = 0;
    while (n < limit && (rc = db_step(st)) == DB_ROW) {
        copy(out[n].id, sizeof(out[n].id), db_column_text(st, 0));
        out[n].created_at = db_column_int64(st, 1);
        n++;
    }
    db_finalize(st);
    *count = n;
    return rc < 0 ? rc : 0;
}

int busage_of(struct db *db, struct arena *a, const char *partner_id, const char *after_product,
              const char *after_kind, int limit, struct benefit_usage **out, int *count)
{
    struct db_stmt *st;
    /* (product, kind) is the key of a line: the GROUP BY makes it unique in an organisation */
    int rc = db_query(
        db, &st,
        "SELECT g.partner_id, p.legal_name, g.product, g.kind, MIN(g.name_fr), MIN(g.name_en), "
        "SUM(g.quantity), SUM(g.used) FROM benefit_grants g JOIN partners p ON p.id = "
        "g.partner_id WHERE g.partner_id = ? AND (g.product, g.kind) > (?, ?) AND g.term = "
        "(SELECT MAX(t.term) FROM subscription_terms t WHERE t.subscription_id = "
        "g.subscription_id) GROUP BY g.partner_id, p.legal_name, g.product, g.kind ORDER BY "
        "g.product, g.kind LIMIT ?",
        "ttti", partner_id, after_product ? after_product : "", after_kind ? after_kind : "",
        (int64_t)limit);
    if (rc < 0)
        return rc;
    return read_usage(st, a, out, count);
}
