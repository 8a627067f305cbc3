/*
 * test_db_cache.c - statements prepared once per connection (and PostgreSQL's lazy BEGIN
 * and reconnection), on SQLite and, when PARTNERD_TEST_PG holds a postgresql:// URL of a
 * throwaway database, on PostgreSQL with the same tests plus those of a lost connection;
 * and SQLite's statement journals kept in memory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"
#include "db/db_internal.h"

struct fixture {
    char url[512];
    char path[256]; /* SQLite file, removed at teardown */
};

static void wipe(struct fixture *f)
{
    if (f->path[0]) {
        char side[300];
        unlink(f->path);
        snprintf(side, sizeof(side), "%s-wal", f->path);
        unlink(side);
        snprintf(side, sizeof(side), "%s-shm", f->path);
        unlink(side);
        return;
    }
    struct db *db;
    struct pd_error err = {0};
    assert_int_equal(db_open(f->url, &db, &err), 0);
    assert_int_equal(db_exec(db, "DROP SCHEMA IF EXISTS pd_cache_test CASCADE; "
                                 "CREATE SCHEMA pd_cache_test"),
                     0);
    db_close(db);
}

static int setup_sqlite(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    snprintf(f->path, sizeof(f->path), "/tmp/partnerd-test-db-cache-%d.sqlite", (int)getpid());
    snprintf(f->url, sizeof(f->url), "sqlite:%s", f->path);
    *state = f;
    return 0;
}

static int setup_pg(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    /* a schema of its own: test_db may run at the same time on the same database */
    const char *url = getenv("PARTNERD_TEST_PG");
    snprintf(f->url, sizeof(f->url), "%s%soptions=-csearch_path%%3Dpd_cache_test", url,
             strchr(url, '?') ? "&" : "?");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    wipe(*state);
    free(*state);
    return 0;
}

/* A fresh database with one table: items (id, label). */
static struct db *open_fresh(void **state)
{
    struct fixture *f = *state;
    struct db *db = NULL;
    struct pd_error err = {0};
    wipe(f);
    assert_int_equal(db_open(f->url, &db, &err), 0);
    assert_int_equal(db_exec(db, "CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT)"), 0);
    return db;
}

static struct db *open_again(void **state)
{
    struct db *db = NULL;
    struct pd_error err = {0};
    assert_int_equal(db_open(((struct fixture *)*state)->url, &db, &err), 0);
    return db;
}

/* Runs "SELECT ? + 1" with v: v + 1, or a negative status. */
static int64_t plus_one(struct db *db, int64_t v)
{
    int64_t out = 0;
    int rc = db_scalar(db, &out, "SELECT ? + 1", "i", v);
    return rc < 0 ? rc : out;
}

/* Statements this PostgreSQL session holds prepared, whose text contains marker. */
static int64_t server_statements(struct db *db, const char *marker)
{
    char like[128];
    int64_t n = -1;
    snprintf(like, sizeof(like), "%%%s%%", marker);
    assert_int_equal(db_scalar(db, &n,
                               "SELECT COUNT(*) FROM pg_prepared_statements WHERE statement LIKE ? "
                               "AND statement NOT LIKE '%pg_prepared_statements%'",
                               "t", like),
                     0);
    return n;
}

static void test_a_statement_is_prepared_once(void **state)
{
    struct db *db = open_fresh(state);
    struct db_cache_stats before, after;
    assert_int_equal(plus_one(db, 1), 2); /* prepared here */
    db_cache_stats(db, &before);
    for (int i = 0; i < 20; i++)
        assert_int_equal(plus_one(db, i), i + 1);
    db_cache_stats(db, &after);
    assert_int_equal(after.prepares, before.prepares);
    assert_int_equal(after.reuses - before.reuses, 20);
    assert_true(after.cached >= 1 && after.cached <= after.capacity);
    if (db_kind(db) == DB_POSTGRES)
        assert_int_equal(server_statements(db, "+ 1"), 1);
    /* the same text with other parameter types is another statement, each answering right */
    int64_t v = -1;
    assert_int_equal(db_scalar(db, &v, "SELECT COUNT(*) FROM items WHERE label = ? OR id = ?", "ti",
                               "x", (int64_t)3),
                     0);
    struct db_stmt *st;
    assert_int_equal(db_prepare(db, "SELECT COUNT(*) FROM items WHERE label = ? OR id = ?", &st),
                     0);
    db_bind_null(st, 1);
    db_bind_null(st, 2);
    assert_int_equal(db_step(st), DB_ROW);
    assert_int_equal(db_column_int64(st, 0), 0);
    db_finalize(st);
    db_close(db);
}

/* Two statements of one text open at once each answer their own rows. */
static void test_one_text_open_twice(void **state)
{
    struct db *db = open_fresh(state);
    struct db_stmt *a, *b;
    assert_int_equal(db_run(db, "INSERT INTO items (id, label) VALUES (1, 'one'), (2, 'two')", ""),
                     2);
    const char *sql = "SELECT label FROM items WHERE id = ?";
    assert_int_equal(db_query(db, &a, sql, "i", (int64_t)1), 0);
    assert_int_equal(db_query(db, &b, sql, "i", (int64_t)2), 0);
    assert_int_equal(db_step(a), DB_ROW);
    assert_int_equal(db_step(b), DB_ROW);
    assert_string_equal(db_column_text(a, 0), "one");
    assert_string_equal(db_column_text(b, 0), "two");
    db_finalize(a);
    db_finalize(b);
    db_close(db);
}

/* Texts of one length, and one buffer written with another text, are other statements: the
 * cache tells them apart by their whole text, not by where it is or how long. */
static void test_texts_alike_are_other_statements(void **state)
{
    struct db *db = open_fresh(state);
    assert_int_equal(db_run(db, "INSERT INTO items (id, label) VALUES (1, 'one'), (2, 'two')", ""),
                     2);
    char sql[64];
    const char *labels[] = {"one", "two", "one", "two"};
    for (int i = 0; i < 4; i++) {
        struct db_stmt *st;
        snprintf(sql, sizeof(sql), "SELECT label FROM items WHERE id = %d", 1 + i % 2);
        assert_int_equal(db_query(db, &st, sql, ""), 0);
        assert_int_equal(db_step(st), DB_ROW);
        assert_string_equal(db_column_text(st, 0), labels[i]);
        db_finalize(st);
    }
    struct db_cache_stats stats;
    db_cache_stats(db, &stats);
    assert_true(stats.reuses >= 2); /* each text prepared once, then found again */
    db_close(db);
}

static void test_the_cache_is_bounded(void **state)
{
    struct db *db = open_fresh(state);
    struct db_cache_stats s;
    db_cache_stats(db, &s);
    int n = s.capacity + 40;
    for (int i = 0; i < n; i++) {
        char sql[64];
        int64_t v = 0;
        snprintf(sql, sizeof(sql), "SELECT %d + ? /* bounded */", i);
        assert_int_equal(db_scalar(db, &v, sql, "i", (int64_t)1), 0);
        assert_int_equal(v, i + 1);
    }
    db_cache_stats(db, &s);
    assert_true(s.cached <= s.capacity);
    assert_true(s.evictions >= 40);
    if (db_kind(db) == DB_POSTGRES) /* evicted ones are closed on the server too */
        assert_true(server_statements(db, "bounded") <= s.capacity);
    /* an evicted statement is prepared again and answers */
    int64_t v = 0;
    assert_int_equal(db_scalar(db, &v, "SELECT 0 + ? /* bounded */", "i", (int64_t)5), 0);
    assert_int_equal(v, 5);
    db_close(db);
}

/* A statement that fails to prepare is not kept: it fails the same way again, and the
 * connection (and a transaction after it) still works. */
static void test_a_failed_prepare_is_not_kept(void **state)
{
    struct db *db = open_fresh(state);
    int64_t v;
    assert_int_equal(db_scalar(db, &v, "SELECT nope FROM items WHERE id = ?", "i", (int64_t)1),
                     PD_E_DB);
    assert_int_equal(db_scalar(db, &v, "SELECT nope FROM items WHERE id = ?", "i", (int64_t)1),
                     PD_E_DB);
    assert_non_null(strstr(db_errmsg(db), "nope")); /* the SQL's error, not a lost name */
    assert_null(strstr(db_errmsg(db), "prepared statement"));
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(db_run(db, "INSERT INTO items (id, label) VALUES (?, 'a')", "i", (int64_t)1),
                     1);
    assert_int_equal(db_commit(db), 0);
    assert_int_equal(plus_one(db, 41), 42);
    db_close(db);
}

/* BEGIN travels with the transaction's first statement: the transaction still holds
 * everything from that statement on, whether it is prepared, run again, or plain SQL. */
static void test_transactions_hold_their_statements(void **state)
{
    struct db *db = open_fresh(state), *other = open_again(state);
    int64_t n = -1;
    const char *insert = "INSERT INTO items (id, label) VALUES (?, ?)";
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(db_rollback(db), 0);     /* an empty transaction */
    for (int round = 0; round < 2; round++) { /* first prepared, then cached */
        assert_int_equal(db_begin(db), 0);
        assert_int_equal(db_run(db, insert, "it", (int64_t)(10 + round), "rolled back"), 1);
        assert_int_equal(db_exec(db, "INSERT INTO items (id, label) VALUES (99, 'plain')"), 0);
        assert_int_equal(db_rollback(db), 0);
        assert_int_equal(db_scalar(other, &n, "SELECT COUNT(*) FROM items", ""), 0);
        assert_int_equal(n, 0);
    }
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(db_exec(db, "INSERT INTO items (id, label) VALUES (98, 'plain first')"), 0);
    assert_int_equal(db_run(db, insert, "it", (int64_t)12, "kept"), 1);
    assert_int_equal(db_commit(db), 0);
    assert_int_equal(db_scalar(other, &n, "SELECT COUNT(*) FROM items", ""), 0);
    assert_int_equal(n, 2);
    /* after the transaction, statements commit on their own again */
    assert_int_equal(db_run(db, insert, "it", (int64_t)13, "autocommit"), 1);
    assert_int_equal(db_scalar(other, &n, "SELECT COUNT(*) FROM items", ""), 0);
    assert_int_equal(n, 3);
    db_close(other);
    db_close(db);
}

/* Connections of one process to one file take turns at transactions (on SQLite, each runs
 * on the file's one writer connection): each sees the other's commits and nothing before,
 * a failure keeps its own words past the rollback, and a connection closed in the middle of
 * its transaction leaves nothing of it and lets the next one write. */
static void test_connections_take_turns_at_transactions(void **state)
{
    struct db *a = open_fresh(state), *b = open_again(state);
    int64_t n = -1;
    const char *insert = "INSERT INTO items (id, label) VALUES (?, ?)";
    assert_int_equal(db_begin(a), 0);
    assert_int_equal(db_run(a, insert, "it", (int64_t)1, "a"), 1);
    assert_int_equal(db_scalar(b, &n, "SELECT COUNT(*) FROM items", ""), 0);
    assert_int_equal(n, 0);
    assert_int_equal(db_commit(a), 0);
    assert_int_equal(db_begin(b), 0);
    assert_int_equal(db_scalar(b, &n, "SELECT COUNT(*) FROM items", ""), 0);
    assert_int_equal(n, 1);
    assert_int_equal(db_run(b, insert, "it", (int64_t)2, "b"), 1);
    assert_int_equal(db_run(b, "UPDATE items SET label = 'both'", ""), 2);
    assert_int_equal(db_commit(b), 0);
    assert_int_equal(db_scalar(a, &n, "SELECT COUNT(*) FROM items WHERE label = 'both'", ""), 0);
    assert_int_equal(n, 2);
    /* a failure: its own words, still after the rollback */
    assert_int_equal(db_begin(a), 0);
    assert_int_equal(db_run(a, insert, "it", (int64_t)1, "again"), PD_E_DB_CONSTRAINT);
    assert_int_equal(db_rollback(a), 0);
    if (db_kind(a) == DB_SQLITE)
        assert_non_null(strstr(db_errmsg(a), "UNIQUE"));
    /* closed in the middle: undone, and the other writes at once */
    assert_int_equal(db_begin(a), 0);
    assert_int_equal(db_run(a, insert, "it", (int64_t)3, "left open"), 1);
    db_close(a);
    assert_int_equal(db_begin(b), 0);
    assert_int_equal(db_run(b, insert, "it", (int64_t)4, "b"), 1);
    assert_int_equal(db_commit(b), 0);
    assert_int_equal(db_scalar(b, &n, "SELECT COUNT(*) FROM items WHERE id IN (3, 4)", ""), 0);
    assert_int_equal(n, 1);
    assert_int_equal(db_scalar(b, &n, "SELECT id FROM items WHERE id IN (3, 4)", ""), 0);
    assert_int_equal(n, 4);
    db_close(b);
}

/* Another process changed the schema (a migration by a newer server): the statements this
 * connection cached still answer, with the new columns. */
static void test_a_schema_change_keeps_statements_working(void **state)
{
    struct db *db = open_fresh(state), *other = open_again(state);
    struct db_stmt *st;
    const char *sql = "SELECT * FROM items WHERE id = ?";
    assert_int_equal(db_run(db, "INSERT INTO items (id, label) VALUES (1, 'one')", ""), 1);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(db_query(db, &st, sql, "i", (int64_t)1), 0);
        assert_int_equal(db_step(st), DB_ROW);
        db_finalize(st);
    }
    assert_int_equal(db_exec(other, "ALTER TABLE items ADD COLUMN note TEXT"), 0);
    assert_int_equal(db_exec(other, "UPDATE items SET note = 'added'"), 0);
    assert_int_equal(db_query(db, &st, sql, "i", (int64_t)1), 0);
    assert_int_equal(db_step(st), DB_ROW);
    assert_string_equal(db_column_text(st, 1), "one");
    assert_string_equal(db_column_text(st, 2), "added");
    db_finalize(st);
    /* in a transaction, after another change: at worst that transaction fails, the
     * statement works again right after */
    assert_int_equal(db_exec(other, "ALTER TABLE items ADD COLUMN more TEXT DEFAULT 'm'"), 0);
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(db_query(db, &st, sql, "i", (int64_t)1), 0);
    int rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        assert_int_equal(db_rollback(db), 0);
    else
        assert_int_equal(db_commit(db), 0);
    assert_int_equal(db_query(db, &st, sql, "i", (int64_t)1), 0);
    assert_int_equal(db_step(st), DB_ROW);
    assert_string_equal(db_column_text(st, 3), "m");
    db_finalize(st);
    db_close(other);
    db_close(db);
}

/* The same for a write sent without waiting for its answer (db_write()): the transaction
 * it failed is lost, and the next one prepares it afresh. */
static void test_a_schema_change_under_a_write_not_waited_for(void **state)
{
    struct db *db = open_fresh(state), *other = open_again(state);
    const char *touch = "UPDATE items SET label = label WHERE id = ? RETURNING *";
    int64_t n;
    assert_int_equal(db_run(db, "INSERT INTO items (id, label) VALUES (1, 'one')", ""), 1);
    for (int round = 0; round < 3; round++) {
        if (round == 1)
            assert_int_equal(db_exec(other, "ALTER TABLE items ADD COLUMN later TEXT"), 0);
        assert_int_equal(db_begin(db), 0);
        /* the BEGIN goes with a first statement; the writes after it can wait */
        assert_int_equal(db_scalar(db, &n, "SELECT COUNT(*) FROM items", ""), 0);
        assert_int_equal(db_write(db, touch, "i", (int64_t)1), 0);
        int rc = db_write(db, "INSERT INTO items (id, label) VALUES (?, 'w')", "i",
                          (int64_t)(10 + round));
        rc = rc < 0 ? rc : db_commit(db);
        if (rc < 0) {
            db_rollback(db);
            assert_int_equal(round, 1); /* the round after the change, on PostgreSQL */
        }
    }
    assert_int_equal(db_scalar(db, &n, "SELECT COUNT(*) FROM items WHERE id IN (10, 12)", ""), 0);
    assert_int_equal(n, 2); /* the round after the failed one went through */
    db_close(other);
    db_close(db);
}

/* After this connection migrated the schema it forgets every statement (db_migrate()):
 * statements prepared since, in a transaction or not, keep answering. */
static void test_forgetting_every_statement(void **state)
{
    struct db *db = open_fresh(state);
    const char *insert = "INSERT INTO items (id, label) VALUES (?, 'x')";
    assert_int_equal(plus_one(db, 1), 2);
    if (db->ops->cache_forget)
        db->ops->cache_forget(db);
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(db_run(db, insert, "i", (int64_t)1), 1); /* prepared in the transaction */
    assert_int_equal(db_commit(db), 0);
    assert_int_equal(plus_one(db, 2), 3); /* the first statement outside one */
    assert_int_equal(db_run(db, insert, "i", (int64_t)2), 1);
    assert_int_equal(plus_one(db, 3), 4);
    int64_t n = 0;
    assert_int_equal(db_scalar(db, &n, "SELECT COUNT(*) FROM items", ""), 0);
    assert_int_equal(n, 2);
    if (db_kind(db) == DB_POSTGRES)
        assert_int_equal(server_statements(db, "+ 1"), 1);
    db_close(db);
}

/* Until pid's server process is gone. */
static void wait_gone(struct db *other, int64_t pid)
{
    int64_t v = 0;
    for (int i = 0; i < 50 && v == 0; i++) {
        assert_int_equal(db_scalar(other, &v,
                                   "SELECT (COUNT(*) = 0)::int FROM pg_stat_activity WHERE pid = ?",
                                   "i", pid),
                         0);
        if (v == 0)
            usleep(20000);
    }
    assert_int_equal(v, 1);
}

/* PostgreSQL: this connection's server process is killed (a restart, a failover, an
 * idle timeout). The statement that meets the lost connection fails; the next opens a
 * new connection and prepares its statements there, never naming a dead one. */
static void test_a_lost_connection_is_opened_again(void **state)
{
    struct db *db = open_fresh(state), *other = open_again(state);
    struct db_cache_stats s;
    int64_t pid = 0, killed = 0, v = 0;
    assert_int_equal(plus_one(db, 1), 2);
    assert_int_equal(db_scalar(db, &pid, "SELECT pg_backend_pid()", ""), 0);
    assert_int_equal(
        db_scalar(other, &killed, "SELECT pg_terminate_backend(?::int)::int", "i", pid), 0);
    assert_int_equal(killed, 1);
    wait_gone(other, pid);
    assert_true(plus_one(db, 1) < 0); /* met the lost connection */
    assert_int_equal(plus_one(db, 2), 3);
    int64_t now = 0;
    assert_int_equal(db_scalar(db, &now, "SELECT pg_backend_pid()", ""), 0);
    assert_true(now != pid);
    db_cache_stats(db, &s);
    assert_int_equal(s.reconnects, 1);
    assert_int_equal(server_statements(db, "+ 1"), 1);

    /* lost inside a transaction: the transaction fails, the next one works */
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(db_run(db, "INSERT INTO items (id, label) VALUES (1, 'lost')", ""), 1);
    assert_int_equal(
        db_scalar(other, &killed, "SELECT pg_terminate_backend(?::int)::int", "i", now), 0);
    wait_gone(other, now);
    assert_true(db_run(db, "INSERT INTO items (id, label) VALUES (2, 'lost')", "") < 0);
    assert_true(db_run(db, "INSERT INTO items (id, label) VALUES (3, 'lost')", "") < 0);
    assert_true(db_commit(db) < 0);
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(db_run(db, "INSERT INTO items (id, label) VALUES (4, 'kept')", ""), 1);
    assert_int_equal(db_commit(db), 0);
    assert_int_equal(db_scalar(other, &v, "SELECT COUNT(*) FROM items", ""), 0);
    assert_int_equal(v, 1);
    db_close(other);
    db_close(db);
}

/* PostgreSQL: a connection killed while idle (a restart between two requests) is opened
 * again by db_revive() before it is used, the way db/pool.c lends it: no statement fails.
 * A well connection is left as it is. */
static void test_an_idle_lost_connection_is_revived_before_use(void **state)
{
    struct db *db = open_fresh(state), *other = open_again(state);
    struct db_cache_stats s;
    int64_t pid = 0, killed = 0, now = 0;
    assert_int_equal(db_revive(db), 0); /* well: nothing happens */
    assert_int_equal(plus_one(db, 1), 2);
    assert_int_equal(db_scalar(db, &pid, "SELECT pg_backend_pid()", ""), 0);
    db_cache_stats(db, &s);
    assert_int_equal(s.reconnects, 0);
    assert_int_equal(
        db_scalar(other, &killed, "SELECT pg_terminate_backend(?::int)::int", "i", pid), 0);
    assert_int_equal(killed, 1);
    wait_gone(other, pid);
    assert_int_equal(db_revive(db), 0);
    assert_int_equal(plus_one(db, 5), 6); /* the first statement after: no failure */
    assert_int_equal(db_scalar(db, &now, "SELECT pg_backend_pid()", ""), 0);
    assert_true(now != pid);
    db_cache_stats(db, &s);
    assert_int_equal(s.reconnects, 1);
    db_close(other);
    db_close(db);
}

/* Files this process holds open whose name contains part (SQLite's temporary files are
 * unlinked at once, but stay in /proc/self/fd while open). */
static int open_files_named(const char *part)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        char link[300], target[512];
        snprintf(link, sizeof(link), "/proc/self/fd/%s", e->d_name);
        ssize_t len = readlink(link, target, sizeof(target) - 1);
        if (len > 0) {
            target[len] = '\0';
            n += strstr(target, part) != NULL;
        }
    }
    closedir(d);
    return n;
}

/* SQLite only: a statement that may fail midway inside a transaction keeps the pages it
 * changes in a statement journal, to undo itself alone. Past 64 KiB (SQLite's default) the
 * journal went to a temporary file, created again by every transaction that reached it:
 * an automatic renewals batch wrote 150 KB per renewal there. It stays in memory now. */
static void test_a_statement_journal_stays_in_memory(void **state)
{
    struct db *db = open_fresh(state);
    assert_int_equal(db_exec(db, "CREATE UNIQUE INDEX items_label ON items (label)"), 0);
    assert_int_equal(db_exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                                 "WHERE i < 4000) INSERT INTO items SELECT i, printf('%040d', i) "
                                 "FROM n"),
                     0);
    assert_int_equal(db_begin(db), 0);
    /* every row, through a unique index: it may fail midway, so it keeps a journal, of
     * far more than 64 KiB of pages */
    assert_int_equal(db_exec(db, "UPDATE items SET label = 'x' || label"), 0);
    assert_int_equal(open_files_named("etilqs"), 0);
    assert_int_equal(db_commit(db), 0);
    db_close(db);
}

#define CACHE_TESTS                                                                                \
    cmocka_unit_test(test_a_statement_is_prepared_once),                                           \
        cmocka_unit_test(test_one_text_open_twice),                                                \
        cmocka_unit_test(test_texts_alike_are_other_statements),                                   \
        cmocka_unit_test(test_the_cache_is_bounded),                                               \
        cmocka_unit_test(test_a_failed_prepare_is_not_kept),                                       \
        cmocka_unit_test(test_transactions_hold_their_statements),                                 \
        cmocka_unit_test(test_connections_take_turns_at_transactions),                             \
        cmocka_unit_test(test_a_schema_change_keeps_statements_working),                           \
        cmocka_unit_test(test_a_schema_change_under_a_write_not_waited_for),                       \
        cmocka_unit_test(test_forgetting_every_statement)

int main(void)
{
    const struct CMUnitTest tests[] = {CACHE_TESTS,
                                       cmocka_unit_test(test_a_statement_journal_stays_in_memory)};
    const struct CMUnitTest pg_tests[] = {
        CACHE_TESTS, cmocka_unit_test(test_a_lost_connection_is_opened_again),
        cmocka_unit_test(test_an_idle_lost_connection_is_revived_before_use)};
    int failed = _cmocka_run_group_tests("db_cache_sqlite", tests, sizeof(tests) / sizeof(tests[0]),
                                         setup_sqlite, teardown);
    const char *pg = getenv("PARTNERD_TEST_PG");
    if (pg && *pg)
        failed +=
            _cmocka_run_group_tests("db_cache_postgresql", pg_tests,
                                    sizeof(pg_tests) / sizeof(pg_tests[0]), setup_pg, teardown);
    else
        printf("db_cache_postgresql: PARTNERD_TEST_PG is not set; make test sets it\n");
    return failed;
}
