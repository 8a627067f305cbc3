/*
 * db_sqlite.c - the SQLite backend.
 *
 * One sqlite3 connection per struct db, opened in WAL mode (readers never wait for the
 * writer), with foreign keys on, a busy timeout so concurrent writers queue instead of
 * failing, and synchronous=NORMAL (durable at every checkpoint, safe in WAL).
 * Migrations are written for SQLite already (STRICT tables), so the dialect is identity.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db_internal.h"

#define SQLITE_BUSY_MS 5000

struct sqlite_db {
    struct db base;
    sqlite3 *conn;
};

struct sqlite_stmt {
    struct db_stmt base;
    sqlite3_stmt *stmt;
};

static sqlite3 *conn_of(struct db *db)
{
    return ((struct sqlite_db *)db)->conn;
}

static sqlite3_stmt *stmt_of(struct db_stmt *st)
{
    return ((struct sqlite_stmt *)st)->stmt;
}

/* Maps an SQLite result code to a pd_status, counting errors. */
static int map_rc(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
        return 0;
    case SQLITE_ROW:
        return DB_ROW;
    case SQLITE_DONE:
        return DB_DONE;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        db_count_error();
        return PD_E_DB_BUSY;
    case SQLITE_CONSTRAINT:
        return PD_E_DB_CONSTRAINT;
    default:
        db_count_error();
        return PD_E_DB;
    }
}

static void s_close(struct db *db)
{
    sqlite3_close_v2(conn_of(db));
    free(db);
}

static const char *s_errmsg(struct db *db)
{
    return sqlite3_errmsg(conn_of(db));
}

static int s_exec(struct db *db, const char *sql)
{
    return map_rc(sqlite3_exec(conn_of(db), sql, NULL, NULL, NULL));
}

static int s_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
    sqlite3_stmt *stmt;
    int rc = sqlite3_prepare_v2(conn_of(db), sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK)
        return map_rc(rc);
    struct sqlite_stmt *st = calloc(1, sizeof(*st));
    if (st == NULL) {
        sqlite3_finalize(stmt);
        return PD_E_INTERNAL;
    }
    st->base.db = db;
    st->stmt = stmt;
    *out = &st->base;
    return 0;
}

static int s_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
    return map_rc(sqlite3_bind_int64(stmt_of(st), idx, v));
}

static int s_bind_text(struct db_stmt *st, int idx, const char *s)
{
    if (s == NULL)
        return map_rc(sqlite3_bind_null(stmt_of(st), idx));
    return map_rc(sqlite3_bind_text(stmt_of(st), idx, s, -1, SQLITE_TRANSIENT));
}

static int s_bind_null(struct db_stmt *st, int idx)
{
    return map_rc(sqlite3_bind_null(stmt_of(st), idx));
}

static int s_step(struct db_stmt *st)
{
    return map_rc(sqlite3_step(stmt_of(st)));
}

static int64_t s_column_int64(struct db_stmt *st, int col)
{
    return sqlite3_column_int64(stmt_of(st), col);
}

static const char *s_column_text(struct db_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(stmt_of(st), col);
}

static bool s_column_is_null(struct db_stmt *st, int col)
{
    return sqlite3_column_type(stmt_of(st), col) == SQLITE_NULL;
}

static int64_t s_changes(struct db_stmt *st)
{
    return sqlite3_changes64(conn_of(st->db));
}

static int s_reset(struct db_stmt *st)
{
    sqlite3_reset(stmt_of(st));
    return map_rc(sqlite3_clear_bindings(stmt_of(st)));
}

static void s_finalize(struct db_stmt *st)
{
    sqlite3_finalize(stmt_of(st));
    free(st);
}

static char *s_dialect(const char *sql)
{
    return strdup(sql);
}

static const struct db_ops sqlite_ops = {
    .close = s_close,
    .errmsg = s_errmsg,
    .exec = s_exec,
    .prepare = s_prepare,
    .bind_int64 = s_bind_int64,
    .bind_text = s_bind_text,
    .bind_null = s_bind_null,
    .step = s_step,
    .column_int64 = s_column_int64,
    .column_text = s_column_text,
    .column_is_null = s_column_is_null,
    .changes = s_changes,
    .reset = s_reset,
    .finalize = s_finalize,
    .begin_sql = "BEGIN IMMEDIATE",
    .dialect = s_dialect,
    .migration_lock_sql = NULL, /* BEGIN IMMEDIATE already holds the write lock */
};

int db_sqlite_open(const char *path, struct db **out, struct pd_error *err)
{
    sqlite3 *conn = NULL;
    int rc = sqlite3_open_v2(path, &conn,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc != SQLITE_OK) {
        pd_fail(err, PD_E_DB, "cannot open SQLite database %s: %s", path,
                conn ? sqlite3_errmsg(conn) : sqlite3_errstr(rc));
        sqlite3_close_v2(conn);
        db_count_error();
        return PD_E_DB;
    }
    sqlite3_busy_timeout(conn, SQLITE_BUSY_MS);
    sqlite3_extended_result_codes(conn, 1);
    /* Switching a new file to WAL takes an exclusive lock without calling the busy
     * handler, so connections opening a fresh database together retry here. */
    for (int waited = 0;; waited += 10) {
        rc = sqlite3_exec(conn,
                          "PRAGMA journal_mode=WAL;"
                          "PRAGMA synchronous=NORMAL;"
                          "PRAGMA foreign_keys=ON;",
                          NULL, NULL, NULL);
        if (((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) ||
            waited >= SQLITE_BUSY_MS)
            break;
        usleep(10 * 1000);
    }
    if (rc != SQLITE_OK) {
        pd_fail(err, PD_E_DB, "cannot configure SQLite database %s: %s", path,
                sqlite3_errmsg(conn));
        sqlite3_close_v2(conn);
        return map_rc(rc);
    }
    struct sqlite_db *db = calloc(1, sizeof(*db));
    if (db == NULL) {
        sqlite3_close_v2(conn);
        return pd_fail(err, PD_E_INTERNAL, "out of memory");
    }
    db->base.ops = &sqlite_ops;
    db->base.kind = DB_SQLITE;
    db->conn = conn;
    *out = &db->base;
    return 0;
}
