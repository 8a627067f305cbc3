/*
 * test_plans.c - the hot queries of the jobs and the dashboard are served by an index, on
 * SQLite and, when PARTNERD_TEST_PG holds a postgresql:// URL of a throwaway database, on
 * PostgreSQL (issue 20).
 *
 * Each statement is the store's own (a named constant of its store file, the very text the
 * job runs), explained with sample values bound: EXPLAIN QUERY PLAN on SQLite, EXPLAIN on
 * PostgreSQL. The check fails on a full scan of any table that grows with the program
 * (subscriptions, orders, invoices, payments, the outbox and its deliveries, ...: every table
 * but the few small ones listed below): "SCAN t" on SQLite (a walk of the whole table or of
 * a whole index), "Seq Scan on t" on PostgreSQL.
 *
 * On PostgreSQL the check runs with enable_seqscan = off. The tables are empty here, and on
 * a table of a few pages a sequential scan is the cheapest plan, so the planner would pick
 * it whatever the indexes; with seq scans priced out it still falls back to one when no
 * index can serve the query, which is exactly what the check is after. (Loading realistic
 * statistics instead would make the test depend on planner cost details.) SQLite has no
 * statistics here (no ANALYZE), so it weighs the indexes by their shape alone, as it does on
 * a database that was never analyzed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db_fixture.h"
#include "store/benefits.h"
#include "store/dashboard.h"
#include "store/invoices.h"
#include "store/orders.h"
#include "store/outbox.h"
#include "store/renewals.h"
#include "store/subscriptions.h"
#include "store/vat_checks.h"
#include "store/webhooks.h"

/* A statement and sample values for its placeholders: types as db_query's ('t' text, 'i'
 * integer), values as text. */
struct hot_query {
    const char *name;
    const char *sql;
    const char *types;
    const char *args[7];
    /* The index the plan must use (NULL: any that is not a full scan), as SQLite's plan
     * names it with the columns it searches ("name (a=? AND b>?)"); PostgreSQL's plan must
     * name the index (its first word). For a query where another index, walked nearly
     * whole, looks better to a planner without statistics (an equality on a column most
     * rows share), or with statistics older than the rows (PostgreSQL, an index of statuses
     * full of dead entries). */
    const char *index;
};

/* Every statement a job pass or the dashboard runs on a large table, and those a use case
 * runs on many rows of one. */
static const struct hot_query *hot_queries(int *count)
{
    static struct hot_query q[] = {
        {"notices: subscriptions due",
         NULL,
         "ttti",
         {"2026-01-01", "2025-12-31", "sub_1", "128"},
         "subscriptions_notice_check (managed_in=? AND (notice_check_on,id)>(?,?)"},
        {"renewals: subscriptions due",
         NULL,
         "ttti",
         {"2026-01-01", "2025-12-31", "sub_1", "64"},
         "subscriptions_renew_check (managed_in=? AND (renew_check_on,id)>(?,?)"},
        {"dashboard: renewals due per day",
         NULL,
         "tt",
         {"2026-01-01", "2026-04-01"},
         "subscription_day_counts_day (expires_on>? AND expires_on<?)"},
        {"day_counts: days to fold", NULL, "i", {"1000"}, NULL},
        {"dashboard: revenue by month", NULL, "t", {"2025-02"}, NULL},
        {"wire_expiry: overdue orders", NULL, "t", {"2026-01-01"}, NULL},
        {"wire_expiry: invoice credited", NULL, "t", {"inv_1"}, NULL},
        {"cancellation: paying order", NULL, "t", {"sub_1"}, NULL},
        {"cancellation: orders awaiting payment",
         NULL,
         "t",
         {"sub_1"},
         "orders_subscription (subscription_id=? AND status=?)"},
        {"payment_recovery: orders in a status", NULL, "t", {"payment_unknown"}, NULL},
        {"vies_check: VAT numbers due", NULL, "ii", {"1767225600", "50"}, NULL},
        {"outbox_delivery: claim due emails",
         NULL,
         "tiiitii",
         {"c", "1", "1", "0", "", "50", "1"},
         "email_deliveries_due (status=? AND (next_attempt_at,id)>(?,?) AND next_attempt_at<?)"},
        {"outbox_delivery: claim stale emails",
         NULL,
         "tiiii",
         {"c", "1", "1", "50", "1"},
         "email_deliveries_stale (status=? AND claimed_at<?)"},
        {"outbox_delivery: claim due webhooks",
         NULL,
         "tiiitii",
         {"c", "1", "1", "0", "", "50", "1"},
         "webhook_deliveries_due (status=? AND (next_attempt_at,id)>(?,?) AND next_attempt_at<?)"},
        {"outbox_delivery: claim stale webhooks",
         NULL,
         "tiiii",
         {"c", "1", "1", "50", "1"},
         "webhook_deliveries_stale (status=? AND claimed_at<?)"},
        {"benefits: grants due", NULL, "ttti", {"2026-01-01", "2025-12-31", "ben_1", "256"}, NULL},
        {"benefits: terms to grant", NULL, "i", {"256"}, NULL},
        /* not a job's, but at every saved card and certified person */
        {"renewals: an organisation's check days set back",
         NULL,
         "ttt",
         {"ptn_1", "action-pack", "action-pack"},
         "subscriptions_partner_page"},
        /* not a job's alone: at every purchase and every renewal */
        {"eligibility: an organisation's open orders",
         NULL,
         "tttt",
         {"ptn_1", "action-pack", "renewal", "ord_1"},
         "orders_open"},
        /* at every offer tile */
        {"tiles: the open order's payment method",
         NULL,
         "ttt",
         {"ptn_1", "action-pack", "renewal"},
         "orders_open"},
        /* a page of renewals' tries (one id bound, the rest of the IN list NULL) */
        {"renewals: a page's tries", NULL, "t", {"sub_1"}, NULL},
        /* a batch of renewals' events (one bound, the other rows NULL) */
        {"renewals: a batch's emails", NULL, "iittt", {"1", "1", "evt_1", "eml_1-", "ptn_1"}, NULL},
        {"renewals: a batch's webhooks",
         NULL,
         "iitttt",
         {"1", "1", "evt_1", "whd_1-", "ptn_1", "subscription.renewed"},
         NULL},
    };
    const char *sql[] = {
        subs_sql_notice_due,         subs_sql_renew_due,
        day_counts_sql_due,          day_counts_sql_unfolded,
        invoices_sql_revenue,        orders_sql_overdue,
        invoices_sql_credited,       orders_sql_paying_term,
        orders_sql_awaiting_of,      orders_sql_in_status,
        vat_checks_sql_due,          outbox_sql_claim[0][0],
        outbox_sql_claim[0][1],      outbox_sql_claim[1][0],
        outbox_sql_claim[1][1],      grants_sql_due,
        grants_sql_terms_due,        subs_sql_recheck_renewals,
        orders_sql_count_open,       orders_sql_open_method,
        renewal_sql_tries_many,      email_deliveries_sql_many,
        webhook_deliveries_sql_many,
    };
    for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++)
        q[i].sql = sql[i];
    *count = (int)(sizeof(q) / sizeof(q[0]));
    return q;
}

/* Tables that stay small whatever the program's size (settings and the catalog; the
 * renewals due counted per day, a row per day and auto_renew once folded): a full scan of
 * one of them is fine. Any other full scan fails, so a table added later is checked
 * without being listed, and so is a table behind an alias (SQLite names the alias only). */
static const char *const small_tables[] = {
    "settings",
    "counters",
    "offers",
    "offer_texts",
    "offer_prices",
    "offer_benefits",
    "benefit_rules",
    "key_pools",
    "schema_migrations",
    "subscription_day_counts",
    NULL,
};

static bool is_small(const char *name, size_t len)
{
    for (int i = 0; small_tables[i]; i++)
        if (strlen(small_tables[i]) == len && !strncmp(small_tables[i], name, len))
            return true;
    return false;
}

/* The table (or alias) after mark in line when it is not a small one, copied to table. */
static bool grows(const char *p, char *table, size_t n)
{
    size_t len = strcspn(p, " ");
    if (*p == '(' || !strncmp(p, "CONSTANT ROW", 12) || is_small(p, len))
        return false;
    if (p[len] == ' ' && !strncmp(p + len + 1, "CONSTANT ROWS", 13)) /* "16 CONSTANT ROWS" */
        return false;
    snprintf(table, n, "%.*s", (int)len, p);
    return true;
}

/* Whether line i of a plan is a full scan of a table that grows (subqueries and constant rows
 * aside); the table (or alias) is copied to table. On PostgreSQL an index scan without an
 * Index Cond among its details walks the whole index: the plan enable_seqscan = off leaves
 * when no index serves the condition but one gives the order. */
static bool full_scan(bool pg, char *const *lines, int count, int i, char *table, size_t n)
{
    const char *line = lines[i], *p;
    if (!pg) {
        if (strncmp(line, "SCAN ", 5) || !grows(line + 5, table, n))
            return false;
        /* a subquery materialized (a list of VALUES), walked: its own steps are checked */
        for (int j = 0; j < count; j++)
            if (!strncmp(lines[j], "MATERIALIZE ", 12) && !strcmp(lines[j] + 12, table))
                return false;
        return true;
    }
    if ((p = strstr(line, "Seq Scan on ")) != NULL)
        return grows(p + strlen("Seq Scan on "), table, n);
    if (strstr(line, "Index Scan") == NULL && strstr(line, "Index Only Scan") == NULL)
        return false;
    if ((p = strstr(line, " on ")) == NULL || !grows(p + 4, table, n))
        return false;
    /* its details run up to the next node ("->") */
    for (int j = i + 1; j < count && strncmp(lines[j] + strspn(lines[j], " "), "->", 2); j++)
        if (strstr(lines[j], "Index Cond:"))
            return false;
    return true;
}

/* Explains q with its sample values; appends the plan to plan (one step a line) and returns
 * the number of full scans of big tables in it. */
static int explain(struct db *db, const struct hot_query *q, char *plan, size_t n)
{
    bool pg = db_kind(db) == DB_POSTGRES;
    char sql[4096];
    struct db_stmt *st;
    snprintf(sql, sizeof(sql), "%s%s", pg ? "EXPLAIN " : "EXPLAIN QUERY PLAN ", q->sql);
    if (db_prepare(db, sql, &st) < 0)
        fail_msg("%s: %s", q->name, db_errmsg(db));
    for (int i = 0; q->types[i]; i++) {
        if (q->types[i] == 'i')
            assert_int_equal(db_bind_int64(st, i + 1, strtoll(q->args[i], NULL, 10)), 0);
        else
            assert_int_equal(db_bind_text(st, i + 1, q->args[i]), 0);
    }
    int scans = 0, rc, count = 0;
    char *lines[128];
    plan[0] = '\0';
    while ((rc = db_step(st)) == DB_ROW && count < 128) {
        /* SQLite: id, parent, notused, detail; PostgreSQL: one line of text */
        const char *line = db_column_text(st, pg ? 0 : 3);
        lines[count++] = strdup(line ? line : "");
    }
    db_finalize(st);
    for (int i = 0; i < count; i++) {
        char table[64];
        size_t used = strlen(plan);
        snprintf(plan + used, n - used, "    %s\n", lines[i]);
        scans += full_scan(pg, lines, count, i, table, sizeof(table));
    }
    for (int i = 0; i < count; i++)
        free(lines[i]);
    if (rc < 0)
        fail_msg("%s: %s", q->name, db_errmsg(db));
    return scans;
}

/* Whether plan uses index (struct hot_query's index). */
static bool uses_index(struct db *db, const char *plan, const char *index)
{
    if (db_kind(db) != DB_POSTGRES)
        return strstr(plan, index) != NULL;
    char name[128];
    snprintf(name, sizeof(name), "%.*s", (int)strcspn(index, " "), index);
    return strstr(plan, name) != NULL;
}

static void test_hot_queries_use_an_index(void **state)
{
    struct db_fixture *f = *state;
    int count = 0, failed = 0;
    const struct hot_query *q = hot_queries(&count);
    for (int i = 0; i < count; i++) {
        char plan[4096];
        int scans = explain(f->db, &q[i], plan, sizeof(plan));
        if (getenv("PLANS_VERBOSE"))
            printf("%s:\n%s", q[i].name, plan);
        if (scans > 0) {
            printf("full scan in \"%s\":\n%s", q[i].name, plan);
            failed++;
        }
        if (q[i].index && !uses_index(f->db, plan, q[i].index)) {
            printf("\"%s\" does not use %s:\n%s", q[i].name, q[i].index, plan);
            failed++;
        }
    }
    assert_int_equal(failed, 0);
}

/* The check can fail: a lookup by a column no index holds is reported, on both engines. */
static void test_a_scan_is_reported(void **state)
{
    struct db_fixture *f = *state;
    char plan[4096];
    struct hot_query q = {
        "unindexed lookup", "SELECT id FROM invoices WHERE lang = ?", "t", {"fr"}, NULL};
    assert_int_equal(explain(f->db, &q, plan, sizeof(plan)), 1);
    struct hot_query joined = {"unindexed join",
                               "SELECT o.id FROM orders o JOIN payments p ON p.order_id = o.id "
                               "WHERE p.currency = ?",
                               "t",
                               {"EUR"},
                               NULL};
    int scans = explain(f->db, &joined, plan, sizeof(plan));
    if (scans < 1)
        printf("not reported:\n%s", plan);
    assert_true(scans >= 1);
}

/* A claim of deliveries reads only the rows it takes, however many wait: the subquery takes
 * them in its order from an index (no sort of every row due at the same second), and the
 * UPDATE finds each by its id (not every pending row of a status index, which a backlog of
 * 640 000 made of every claim of 50). */
static void test_claims_read_what_they_take(void **state)
{
    struct db_fixture *f = *state;
    bool pg = db_kind(f->db) == DB_POSTGRES;
    int count = 0;
    const struct hot_query *q = hot_queries(&count);
    for (int i = 0; i < count; i++) {
        char plan[4096];
        if (strncmp(q[i].name, "outbox_delivery: claim", 22) != 0)
            continue;
        explain(f->db, &q[i], plan, sizeof(plan));
        bool sorted = strstr(plan, pg ? "Sort" : "TEMP B-TREE") != NULL;
        bool by_id = strstr(plan, pg ? "_pkey on" : "_1 (id=?)") != NULL;
        if (sorted || !by_id)
            fail_msg("%s: %s%s\n%s", q[i].name, sorted ? "sorts its rows " : "",
                     by_id ? "" : "does not find its rows by id", plan);
    }
}

/* The claim indexes hold only the rows a claim can take (migration 029): a delivery sent or
 * failed, nearly every row at L, is in neither. Their definitions say so on both engines;
 * an index of every row would still give the plans above. */
static void test_claim_indexes_hold_only_what_is_claimed(void **state)
{
    struct db_fixture *f = *state;
    bool pg = db_kind(f->db) == DB_POSTGRES;
    static const char *const want[][2] = {
        {"email_deliveries_due", "pending"},
        {"email_deliveries_stale", "sending"},
        {"webhook_deliveries_due", "pending"},
        {"webhook_deliveries_stale", "sending"},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        struct db_stmt *st;
        assert_int_equal(db_query(f->db, &st,
                                  pg ? "SELECT indexdef FROM pg_indexes WHERE schemaname = "
                                       "current_schema() AND indexname = ?"
                                     : "SELECT sql FROM sqlite_master WHERE name = ?",
                                  "t", want[i][0]),
                         0);
        assert_int_equal(db_step(st), DB_ROW);
        char where[64];
        snprintf(where, sizeof(where), pg ? "WHERE (status = '%s'::text)" : "WHERE status = '%s'",
                 want[i][1]);
        const char *def = db_column_text(st, 0);
        if (strstr(def, where) == NULL)
            fail_msg("%s holds more than its %s rows:\n    %s", want[i][0], want[i][1], def);
        db_finalize(st);
    }
}

/* PostgreSQL leaves out of an index's search the terms of a query that the index's WHERE
 * implies, so a partial index that leads with a column its WHERE fixes ("WHERE ... AND
 * (managed_in = 'partner_center')" over (managed_in, day, id)) is searched by nothing and
 * read whole, while its plan still shows an Index Cond (migration 026). SQLite needs that
 * column first (migration 024), so the check runs in the PostgreSQL group alone. */
static void test_no_partial_index_leads_with_a_fixed_column(void **state)
{
    struct db_fixture *f = *state;
    struct db_stmt *st;
    int checked = 0, bad = 0;
    assert_int_equal(db_query(f->db, &st,
                              "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = "
                              "current_schema() AND indexdef LIKE '% WHERE %'",
                              ""),
                     0);
    while (db_step(st) == DB_ROW) {
        const char *name = db_column_text(st, 0), *def = db_column_text(st, 1);
        const char *cols = strstr(def, " USING btree (");
        const char *where = strstr(def, " WHERE ");
        if (cols == NULL || where == NULL)
            continue;
        cols += strlen(" USING btree (");
        char fixed[96];
        snprintf(fixed, sizeof(fixed), "(%.*s = ", (int)strcspn(cols, ",)"), cols);
        checked++;
        if (strstr(where, fixed) != NULL) {
            printf("%s leads with a column its WHERE fixes:\n    %s\n", name, def);
            bad++;
        }
    }
    db_finalize(st);
    assert_true(checked > 0);
    assert_int_equal(bad, 0);
}

/* PostgreSQL's group: seq scans priced out (see the comment at the top). */
static int setup_pg(void **state)
{
    int rc = db_fixture_pg(state);
    return rc < 0 ? rc : db_exec(((struct db_fixture *)*state)->db, "SET enable_seqscan = off");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hot_queries_use_an_index),
        cmocka_unit_test(test_a_scan_is_reported),
        cmocka_unit_test(test_claims_read_what_they_take),
        cmocka_unit_test(test_claim_indexes_hold_only_what_is_claimed),
    };
    const struct CMUnitTest pg_tests[] = {
        cmocka_unit_test(test_hot_queries_use_an_index),
        cmocka_unit_test(test_a_scan_is_reported),
        cmocka_unit_test(test_claims_read_what_they_take),
        cmocka_unit_test(test_claim_indexes_hold_only_what_is_claimed),
        cmocka_unit_test(test_no_partial_index_leads_with_a_fixed_column),
    };
    int failed = _cmocka_run_group_tests("plans_sqlite", tests, sizeof(tests) / sizeof(tests[0]),
                                         db_fixture_sqlite, db_fixture_teardown);
    if (db_fixture_pg_url("plans_postgresql"))
        failed += _cmocka_run_group_tests("plans_postgresql", pg_tests,
                                          sizeof(pg_tests) / sizeof(pg_tests[0]), setup_pg,
                                          db_fixture_teardown);
    return failed;
}
