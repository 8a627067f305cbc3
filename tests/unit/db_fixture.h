/*
 * db_fixture.h - a migrated database for a group of unit tests, on both engines: SQLite (a
 * file in /tmp, removed at teardown) and, when PARTNERD_TEST_PG holds a postgresql:// URL
 * of a throwaway database, PostgreSQL (its public schema emptied before and after).
 *
 *     cmocka_run_group_tests_name("x_sqlite", tests, db_fixture_sqlite, db_fixture_teardown);
 *
 * A test reads its database as ((struct db_fixture *)*state)->db.
 *
 * The tests of the database API itself start each test from nothing instead, and open their
 * own connections: db_fixture_empty as each test's setup, db_fixture_open for a connection.
 */
#ifndef PD_TESTS_DB_FIXTURE_H
#define PD_TESTS_DB_FIXTURE_H

#include <stdint.h>

struct db;

struct db_fixture {
    char url[512];
    char path[256]; /* the SQLite file; empty on PostgreSQL */
    struct db *db;
};

/* cmocka group setups: a fresh migrated database in *state (a struct db_fixture). */
int db_fixture_sqlite(void **state);
int db_fixture_pg(void **state);

/* A test's setup in such a group: the group's connection closed and its database emptied,
 * not migrated. */
int db_fixture_empty(void **state);

/* A new connection to the fixture's database, migrated (the test fails otherwise); the
 * test closes it. */
struct db *db_fixture_open(struct db_fixture *f);

/* The integer of sql's first row (the test fails without one). */
int64_t db_fixture_scalar(struct db *db, const char *sql);

/* The group teardown of either. */
int db_fixture_teardown(void **state);

/* The PostgreSQL URL of the tests, or NULL (with a line saying the group is not run). */
const char *db_fixture_pg_url(const char *group);

#endif
