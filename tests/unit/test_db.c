/*
 * test_db.c - the database API, on SQLite and, when PARTNERD_TEST_PG holds a
 * postgresql:// URL of a throwaway database, on PostgreSQL with the very same tests.
 * Several connections at once (writers, lockers, migrators): test_db_concurrency.c.
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

#include "core/clock.h"
#include "db/db.h"
#include "db/db_internal.h"
#include "db/sqlite_queue.h"
#include "db_fixture.h"

static void test_bad_urls_are_refused(void **state)
{
    (void)state;
    struct db *db;
    struct pd_error err = {0};
    assert_int_equal(db_open("mysql://x", &db, &err), PD_E_INVALID_REQUEST);
    assert_int_equal(db_open("sqlite:", &db, &err), PD_E_INVALID_REQUEST);
    assert_int_equal(db_open("sqlite:/nonexistent-dir/x/y.db", &db, &err), PD_E_DB);
    assert_non_null(strstr(err.message, "cannot open"));
    assert_int_equal(db_open("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", &db, &err),
                     PD_E_DB);
    assert_null(strstr(err.message, "secret"));
}

static void test_migrations_apply_once(void **state)
{
    struct db_fixture *f = *state;
    struct pd_error err = {0};
    int v = -1;
    struct db *db = db_fixture_open(f);
    assert_int_equal(db_schema_version(db, &v), 0);
    assert_int_equal(v, db_schema_latest());
    assert_int_equal(db_fixture_scalar(db, "SELECT COUNT(*) FROM schema_migrations"),
                     db_migrations_count);
    assert_int_equal(db_migrate(db, &err), 0); /* second run: nothing to do */
    assert_int_equal(db_fixture_scalar(db, "SELECT COUNT(*) FROM schema_migrations"),
                     db_migrations_count);
    db_close(db);
}

static void test_newer_database_is_refused(void **state)
{
    struct db_fixture *f = *state;
    struct pd_error err = {0};
    struct db *db = db_fixture_open(f);
    struct db_stmt *st;
    assert_int_equal(db_prepare(db, "INSERT INTO schema_migrations VALUES (?, 'future', 0)", &st),
                     0);
    db_bind_int64(st, 1, db_schema_latest() + 1);
    assert_int_equal(db_step(st), DB_DONE);
    db_finalize(st);
    assert_int_equal(db_migrate(db, &err), PD_E_SCHEMA_TOO_NEW);
    assert_non_null(strstr(err.message, "newer partnerd"));
    db_close(db);
}

static void test_binds_and_columns(void **state)
{
    struct db *db = db_fixture_open(*state);
    struct db_stmt *st;
    /* a '?' inside a literal is not a parameter */
    assert_int_equal(db_prepare(db, "SELECT '?', ?, ?, ?, ?", &st), 0);
    db_bind_int64(st, 1, INT64_MAX);
    db_bind_int64(st, 2, INT64_MIN);
    db_bind_text(st, 3, "Compétence « Gold » 'quoted' ?");
    db_bind_null(st, 4);
    assert_int_equal(db_step(st), DB_ROW);
    assert_string_equal(db_column_text(st, 0), "?");
    assert_true(db_column_int64(st, 1) == INT64_MAX);
    assert_true(db_column_int64(st, 2) == INT64_MIN);
    assert_string_equal(db_column_text(st, 3), "Compétence « Gold » 'quoted' ?");
    assert_true(db_column_is_null(st, 4));
    assert_null(db_column_text(st, 4));
    assert_int_equal(db_step(st), DB_DONE);
    /* reset and run again with other values */
    assert_int_equal(db_reset(st), 0);
    db_bind_int64(st, 1, 7);
    db_bind_int64(st, 2, -7);
    db_bind_text(st, 3, "");
    db_bind_text(st, 4, NULL);
    assert_int_equal(db_step(st), DB_ROW);
    assert_int_equal(db_column_int64(st, 1), 7);
    assert_string_equal(db_column_text(st, 3), "");
    assert_true(db_column_is_null(st, 4));
    db_finalize(st);
    db_close(db);
}

/* A statement of DB_MAX_PARAMS parameters runs on both engines (a term's benefit grants are
 * inserted in one), bound and bound again. */
static void test_most_parameters(void **state)
{
    struct db *db = db_fixture_open(*state);
    struct db_stmt *st;
    char *sql = malloc(8 + 4 * DB_MAX_PARAMS);
    size_t o = (size_t)sprintf(sql, "SELECT ?");
    for (int i = 1; i < DB_MAX_PARAMS; i++)
        o += (size_t)sprintf(sql + o, ", ?");
    assert_int_equal(db_prepare(db, sql, &st), 0);
    for (int round = 1; round <= 2; round++) {
        for (int i = 1; i <= DB_MAX_PARAMS; i++)
            assert_int_equal(db_bind_int64(st, i, (int64_t)i * round), 0);
        assert_int_equal(db_step(st), DB_ROW);
        for (int i = 1; i <= DB_MAX_PARAMS; i++)
            assert_true(db_column_int64(st, i - 1) == (int64_t)i * round);
        assert_int_equal(db_reset(st), 0);
    }
    db_finalize(st);
    free(sql);
    db_close(db);
}

static void test_constraints_and_foreign_keys(void **state)
{
    struct db *db = db_fixture_open(*state);
    assert_int_equal(db_exec(db, "INSERT INTO counters (name, value) VALUES ('a', 1)"), 0);
    assert_int_equal(db_exec(db, "INSERT INTO counters (name, value) VALUES ('a', 2)"),
                     PD_E_DB_CONSTRAINT);
    /* a user of a partner that does not exist */
    assert_int_equal(db_exec(db, "INSERT INTO users (id, kind, partner_id, email, name, locale, "
                                 "created_at) VALUES ('usr_x', 'partner', 'ptn_missing', "
                                 "'a@b.example', 'A', 'fr', 0)"),
                     PD_E_DB_CONSTRAINT);
    /* STRICT on SQLite, types on PostgreSQL: text in an integer column is refused */
    assert_true(db_exec(db, "INSERT INTO counters (name, value) VALUES ('b', 'many')") < 0);
    db_close(db);
}

static void test_transactions_and_changes(void **state)
{
    struct db_fixture *f = *state;
    struct db *a = db_fixture_open(f), *b = db_fixture_open(f);
    struct db_stmt *st;

    assert_int_equal(db_begin(a), 0);
    assert_int_equal(db_exec(a, "INSERT INTO counters (name, value) VALUES ('x', 1)"), 0);
    assert_int_equal(db_rollback(a), 0);
    /* (the counters the migrations keep, 'partners' say, are left out) */
    assert_int_equal(db_fixture_scalar(b, "SELECT COUNT(*) FROM counters WHERE name IN ('x', 'y')"),
                     0);

    assert_int_equal(db_begin(a), 0);
    assert_int_equal(db_exec(a, "INSERT INTO counters (name, value) VALUES ('x', 1), ('y', 1)"), 0);
    assert_int_equal(db_commit(a), 0);
    assert_int_equal(db_fixture_scalar(b, "SELECT COUNT(*) FROM counters WHERE name IN ('x', 'y')"),
                     2);

    assert_int_equal(db_prepare(b, "UPDATE counters SET value = value + ? WHERE value = 1", &st),
                     0);
    db_bind_int64(st, 1, 41);
    assert_int_equal(db_step(st), DB_DONE);
    assert_int_equal(db_changes(st), 2);
    db_finalize(st);
    assert_int_equal(
        db_fixture_scalar(a, "SELECT SUM(value) FROM counters WHERE name IN ('x', 'y')"), 84);

    /* a statement refused inside a transaction: SQLite undoes that statement alone, and the
     * commit keeps the rest; PostgreSQL has aborted the whole transaction, and its commit
     * must say that nothing was written (it answers COMMIT with ROLLBACK) */
    assert_int_equal(db_begin(a), 0);
    assert_int_equal(db_exec(a, "INSERT INTO counters (name, value) VALUES ('z', 1)"), 0);
    assert_int_equal(db_exec(a, "INSERT INTO counters (name, value) VALUES ('z', 2)"),
                     PD_E_DB_CONSTRAINT);
    bool pg = db_kind(a) == DB_POSTGRES;
    assert_int_equal(db_commit(a), pg ? PD_E_DB : 0);
    assert_int_equal(db_fixture_scalar(b, "SELECT COUNT(*) FROM counters WHERE name = 'z'"),
                     pg ? 0 : 1);
    /* and the connection goes on */
    assert_int_equal(db_begin(a), 0);
    assert_int_equal(db_exec(a, "INSERT INTO counters (name, value) VALUES ('w', 1)"), 0);
    assert_int_equal(db_commit(a), 0);
    assert_int_equal(db_fixture_scalar(b, "SELECT COUNT(*) FROM counters WHERE name = 'w'"), 1);
    db_close(a);
    db_close(b);
}

static void test_typed_helpers_refuse_mismatched_types(void **state)
{
    struct db *db = db_fixture_open(*state);
    int64_t v = -1;
    assert_int_equal(db_scalar(db, &v, "SELECT ? + ?", "ii", (int64_t)40, (int64_t)2), 0);
    assert_int_equal(v, 42);
    /* one type for two placeholders: refused before anything is read */
    assert_int_equal(db_scalar(db, &v, "SELECT ? + ?", "i", (int64_t)40), PD_E_INTERNAL);
    assert_int_equal(db_run(db, "INSERT INTO counters (name, value) VALUES (?, ?)", "tii", "a",
                            (int64_t)1, (int64_t)2),
                     PD_E_INTERNAL);
    assert_int_equal(
        db_run(db, "INSERT INTO counters (name, value) VALUES ('?', ?)", "i", (int64_t)1), 1);
    db_close(db);
}

/* The same statement prepared again (kept and reused on SQLite) starts with no rows read
 * and no value bound; two of it at once are two statements; far more statements than any
 * cache holds all still run. */
static void test_statements_again_and_again(void **state)
{
    struct db *db = db_fixture_open(*state);
    struct db_stmt *a, *b;
    assert_int_equal(db_prepare(db, "SELECT ? + 1", &a), 0);
    db_bind_int64(a, 1, 41);
    assert_int_equal(db_step(a), DB_ROW);
    assert_int_equal(db_prepare(db, "SELECT ? + 1", &b), 0); /* while a is open */
    assert_ptr_not_equal(a, b);
    db_bind_int64(b, 1, 1);
    assert_int_equal(db_step(b), DB_ROW);
    assert_int_equal(db_column_int64(b, 0), 2);
    assert_int_equal(db_column_int64(a, 0), 42);
    db_finalize(a); /* left with a row unread */
    db_finalize(b);
    assert_int_equal(db_prepare(db, "SELECT ? + 1", &a), 0);
    assert_int_equal(db_step(a), DB_ROW);
    assert_true(db_column_is_null(a, 0)); /* NULL + 1: the old binding is gone */
    db_finalize(a);
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 200; i++) {
            char sql[64];
            snprintf(sql, sizeof(sql), "SELECT %d", i);
            assert_int_equal(db_fixture_scalar(db, sql), i);
        }
    /* a statement that failed goes back clean too */
    assert_int_equal(
        db_prepare(db, "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)", &a), 0);
    db_bind_text(a, 1, "x.cached");
    db_bind_text(a, 2, "1");
    db_bind_int64(a, 3, 0);
    assert_int_equal(db_step(a), DB_DONE);
    db_finalize(a);
    assert_int_equal(
        db_prepare(db, "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)", &a), 0);
    db_bind_text(a, 1, "x.cached");
    db_bind_text(a, 2, "2");
    db_bind_int64(a, 3, 0);
    assert_int_equal(db_step(a), PD_E_DB_CONSTRAINT);
    db_finalize(a);
    assert_int_equal(db_fixture_scalar(db, "SELECT COUNT(*) FROM settings WHERE key = 'x.cached'"),
                     1);
    db_close(db);
}

/* db_write(): a write nothing reads before the commit. On PostgreSQL it is sent without
 * waiting for its answer; the transaction's next statement or its COMMIT reads the answers,
 * and a failed write fails that statement and loses the whole transaction. */
static void test_writes_not_waited_for(void **state)
{
    struct db_fixture *f = *state;
    struct db *a = db_fixture_open(f), *b = db_fixture_open(f);
    bool pg = db_kind(a) == DB_POSTGRES;
    const char *put = "INSERT INTO counters (name, value) VALUES (?, ?)";
    struct db_cache_stats before, after;

    /* outside a transaction it runs at once, and says how it went */
    assert_int_equal(db_write(a, put, "ti", "w0", (int64_t)1), 0);
    assert_int_equal(db_write(a, put, "ti", "w0", (int64_t)2), PD_E_DB_CONSTRAINT);

    /* many in a row, read by the transaction's next statement, kept by its commit */
    db_cache_stats(a, &before);
    assert_int_equal(db_begin(a), 0);
    for (int i = 1; i <= 300; i++) {
        char name[16];
        snprintf(name, sizeof(name), "w%d", i);
        assert_int_equal(db_write(a, put, "ti", name, (int64_t)i), 0);
    }
    assert_int_equal(db_fixture_scalar(a, "SELECT SUM(value) FROM counters WHERE name LIKE 'w%'"),
                     1 + 300 * 301 / 2);
    assert_int_equal(db_write(a, "UPDATE counters SET value = value + 1 WHERE name = ?", "t", "w1"),
                     0);
    assert_int_equal(db_commit(a), 0); /* behind the last write */
    db_cache_stats(a, &after);
    /* put was prepared before: all 300 went as runs of it; the SUM and the UPDATE are new */
    assert_int_equal(after.prepares - before.prepares, pg ? 2 : 0);
    assert_true(after.reuses - before.reuses >= (pg ? 300 : 0));
    assert_int_equal(db_fixture_scalar(b, "SELECT SUM(value) FROM counters WHERE name LIKE 'w%'"),
                     1 + 300 * 301 / 2 + 1);

    /* a write that fails: on PostgreSQL the next statement fails with its error text, as
     * PD_E_DB (the broken key is the write's, not the statement's), and the commit says
     * nothing was written, the writes before it included */
    assert_int_equal(db_begin(a), 0);
    assert_int_equal(db_write(a, put, "ti", "x1", (int64_t)1), 0);
    int rc = db_write(a, put, "ti", "w5", (int64_t)1); /* w5 exists */
    assert_int_equal(rc, pg ? 0 : PD_E_DB_CONSTRAINT);
    int64_t v = -1;
    rc = db_scalar(a, &v, "SELECT COUNT(*) FROM counters WHERE name = ?", "t", "x1");
    if (pg) {
        assert_int_equal(rc, PD_E_DB);
        assert_non_null(strstr(db_errmsg(a), "counters"));
        assert_int_equal(db_commit(a), PD_E_DB);
    } else { /* SQLite undid that statement alone (test_transactions_and_changes) */
        assert_int_equal(rc, 0);
        assert_int_equal(v, 1);
        assert_int_equal(db_rollback(a), 0);
    }
    assert_int_equal(db_fixture_scalar(b, "SELECT COUNT(*) FROM counters WHERE name = 'x1'"), 0);

    /* a write that fails just before the commit: the commit fails, nothing is written */
    assert_int_equal(db_begin(a), 0);
    assert_int_equal(db_write(a, put, "ti", "x2", (int64_t)1), 0);
    rc = db_write(a, put, "ti", "w6", (int64_t)1);
    if (pg) {
        assert_int_equal(rc, 0);
        assert_int_equal(db_commit(a), PD_E_DB);
        assert_int_equal(db_fixture_scalar(b, "SELECT COUNT(*) FROM counters WHERE name = 'x2'"),
                         0);
    } else {
        assert_int_equal(rc, PD_E_DB_CONSTRAINT);
        assert_int_equal(db_rollback(a), 0);
    }
    /* a write that fails, then a write of a statement new to the connection (which reads
     * the answers first) and a rollback: the first fails with the write's error, the
     * rollback does not */
    assert_int_equal(db_begin(a), 0);
    assert_int_equal(db_write(a, put, "ti", "x5", (int64_t)1), 0);
    assert_int_equal(db_write(a, put, "ti", "w7", (int64_t)1), pg ? 0 : PD_E_DB_CONSTRAINT);
    rc = db_write(a, "INSERT INTO counters (name, value) VALUES (?, 9)", "t", "x6");
    assert_int_equal(rc, pg ? PD_E_DB : 0);
    assert_int_equal(db_rollback(a), 0);
    assert_int_equal(
        db_fixture_scalar(b, "SELECT COUNT(*) FROM counters WHERE name IN ('x5', 'x6')"), 0);
    /* a rollback behind writes, then the connection goes on */
    assert_int_equal(db_begin(a), 0);
    assert_int_equal(db_write(a, put, "ti", "x3", (int64_t)1), 0);
    assert_int_equal(db_rollback(a), 0);
    assert_int_equal(db_begin(a), 0);
    assert_int_equal(db_write(a, put, "ti", "x4", (int64_t)1), 0);
    assert_int_equal(db_exec(a, "UPDATE counters SET value = 7 WHERE name = 'x4'"), 0);
    assert_int_equal(db_commit(a), 0);
    assert_int_equal(db_fixture_scalar(b, "SELECT COUNT(*) FROM counters WHERE name = 'x3'"), 0);
    assert_int_equal(db_fixture_scalar(b, "SELECT SUM(value) FROM counters WHERE name = 'x4'"), 7);
    db_close(a);
    db_close(b);
}

/* db_text(): the first row's text, cut to fit; "" and 0 without a row; a failure is its own. */
static void test_text_of_a_first_row(void **state)
{
    struct db *db = db_fixture_open(*state);
    char out[8] = "junk";
    assert_int_equal(db_exec(db, "INSERT INTO settings (key, value, updated_at) VALUES ('a', "
                                 "'alpha', 0), ('b', 'a longer value', 0)"),
                     0);
    assert_int_equal(
        db_text(db, out, sizeof(out), "SELECT value FROM settings WHERE key = ?", "t", "a"), 1);
    assert_string_equal(out, "alpha");
    assert_int_equal(
        db_text(db, out, sizeof(out), "SELECT value FROM settings WHERE key = ?", "t", "b"), 1);
    assert_string_equal(out, "a longe"); /* cut to the 8 bytes given */
    assert_int_equal(
        db_text(db, out, sizeof(out), "SELECT value FROM settings WHERE key = ?", "t", "none"), 0);
    assert_string_equal(out, "");
    assert_int_equal(db_text(db, out, sizeof(out), "SELECT NULL", ""), 1); /* NULL reads "" */
    assert_string_equal(out, "");
    assert_true(db_text(db, out, sizeof(out), "SELECT nope FROM settings", "") < 0);
    db_close(db);
}

static void test_ping(void **state)
{
    struct db *db = db_fixture_open(*state);
    assert_int_equal(db_ping(db), 0);
    db_close(db);
}

/* The health probe: writable, and on SQLite not while another writer holds the lock
 * longer than the probe waits; free space known where the file is ours to see. */
static void test_health(void **state)
{
    struct db *db = db_fixture_open(*state), *other = db_fixture_open(*state);
    struct db_health h;
    assert_int_equal(db_health(db, 200, &h), 0);
    assert_true(h.writable);
    assert_false(h.read_only);
    if (db_kind(db) == DB_SQLITE)
        assert_true(h.free_bytes > 0);
    else
        assert_true(h.free_bytes == -1);
    assert_int_equal(db_begin(other), 0);
    assert_true(db_run(other, "INSERT INTO settings (key, value, updated_at) VALUES ('k', 'v', 0)",
                       "") == 1);
    assert_int_equal(db_health(db, 100, &h), 0);
    assert_int_equal(h.writable,
                     db_kind(db) != DB_SQLITE); /* PostgreSQL locks rows, not the base */
    assert_int_equal(db_commit(other), 0);
    assert_int_equal(db_health(db, 100, &h), 0);
    assert_true(h.writable);
    assert_int_equal(db_ping(db), 0); /* the probe left no transaction open */
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(db_rollback(db), 0);
    db_close(other);
    db_close(db);
}

/* The text of the first column of sql's first row, into out. */
static void text_of(struct db *db, const char *sql, char *out, size_t n)
{
    struct db_stmt *st;
    assert_int_equal(db_prepare(db, sql, &st), 0);
    assert_int_equal(db_step(st), DB_ROW);
    snprintf(out, n, "%s", db_column_text(st, 0));
    db_finalize(st);
}

/* Between db_defer_sync() and db_sync() commits do not wait for the disk: on SQLite none is
 * synced until db_sync(), which makes one sync for them all; on PostgreSQL every commit
 * still waits for its flush (synchronous_commit stays on). Nothing is lost, and afterwards
 * commits wait again. */
static void test_deferred_sync(void **state)
{
    struct db_fixture *f = *state;
    struct db *db = db_fixture_open(f);
    struct writer_queue *q = f->path[0] ? queue_acquire(f->path) : NULL; /* db's, shared */
    uint64_t commits0 = 0, syncs0 = 0, commits = 0, syncs = 0;
    char setting[16], before[16] = "";
    if (q)
        queue_counts(q, &commits0, &syncs0);
    else
        text_of(db, "SHOW synchronous_commit", before, sizeof(before));
    db_defer_sync(db);
    if (q == NULL) { /* the cluster's own setting, untouched */
        text_of(db, "SHOW synchronous_commit", setting, sizeof(setting));
        assert_string_equal(setting, before);
    }
    for (int i = 0; i < 20; i++)
        assert_true(db_run(db, "INSERT INTO settings (key, value, updated_at) VALUES (?, 'v', 0)",
                           "i", (int64_t)i) == 1);
    if (q) {
        queue_counts(q, &commits, &syncs);
        assert_int_equal(commits, commits0 + 20);
        assert_int_equal(syncs, syncs0); /* none waited for */
    }
    assert_int_equal(db_sync(db), 0);
    if (q) {
        queue_counts(q, &commits, &syncs);
        assert_int_equal(syncs, syncs0 + 1); /* one for the twenty */
    } else {
        text_of(db, "SHOW synchronous_commit", setting, sizeof(setting));
        assert_string_equal(setting, before);
    }
    assert_int_equal(db_fixture_scalar(db, "SELECT COUNT(*) FROM settings WHERE value = 'v'"), 20);
    /* writes (db_write) meanwhile: on PostgreSQL each a transaction of its own, sent without
     * waiting; one that fails fails no other statement, and db_sync() reports it */
    bool pg = q == NULL;
    const char *put = "INSERT INTO settings (key, value, updated_at) VALUES (?, 'w', 0)";
    db_defer_sync(db);
    for (int i = 100; i < 120; i++)
        assert_int_equal(db_write(db, put, "i", (int64_t)i), 0);
    assert_int_equal(db_write(db, put, "i", (int64_t)105), pg ? 0 : PD_E_DB_CONSTRAINT);
    for (int i = 120; i < 130; i++)
        assert_int_equal(db_write(db, put, "i", (int64_t)i), 0);
    assert_int_equal(db_fixture_scalar(db, "SELECT COUNT(*) FROM settings WHERE value = 'w'"), 30);
    assert_int_equal(db_write(db, put, "i", (int64_t)130), 0);
    if (pg) {
        assert_int_equal(db_sync(db), PD_E_DB_CONSTRAINT);
        assert_non_null(strstr(db_errmsg(db), "settings"));
    } else
        assert_int_equal(db_sync(db), 0);
    assert_int_equal(db_fixture_scalar(db, "SELECT COUNT(*) FROM settings WHERE value = 'w'"), 31);
    /* after it, a commit waits for its own sync again; a db_sync() with nothing deferred
     * makes none */
    assert_true(
        db_run(db, "INSERT INTO settings (key, value, updated_at) VALUES ('x', 'v', 0)", "") == 1);
    assert_int_equal(db_sync(db), 0);
    if (q) {
        queue_counts(q, &commits, &syncs);
        assert_int_equal(syncs, syncs0 + 3); /* the two groups', the last commit's */
        assert_null(queue_release(q));
    }
    db_close(db);
}

#define DB_TESTS                                                                                   \
    cmocka_unit_test_setup(test_migrations_apply_once, db_fixture_empty),                          \
        cmocka_unit_test_setup(test_newer_database_is_refused, db_fixture_empty),                  \
        cmocka_unit_test_setup(test_binds_and_columns, db_fixture_empty),                          \
        cmocka_unit_test_setup(test_most_parameters, db_fixture_empty),                            \
        cmocka_unit_test_setup(test_constraints_and_foreign_keys, db_fixture_empty),               \
        cmocka_unit_test_setup(test_transactions_and_changes, db_fixture_empty),                   \
        cmocka_unit_test_setup(test_typed_helpers_refuse_mismatched_types, db_fixture_empty),      \
        cmocka_unit_test_setup(test_statements_again_and_again, db_fixture_empty),                 \
        cmocka_unit_test_setup(test_writes_not_waited_for, db_fixture_empty),                      \
        cmocka_unit_test_setup(test_text_of_a_first_row, db_fixture_empty),                        \
        cmocka_unit_test_setup(test_ping, db_fixture_empty),                                       \
        cmocka_unit_test_setup(test_health, db_fixture_empty),                                     \
        cmocka_unit_test_setup(test_deferred_sync, db_fixture_empty)

int main(void)
{
    const struct CMUnitTest common[] = {cmocka_unit_test(test_bad_urls_are_refused)};
    const struct CMUnitTest tests[] = {DB_TESTS};
    int failed = cmocka_run_group_tests_name("db", common, NULL, NULL);
    failed += _cmocka_run_group_tests("db_sqlite", tests, sizeof(tests) / sizeof(tests[0]),
                                      db_fixture_sqlite, db_fixture_teardown);
    if (db_fixture_pg_url("db_postgresql"))
        failed += _cmocka_run_group_tests("db_postgresql", tests, sizeof(tests) / sizeof(tests[0]),
                                          db_fixture_pg, db_fixture_teardown);
    return failed;
}
