/*
 * db_fixture.c - a migrated database for a group of unit tests (db_fixture.h).
 */
#include "db_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"

/* Empties the fixture's database, so each group starts from nothing and leaves nothing. */
static int wipe(struct db_fixture *f)
{
    if (f->path[0]) {
        char side[300];
        unlink(f->path);
        snprintf(side, sizeof(side), "%s-wal", f->path);
        unlink(side);
        snprintf(side, sizeof(side), "%s-shm", f->path);
        unlink(side);
        return 0;
    }
    struct db *db;
    struct pd_error err = {0};
    if (db_open(f->url, &db, &err) < 0) {
        fprintf(stderr, "%s\n", err.message);
        pd_error_clear(&err);
        return -1;
    }
    int rc = db_exec(db, "DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    db_close(db);
    return rc;
}

static int open_migrated(struct db_fixture *f, void **state)
{
    struct pd_error err = {0};
    *state = f;
    if (wipe(f) < 0 || db_open(f->url, &f->db, &err) < 0 || db_migrate(f->db, &err) < 0) {
        fprintf(stderr, "%s\n", err.message);
        pd_error_clear(&err);
        return -1;
    }
    return 0;
}

int db_fixture_sqlite(void **state)
{
    static int groups; /* a file of its own for each group of the process */
    struct db_fixture *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return -1;
    snprintf(f->path, sizeof(f->path), "/tmp/partnerd-unit-%d-%d.sqlite", (int)getpid(), ++groups);
    snprintf(f->url, sizeof(f->url), "sqlite:%s", f->path);
    return open_migrated(f, state);
}

int db_fixture_pg(void **state)
{
    const char *url = getenv("PARTNERD_TEST_PG");
    struct db_fixture *f = url ? calloc(1, sizeof(*f)) : NULL;
    if (f == NULL)
        return -1;
    snprintf(f->url, sizeof(f->url), "%s", url);
    return open_migrated(f, state);
}

int db_fixture_empty(void **state)
{
    struct db_fixture *f = *state;
    db_close(f->db);
    f->db = NULL;
    return wipe(f);
}

struct db *db_fixture_open(struct db_fixture *f)
{
    struct db *db = NULL;
    struct pd_error err = {0};
    assert_int_equal(db_open(f->url, &db, &err), 0);
    assert_int_equal(db_migrate(db, &err), 0);
    return db;
}

int64_t db_fixture_scalar(struct db *db, const char *sql)
{
    struct db_stmt *st;
    assert_int_equal(db_prepare(db, sql, &st), 0);
    assert_int_equal(db_step(st), DB_ROW);
    int64_t v = db_column_int64(st, 0);
    db_finalize(st);
    return v;
}

int db_fixture_teardown(void **state)
{
    struct db_fixture *f = *state;
    if (f == NULL)
        return 0;
    db_close(f->db);
    int rc = wipe(f);
    free(f);
    return rc;
}

const char *db_fixture_pg_url(const char *group)
{
    const char *url = getenv("PARTNERD_TEST_PG");
    if (url && *url)
        return url;
    printf("%s: PARTNERD_TEST_PG is not set; make test sets it\n", group);
    return NULL;
}
