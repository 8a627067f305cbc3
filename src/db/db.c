/*
 * db.c - the engine-neutral half of the database API: URL dispatch, the calls that
 * forward to the backend, and schema migrations.
 *
 * Migrations are numbered SQL files (src/db/migrations/NNN_name.sql) compiled into the
 * binary. schema_migrations records each applied version. Each migration runs in its own
 * transaction together with its schema_migrations row, so a crash leaves it either
 * wholly applied or not at all; concurrent migrators serialise on the write lock
 * (SQLite) or an advisory lock (PostgreSQL) and re-read the version inside it.
 */
#include "db_internal.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/hash.h"
#include "log.h"

static _Atomic uint64_t errors_total;

void db_count_error(void)
{
    atomic_fetch_add(&errors_total, 1);
}

uint64_t db_errors_total(void)
{
    return atomic_load(&errors_total);
}

int db_open(const char *url, struct db **out, struct pd_error *err)
{
    *out = NULL;
    if (url && strncmp(url, "sqlite:", 7) == 0 && url[7] != '\0')
        return db_sqlite_open(url + 7, out, err);
    if (url && (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0))
        return db_pg_open(url, out, err);
    return pd_fail(err, PD_E_INVALID_REQUEST,
                   "database URL must be sqlite:PATH or postgresql://...");
}

void db_close(struct db *db)
{
    if (db)
        db->ops->close(db);
}

enum db_kind db_kind(const struct db *db)
{
    return db->kind;
}

bool db_writes_at_once(const struct db *db)
{
    return db_kind(db) == DB_POSTGRES;
}

const char *db_errmsg(struct db *db)
{
    return db->ops->errmsg(db);
}

int db_exec(struct db *db, const char *sql)
{
    return db->ops->exec(db, sql);
}

int db_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
    return db->ops->prepare(db, sql, out);
}

int db_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
    return st->db->ops->bind_int64(st, idx, v);
}

int db_bind_text(struct db_stmt *st, int idx, const char *s)
{
    return st->db->ops->bind_text(st, idx, s);
}

int db_bind_null(struct db_stmt *st, int idx)
{
    return st->db->ops->bind_null(st, idx);
}

int db_bind_text_list(struct db_stmt *st, int idx, const char *const *list, int n, int width)
{
    int rc = n <= width ? 0 : PD_E_INTERNAL;
    for (int i = 0; rc >= 0 && i < width; i++)
        rc = db_bind_text(st, idx + i, i < n ? list[i] : NULL);
    return rc;
}

int db_step(struct db_stmt *st)
{
    return st->db->ops->step(st);
}

int64_t db_column_int64(struct db_stmt *st, int col)
{
    return st->db->ops->column_int64(st, col);
}

const char *db_column_text(struct db_stmt *st, int col)
{
    return st->db->ops->column_text(st, col);
}

bool db_column_is_null(struct db_stmt *st, int col)
{
    return st->db->ops->column_is_null(st, col);
}

int64_t db_changes(struct db_stmt *st)
{
    return st->db->ops->changes(st);
}

int db_reset(struct db_stmt *st)
{
    return st->db->ops->reset(st);
}

void db_finalize(struct db_stmt *st)
{
    if (st)
        st->db->ops->finalize(st);
}

/* A type string that does not match the statement's placeholders would read the wrong
 * arguments: refuse the statement instead. The engine counted them when it prepared the
 * statement (once, for a statement kept), so nothing here reads the text again. */
static int check_types(struct db_stmt *st, const char *sql, const char *types)
{
    size_t want = (size_t)st->db->ops->param_count(st), have = types ? strlen(types) : 0;
    if (want == have)
        return 0;
    fprintf(stderr, "partnerd: db: %zu parameter type(s) for %zu placeholder(s) in: %.120s\n", have,
            want, sql);
    return PD_E_INTERNAL;
}

static int bind_args(struct db_stmt *st, const char *types, va_list ap)
{
    for (int i = 0; types && types[i]; i++) {
        int rc;
        if (types[i] == 't')
            rc = db_bind_text(st, i + 1, va_arg(ap, const char *));
        else if (types[i] == 'i')
            rc = db_bind_int64(st, i + 1, va_arg(ap, int64_t));
        else
            rc = PD_E_INTERNAL;
        if (rc < 0)
            return rc;
    }
    return 0;
}

int db_prepare_locked(struct db *db, const char *sql, struct db_stmt **out)
{
    *out = NULL;
    if (db->kind != DB_POSTGRES) /* BEGIN IMMEDIATE holds the write lock already */
        return db_prepare(db, sql, out);
    size_t n = strlen(sql) + sizeof(" FOR UPDATE");
    char *locked = malloc(n);
    if (locked == NULL)
        return PD_E_INTERNAL;
    snprintf(locked, n, "%s FOR UPDATE", sql);
    int rc = db_prepare(db, locked, out);
    free(locked);
    return rc;
}

static int query_v(struct db *db, struct db_stmt **out, const char *sql, bool locked,
                   const char *types, va_list ap)
{
    *out = NULL;
    int rc = locked ? db_prepare_locked(db, sql, out) : db_prepare(db, sql, out);
    if (rc < 0)
        return rc;
    rc = check_types(*out, sql, types) < 0 ? PD_E_INTERNAL : bind_args(*out, types, ap);
    if (rc < 0) {
        db_finalize(*out);
        *out = NULL;
    }
    return rc;
}

int db_query(struct db *db, struct db_stmt **out, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    int rc = query_v(db, out, sql, false, types, ap);
    va_end(ap);
    return rc;
}

int db_query_locked(struct db *db, struct db_stmt **out, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    int rc = query_v(db, out, sql, true, types, ap);
    va_end(ap);
    return rc;
}

int64_t db_run(struct db *db, const char *sql, const char *types, ...)
{
    struct db_stmt *st;
    va_list ap;
    va_start(ap, types);
    int rc = query_v(db, &st, sql, false, types, ap);
    va_end(ap);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    int64_t changed = rc < 0 ? rc : db_changes(st);
    db_finalize(st);
    return changed;
}

int db_write(struct db *db, const char *sql, const char *types, ...)
{
    struct db_stmt *st;
    va_list ap;
    va_start(ap, types);
    int rc = query_v(db, &st, sql, false, types, ap);
    va_end(ap);
    if (rc < 0)
        return rc;
    rc = db_step_write(st);
    db_finalize(st);
    return rc;
}

int db_step_write(struct db_stmt *st)
{
    int rc = st->db->ops->step_later ? st->db->ops->step_later(st) : db_step(st);
    return rc < 0 ? rc : 0;
}

/* Runs sql and steps to its first row: DB_ROW with *st open on it (the caller finalizes),
 * DB_DONE when there is none, or a negative status (*st finalized either way but DB_ROW). */
static int first_row_v(struct db *db, struct db_stmt **st, const char *sql, const char *types,
                       va_list ap)
{
    int rc = query_v(db, st, sql, false, types, ap);
    if (rc < 0)
        return rc;
    rc = db_step(*st);
    if (rc != DB_ROW)
        db_finalize(*st);
    return rc;
}

int db_scalar(struct db *db, int64_t *value, const char *sql, const char *types, ...)
{
    struct db_stmt *st;
    va_list ap;
    *value = 0;
    va_start(ap, types);
    int rc = first_row_v(db, &st, sql, types, ap);
    va_end(ap);
    if (rc == DB_ROW) {
        *value = db_column_int64(st, 0);
        db_finalize(st);
    }
    return rc < 0 ? rc : 0;
}

int db_text(struct db *db, char *out, size_t n, const char *sql, const char *types, ...)
{
    struct db_stmt *st;
    va_list ap;
    out[0] = '\0';
    va_start(ap, types);
    int rc = first_row_v(db, &st, sql, types, ap);
    va_end(ap);
    if (rc == DB_ROW) {
        const char *text = db_column_text(st, 0);
        snprintf(out, n, "%s", text ? text : "");
        db_finalize(st);
    }
    return rc < 0 ? rc : rc == DB_ROW;
}

static bool identifier(const char *s)
{
    return strspn(s, "abcdefghijklmnopqrstuvwxyz_") == strlen(s) && strlen(s) <= 60;
}

int db_lock_key(struct db *db, const char *key)
{
    int64_t locked = 0;
    if (db->kind != DB_POSTGRES)
        return 0;
    /* (pg_advisory_xact_lock() returns void: counted, for db_scalar() to read a value; a
     * volatile function in the subquery is called all the same) */
    int rc = db_scalar(db, &locked, "SELECT COUNT(*) FROM (SELECT pg_advisory_xact_lock(?)) AS l",
                       "i", (int64_t)hash64_str(HASH64_START, key));
    return rc < 0 ? rc : 0;
}

int db_lock_row_by(struct db *db, const char *table, const char *column, const char *key,
                   bool shared)
{
    char sql[320];
    int64_t found = 0;
    if (!identifier(table) || !identifier(column))
        return PD_E_INTERNAL;
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM (SELECT %s FROM %s WHERE %s = ?%s) AS locked",
             column, table, column,
             db->kind != DB_POSTGRES ? ""
             : shared                ? " FOR SHARE"
                                     : " FOR NO KEY UPDATE");
    int rc = db_scalar(db, &found, sql, "t", key);
    return rc < 0 ? rc : found > 0;
}

int db_lock_row(struct db *db, const char *table, const char *id)
{
    return db_lock_row_by(db, table, "id", id, false);
}

int db_begin(struct db *db)
{
    int rc;
    if (db->ops->begin) {
        rc = db->ops->begin(db);
    } else {
        if (db->ops->tx_enter)
            db->ops->tx_enter(db);
        rc = db->ops->exec(db, db->ops->begin_sql);
        if (rc < 0 && db->ops->tx_leave)
            db->ops->tx_leave(db, false);
    }
    if (rc >= 0)
        db->in_tx = true; /* a BEGIN refused inside a transaction leaves it open */
    return rc;
}

/* Ends the transaction with sql (COMMIT or ROLLBACK). */
static int end_tx(struct db *db, const char *sql)
{
    db->in_tx = false;
    if (db->ops->end)
        return db->ops->end(db, strcmp(sql, "COMMIT") == 0);
    bool commit = strcmp(sql, "COMMIT") == 0;
    int rc = db->ops->exec(db, sql);
    int left = db->ops->tx_leave ? db->ops->tx_leave(db, commit && rc >= 0) : 0;
    return rc < 0 ? rc : left;
}

int db_commit(struct db *db)
{
    return end_tx(db, "COMMIT");
}

int db_rollback(struct db *db)
{
    return end_tx(db, "ROLLBACK");
}

int db_fts_condition(struct db *db, const char *table, const char *alias, const char *column,
                     char *out, size_t n)
{
    return db->ops->fts_condition(table, alias, column, out, n);
}

int db_fts_query(struct db *db, const char *const words[], int nwords, const char *column,
                 char *out, size_t n)
{
    return db->ops->fts_query(words, nwords, column, out, n);
}

int db_ping(struct db *db)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT 1", &st);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    db_finalize(st);
    return rc == DB_ROW ? 0 : rc < 0 ? rc : PD_E_DB;
}

void db_away(struct db *db)
{
    if (db->away_depth++ > 0)
        return; /* already away: the outermost pair steps away and back */
    /* a transaction open keeps its turn: it holds locks others would only wait for */
    db->stepped_away = db->away && !db->in_tx;
    if (db->stepped_away)
        db->away(db->away_arg, false);
    else if (db->away) /* a use case waits (the gateway, the jobs) inside its transaction: a bug */
        log_line(LOG_WARN, NULL, "away_in_transaction",
                 "detail=a request waits with a transaction open: it keeps its turn");
}

void db_back(struct db *db)
{
    if (db->away_depth == 0 || --db->away_depth > 0)
        return;
    if (db->stepped_away)
        db->away(db->away_arg, true);
    db->stepped_away = false;
}

void db_on_away(struct db *db, void (*away)(void *arg, bool back), void *arg)
{
    db->away = away;
    db->away_arg = arg;
}

int db_revive(struct db *db)
{
    return db->ops->revive ? db->ops->revive(db) : 0;
}

void db_bulk(struct db *db, bool on)
{
    if (db->ops->bulk)
        db->ops->bulk(db, on);
}

void db_not_durable(struct db *db)
{
    if (db->ops->not_durable)
        db->ops->not_durable(db);
}

void db_defer_sync(struct db *db)
{
    if (db->ops->defer_sync)
        db->ops->defer_sync(db);
}

int db_sync(struct db *db)
{
    return db->ops->sync ? db->ops->sync(db) : 0;
}

static _Atomic int busy_timeout_ms = 5000;

void db_set_busy_timeout_ms(int ms)
{
    busy_timeout_ms = ms > 0 ? ms : 1;
}

int db_busy_timeout_ms(void)
{
    return busy_timeout_ms;
}

int db_backup(struct db *db, const char *dest_path, struct pd_error *err)
{
    if (db->ops->backup == NULL)
        return pd_fail(err, PD_E_INVALID_REQUEST,
                       "a PostgreSQL database is backed up with pg_dump (see partnerd(8))");
    return db->ops->backup(db, dest_path, err);
}

int db_health(struct db *db, int timeout_ms, struct db_health *out)
{
    out->writable = false;
    out->read_only = false;
    out->free_bytes = -1;
    return db->ops->health(db, timeout_ms, out);
}

void db_cache_stats(struct db *db, struct db_cache_stats *out)
{
    memset(out, 0, sizeof(*out));
    if (db->ops->cache_stats)
        db->ops->cache_stats(db, out);
}

int db_schema_latest(void)
{
    return db_migrations_count ? db_migrations[db_migrations_count - 1].version : 0;
}

/* Reads MAX(version) from schema_migrations; the table must exist. */
static int read_version(struct db *db, int *version)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &st);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW)
        *version = (int)db_column_int64(st, 0);
    db_finalize(st);
    return rc == DB_ROW ? 0 : rc < 0 ? rc : PD_E_DB;
}

/* Creates schema_migrations under the migration lock: PostgreSQL's CREATE TABLE IF NOT
 * EXISTS is not safe against a concurrent creator on its own. */
static int ensure_migrations_table(struct db *db)
{
    int rc = db_begin(db);
    if (rc < 0)
        return rc;
    if (db->ops->migration_lock_sql)
        rc = db_exec(db, db->ops->migration_lock_sql);
    if (rc == 0)
        rc = db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                         " version INTEGER PRIMARY KEY,"
                         " name TEXT NOT NULL,"
                         " applied_at INTEGER NOT NULL)");
    if (rc < 0) {
        db_rollback(db);
        return rc;
    }
    return db_commit(db);
}

int db_schema_version(struct db *db, int *version)
{
    int rc = ensure_migrations_table(db);
    return rc < 0 ? rc : read_version(db, version);
}

int db_schema_current(struct db *db, int *version)
{
    return read_version(db, version);
}

static int too_new(struct pd_error *err, int have)
{
    pd_fail(err, PD_E_SCHEMA_TOO_NEW,
            "the database is at schema version %d but this partnerd knows only up to %d; "
            "run a newer partnerd",
            have, db_schema_latest());
    return PD_E_SCHEMA_TOO_NEW;
}

/* Applies one migration inside an open transaction. */
static int apply_one(struct db *db, const struct db_migration *m, struct pd_error *err)
{
    char *sql = db->ops->dialect(m->sql);
    int rc = db_exec(db, sql);
    free(sql);
    if (rc < 0)
        return pd_fail(err, rc, "migration %03d_%s failed: %s", m->version, m->name, db_errmsg(db));

    struct db_stmt *st;
    rc = db_prepare(db,
                    "INSERT INTO schema_migrations (version, name, applied_at) "
                    "VALUES (?, ?, ?)",
                    &st);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    db_bind_int64(st, 1, m->version);
    db_bind_text(st, 2, m->name);
    db_bind_int64(st, 3, clock_now());
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db)) : 0;
}

int db_migrate(struct db *db, struct pd_error *err)
{
    int have = 0, rc;
    if ((rc = db_schema_version(db, &have)) < 0)
        return pd_fail(err, rc, "cannot read the schema version: %s", db_errmsg(db));
    if (have > db_schema_latest())
        return too_new(err, have);

    for (int i = 0; i < db_migrations_count; i++) {
        const struct db_migration *m = &db_migrations[i];
        if (m->version <= have)
            continue;
        if ((rc = db_begin(db)) < 0)
            return pd_fail(err, rc, "%s", db_errmsg(db));
        if (db->ops->migration_lock_sql && (rc = db_exec(db, db->ops->migration_lock_sql)) < 0)
            goto fail;
        /* another process may have migrated while we waited for the lock */
        if ((rc = read_version(db, &have)) < 0)
            goto fail;
        if (have > db_schema_latest()) {
            db_rollback(db);
            return too_new(err, have);
        }
        if (m->version > have && (rc = apply_one(db, m, err)) < 0) {
            db_rollback(db);
            return rc;
        }
        if ((rc = db_commit(db)) < 0)
            goto fail;
        /* statements prepared before may read tables this migration changed */
        if (db->ops->cache_forget)
            db->ops->cache_forget(db);
    }
    return 0;
fail:
    pd_fail(err, rc, "migration failed: %s", db_errmsg(db));
    db_rollback(db);
    return rc;
}
