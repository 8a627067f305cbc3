/*
 * db_fixture.h - a migrated database for a group of unit tests, on both engines: SQLite (a
 * file in /tmp, removed at teardown) and, when PARTNERD_TEST_PG holds a postgresql:// URL
 * of a throwaway database, PostgreSQL (its public schema emptied before and after).
 *
 *     cmocka_run_group_tests_name("x_sqlite", tests, db_fixture_sqlite, db_fixture_teardown);
 *
 * A test reads its database as ((struct db_fixture *)*state)->db.
 */
#ifndef PD_TESTS_DB_FIXTURE_H
#define PD_TESTS_DB_FIXTURE_H

struct db;

struct db_fixture {
    char url[512];
    char path[256]; /* the SQLite file; empty on PostgreSQL */
    struct db *db;
};

/* cmocka group setups: a fresh migrated database in *state (a struct db_fixture). */
int db_fixture_sqlite(void **state);
int db_fixture_pg(void **state);

/* The group teardown of either. */
int db_fixture_teardown(void **state);

/* The PostgreSQL URL of the tests, or NULL (with a line saying the group is not run). */
const char *db_fixture_pg_url(const char *group);

#endif
