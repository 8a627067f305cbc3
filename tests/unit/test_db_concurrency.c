/*
 * test_db_concurrency.c - the database API with several connections at once: writers that
 * queue and lose nothing, reads that lock, migrators that race, and PostgreSQL's row locks.
 * On SQLite and, when PARTNERD_TEST_PG holds a postgresql:// URL of a throwaway database,
 * on PostgreSQL with the very same tests (test_db.c has the rest of the API).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "db/db.h"
#include "db/db_internal.h"
#include "db_fixture.h"

struct writer {
    struct db_fixture *f;
    int rc;
    bool locked_read; /* busy_writer: read with db_query_locked() instead of locking first */
};

/* Holds the write lock for 200 ms, then commits. */
static void *slow_writer(void *arg)
{
    struct writer *w = arg;
    struct db *db = db_fixture_open(w->f);
    w->rc = db_begin(db);
    db_exec(db, "UPDATE counters SET value = value + 1 WHERE name = 'n'");
    usleep(200 * 1000);
    if (w->rc == 0)
        w->rc = db_commit(db);
    db_close(db);
    return NULL;
}

static void test_concurrent_writers_queue(void **state)
{
    struct db_fixture *f = *state;
    struct db *db = db_fixture_open(f);
    assert_int_equal(db_exec(db, "INSERT INTO counters (name, value) VALUES ('n', 0)"), 0);
    pthread_t t;
    struct writer w = {f, -99, false};
    pthread_create(&t, NULL, slow_writer, &w);
    usleep(50 * 1000);
    /* the second writer waits for the first instead of failing */
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(db_exec(db, "UPDATE counters SET value = value + 1 WHERE name = 'n'"), 0);
    assert_int_equal(db_commit(db), 0);
    pthread_join(t, NULL);
    assert_int_equal(w.rc, 0);
    assert_int_equal(db_fixture_scalar(db, "SELECT value FROM counters WHERE name = 'n'"), 2);
    db_close(db);
}

#define BUSY_THREADS 8
#define BUSY_ROUNDS 150

/* Alternates transactions with single writes outside any transaction. */
static void *busy_writer(void *arg)
{
    struct writer *w = arg;
    struct db *db = db_fixture_open(w->f);
    w->rc = 0;
    for (int i = 0; i < BUSY_ROUNDS && w->rc == 0; i++) {
        if (i % 2) {
            w->rc = db_exec(db, "UPDATE counters SET value = value + 1 WHERE name = 'n'");
            continue;
        }
        if ((w->rc = db_begin(db)) < 0)
            break;
        int64_t v = -1;
        if (w->locked_read) { /* read and lock in one statement, then write */
            struct db_stmt *st;
            if ((w->rc = db_query_locked(db, &st, "SELECT value FROM counters WHERE name = ?", "t",
                                         "n")) == 0) {
                if ((w->rc = db_step(st)) == DB_ROW) {
                    v = db_column_int64(st, 0);
                    w->rc = 0;
                }
                db_finalize(st);
            }
            usleep(300); /* the others' reads come meanwhile, and wait */
        } else {         /* lock the row first (PostgreSQL), then read, then write */
            db_exec(db, "UPDATE counters SET value = value WHERE name = 'n'");
            v = db_fixture_scalar(db, "SELECT value FROM counters WHERE name = 'n'");
        }
        if (w->rc == 0)
            w->rc = (int)db_run(db, "UPDATE counters SET value = ? WHERE name = 'n'", "i", v + 1);
        w->rc = w->rc < 0 ? w->rc : db_commit(db);
        if (w->rc < 0)
            db_rollback(db);
    }
    db_close(db);
    return NULL;
}

/* Many writers of one file in one process: none fails, no update is lost. With locked_read,
 * each reads the value it increments with db_query_locked(): on PostgreSQL, without its
 * FOR UPDATE, two would read the same value and one increment would be lost. */
static void many_writers(void **state, bool locked_read)
{
    struct db_fixture *f = *state;
    struct db *db = db_fixture_open(f);
    assert_int_equal(db_exec(db, "INSERT INTO counters (name, value) VALUES ('n', 0)"), 0);
    pthread_t t[BUSY_THREADS];
    struct writer w[BUSY_THREADS];
    for (int i = 0; i < BUSY_THREADS; i++) {
        w[i] = (struct writer){f, -99, locked_read};
        pthread_create(&t[i], NULL, busy_writer, &w[i]);
    }
    for (int i = 0; i < BUSY_THREADS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].rc, 0);
    }
    assert_int_equal(db_fixture_scalar(db, "SELECT value FROM counters WHERE name = 'n'"),
                     BUSY_THREADS * BUSY_ROUNDS);
    db_close(db);
}

static void test_many_writers_lose_nothing(void **state)
{
    many_writers(state, false);
}

static void test_locked_reads_lose_nothing(void **state)
{
    many_writers(state, true);
}

static void *migrator(void *arg)
{
    struct writer *w = arg;
    struct db *db;
    struct pd_error err = {0};
    w->rc = db_open(w->f->url, &db, &err);
    if (w->rc == 0) {
        w->rc = db_migrate(db, &err);
        db_close(db);
    }
    if (w->rc)
        fprintf(stderr, "migrator: %s\n", err.message);
    return NULL;
}

static void test_concurrent_migrators(void **state)
{
    struct db_fixture *f = *state;
    pthread_t t[3];
    struct writer w[3];
    for (int i = 0; i < 3; i++) {
        w[i] = (struct writer){f, -99, false};
        pthread_create(&t[i], NULL, migrator, &w[i]);
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].rc, 0);
    }
    struct db *db = db_fixture_open(f);
    assert_int_equal(db_fixture_scalar(db, "SELECT COUNT(*) FROM schema_migrations"),
                     db_migrations_count);
    db_close(db);
}

/* PostgreSQL: db_lock_row() takes the lock an UPDATE of the row takes. Another locker
 * waits for it (and gives up at the busy timeout); an insert of a row that refers to the
 * locked one does not (its foreign-key check). With FOR UPDATE it did, and a Buy (its
 * organisation locked, then its order) and the gateway's event settling that order (the
 * order locked, then the term's grants inserted, which refer to the organisation) could
 * deadlock: renewal_sca.test.mjs did, about once in twenty runs on a loaded machine. */
static void test_a_row_lock_lets_references_in(void **state)
{
    struct db_fixture *f = *state;
    db_set_busy_timeout_ms(300);
    struct db *a = db_fixture_open(f), *b = db_fixture_open(f);
    db_set_busy_timeout_ms(5000);
    assert_int_equal(db_exec(a, "INSERT INTO partners (id, membership_id, legal_name, country, "
                                "address_line1, postal_code, city, vat_id, locale, currency, "
                                "created_at) VALUES ('ptn_1', '9000001', 'Un SARL', 'FR', "
                                "'1 rue', '75001', 'Paris', 'FR40303265045', 'fr', 'EUR', 0)"),
                     0);
    assert_int_equal(db_begin(a), 0);
    assert_int_equal(db_lock_row(a, "partners", "ptn_1"), 1);
    assert_int_equal(db_begin(b), 0);
    assert_int_equal(db_exec(b, "INSERT INTO users (id, kind, partner_id, email, name, locale, "
                                "created_at) VALUES ('usr_1', 'partner', 'ptn_1', "
                                "'a@b.example', 'A', 'fr', 0)"),
                     0);
    assert_int_equal(db_commit(b), 0);
    assert_int_equal(db_begin(b), 0);
    assert_int_equal(db_lock_row(b, "partners", "ptn_1"), PD_E_DB_BUSY);
    db_rollback(b);
    assert_int_equal(db_commit(a), 0);
    db_close(a);
    db_close(b);
}

#define CONCURRENCY_TESTS                                                                          \
    cmocka_unit_test_setup(test_concurrent_writers_queue, db_fixture_empty),                       \
        cmocka_unit_test_setup(test_many_writers_lose_nothing, db_fixture_empty),                  \
        cmocka_unit_test_setup(test_locked_reads_lose_nothing, db_fixture_empty),                  \
        cmocka_unit_test_setup(test_concurrent_migrators, db_fixture_empty)

int main(void)
{
    const struct CMUnitTest tests[] = {CONCURRENCY_TESTS};
    int failed = cmocka_run_group_tests_name("db_concurrency_sqlite", tests, db_fixture_sqlite,
                                             db_fixture_teardown);
    /* row locks: SQLite's BEGIN IMMEDIATE makes every other writer wait */
    const struct CMUnitTest pg_tests[] = {
        CONCURRENCY_TESTS,
        cmocka_unit_test_setup(test_a_row_lock_lets_references_in, db_fixture_empty)};
    if (db_fixture_pg_url("db_concurrency_postgresql"))
        failed += cmocka_run_group_tests_name("db_concurrency_postgresql", pg_tests, db_fixture_pg,
                                              db_fixture_teardown);
    return failed;
}
