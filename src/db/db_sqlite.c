/*
 * db_sqlite.c - the SQLite backend.
 *
 * One sqlite3 connection per struct db, opened in WAL mode (readers never wait for the
 * writer), with foreign keys on and a busy wait so concurrent writers queue instead of
 * failing (sqlite_file.h). Inside one process, the connections to one file take turns to write
 * (sqlite_queue.h), and a transaction runs on the file's one writer connection, lent to the
 * holder of the turn from BEGIN to COMMIT: a connection whose pages another connection
 * changed throws its whole page cache away at its next transaction, so when every request
 * wrote on its own connection every transaction began by reading its pages again; the one
 * writer keeps them. Reads outside a transaction stay on the caller's connection.
 * A commit is on disk before the caller hears of it: SQLite writes it to the WAL
 * (synchronous=NORMAL) and the queue syncs the WAL after the turn is given up, one sync for
 * every commit written meanwhile (sqlite_queue.h); durable as synchronous=FULL, without
 * holding the turn while the disk works.
 * Migrations are written for SQLite already (STRICT tables), so the dialect is identity.
 */
#include <assert.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "sqlite_file.h"
#include "sqlite_fts.h"
#include "sqlite_queue.h"

/* Prepared statements kept per connection, by their SQL text: a request runs the same few
 * statements again and again, and preparing one costs as much as running a simple one.
 * Slots are told apart by the text's length first: many statements begin alike ("SELECT id,
 * partner_id, "), and comparing their texts from the start was a tenth of a renewal's time
 * (hashing them, byte after byte, was a quarter). */
#define STMT_CACHE 96

struct sqlite_stmt;

struct cached_stmt {
    char *sql;              /* owned; NULL: a free slot */
    size_t len;             /* strlen(sql) */
    struct sqlite_stmt *st; /* owned */
    bool in_use;            /* handed out by s_prepare, not yet given back */
    uint64_t last_used;
};

struct sqlite_db {
    struct db base;
    sqlite3 *conn;
    struct writer_queue *writers; /* NULL for an in-memory database, and for a writer */
    bool writing;                 /* has the turn to write (queue_lock) */
    struct sqlite_db *lent;       /* in a transaction: the writer it runs on, else NULL */
    bool not_durable;             /* commits do not wait for the sync (db_not_durable) */
    bool deferring;               /* between db_defer_sync() and db_sync() */
    uint64_t deferred;            /* the last commit made meanwhile (0: none) */
    char lent_err[256];           /* the writer's last error in this connection's transaction */
    struct cached_stmt cache[STMT_CACHE];
    int handed; /* statements handed out and not yet given back */
    uint64_t uses;
    struct db_cache_stats stats;
};

static void s_close(struct db *db);
static const struct db_ops sqlite_ops;

struct sqlite_stmt {
    struct db_stmt base; /* base.db: the connection it was handed to */
    sqlite3_stmt *stmt;
    struct sqlite_db *home;     /* the connection it was prepared on (a writer, when lent) */
    bool writing;               /* a write outside a transaction: its own, until done */
    struct cached_stmt *cached; /* its cache slot, or NULL: finalized when done */
};

/* The connection db's statements run on now: the writer while a transaction is lent it. */
static struct sqlite_db *current(struct db *db)
{
    struct sqlite_db *s = (struct sqlite_db *)db;
    return s->lent ? s->lent : s;
}

static sqlite3 *conn_of(struct db *db)
{
    return current(db)->conn;
}

/* A failure on the lent writer, kept for db_errmsg() after the transaction gave it back. */
static void note_error(struct sqlite_db *s, int rc)
{
    if (s->lent && rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
        snprintf(s->lent_err, sizeof(s->lent_err), "%s", sqlite3_errmsg(s->lent->conn));
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

/* Takes this process's turn to write on s's file. Waits as long as the busy timeout would;
 * past it, SQLite's own locking decides (so a thread that somehow holds two connections to
 * one file cannot deadlock). */
static void queue_enter(struct sqlite_db *s)
{
    if (s->writers && !s->writing)
        s->writing = queue_lock(s->writers, db_busy_timeout_ms());
}

/* The queue's writer, opened the first time (its holder of the mutex calls), or NULL when
 * it cannot be: the transaction then runs on the caller's own connection, as it may. */
static struct sqlite_db *writer_of(struct writer_queue *q)
{
    if (queue_writer(q))
        return queue_writer(q);
    struct pd_error err = {0};
    sqlite3 *conn = NULL;
    struct sqlite_db *w = calloc(1, sizeof(*w));
    if (w == NULL || sqlite_file_open(queue_path(q), &conn, &err) != SQLITE_OK) {
        db_count_error(); /* the metric shows it; the caller's connection serves meanwhile */
        free(w);
        pd_error_clear(&err);
        return NULL;
    }
    w->base.ops = &sqlite_ops;
    w->base.kind = DB_SQLITE;
    w->conn = conn;
    queue_set_writer(q, w);
    return w;
}

/* A transaction begins: this connection's turn to write, on the queue's writer. */
static void s_tx_enter(struct db *db)
{
    struct sqlite_db *s = (struct sqlite_db *)db;
    if (s->writers == NULL || s->writing)
        return;
    queue_enter(s);
    s->lent_err[0] = '\0';
    if (s->writing)
        s->lent = writer_of(s->writers);
}

/* Lets the next writer in once this connection is out of its transaction (a failed
 * COMMIT leaves it open until the ROLLBACK), and, when it committed, returns once the
 * commit is on disk (sqlite_queue.h). Every statement of the transaction has been given
 * back: the writer is the next holder's. */
static int s_tx_leave(struct db *db, bool committed)
{
    struct sqlite_db *s = (struct sqlite_db *)db;
    if (!sqlite3_get_autocommit(conn_of(db)))
        return 0; /* a failed COMMIT: its ROLLBACK comes next */
    if (s->writing) {
        assert(s->lent == NULL || s->lent->handed == 0);
        s->lent = NULL;
        s->writing = false;
        queue_unlock(s->writers);
    }
    if (!committed || s->writers == NULL || s->not_durable)
        return 0;
    if (s->deferring) { /* on disk at db_sync() */
        s->deferred = queue_written(s->writers);
        return 0;
    }
    int rc = queue_durable(s->writers, s->lent_err, sizeof(s->lent_err));
    if (rc < 0)
        db_count_error();
    return rc;
}

static void drop_cached(struct cached_stmt *c)
{
    sqlite3_finalize(c->st->stmt);
    free(c->st);
    free(c->sql);
    memset(c, 0, sizeof(*c));
}

static void s_close(struct db *db)
{
    struct sqlite_db *s = (struct sqlite_db *)db;
    for (int i = 0; i < STMT_CACHE; i++)
        if (s->cache[i].sql)
            drop_cached(&s->cache[i]);
    sqlite3_close_v2(s->conn);
    /* a transaction left open on the writer is undone, and its statements given back,
     * before the next holder comes */
    if (s->lent) {
        for (int i = 0; i < STMT_CACHE; i++) {
            struct cached_stmt *c = &s->lent->cache[i];
            if (c->sql && c->in_use && c->st->base.db == db) {
                sqlite3_reset(c->st->stmt);
                sqlite3_clear_bindings(c->st->stmt);
                c->in_use = false;
                s->lent->handed--;
            }
        }
        if (!sqlite3_get_autocommit(s->lent->conn))
            sqlite3_exec(s->lent->conn, "ROLLBACK", NULL, NULL, NULL);
    }
    if (s->writing)
        queue_unlock(s->writers);
    struct sqlite_db *writer = queue_release(s->writers);
    if (writer)
        s_close(&writer->base);
    free(s);
}

static const char *s_errmsg(struct db *db)
{
    struct sqlite_db *s = (struct sqlite_db *)db;
    return s->lent_err[0] ? s->lent_err : sqlite3_errmsg(conn_of(db));
}

static int s_exec(struct db *db, const char *sql)
{
    struct sqlite_db *s = (struct sqlite_db *)db;
    /* lent_err is kept: the ROLLBACK after a commit whose sync failed must not hide why */
    int rc = sqlite3_exec(conn_of(db), sql, NULL, NULL, NULL);
    note_error(s, rc);
    return map_rc(rc);
}

static void bulk_on(sqlite3 *conn, bool on)
{
    sqlite3_exec(conn,
                 on ? "PRAGMA cache_size=-16384; PRAGMA wal_autocheckpoint=8192;"
                    : "PRAGMA cache_size=-2000; PRAGMA wal_autocheckpoint=1000;",
                 NULL, NULL, NULL);
}

/* db_bulk(): SQLite's defaults are a cache of 2 000 KiB and a checkpoint every 1 000 pages.
 * Set on the caller's connection (its reads) and on the writer (its transactions). */
static void s_bulk(struct db *db, bool on)
{
    struct sqlite_db *s = (struct sqlite_db *)db;
    bulk_on(s->conn, on);
    if (!on)
        sqlite3_db_release_memory(s->conn);
    /* the writer keeps its pages warm: back to the default size, nothing more freed */
    if (s->writers == NULL || s->writing)
        return;
    s_tx_enter(db); /* the writer is the turn's: taken as a transaction takes it */
    if (s->lent)
        bulk_on(s->lent->conn, on);
    s_tx_leave(db, false);
}

static void s_not_durable(struct db *db)
{
    ((struct sqlite_db *)db)->not_durable = true;
}

static void s_defer_sync(struct db *db)
{
    ((struct sqlite_db *)db)->deferring = true;
}

static int s_sync(struct db *db)
{
    struct sqlite_db *s = (struct sqlite_db *)db;
    int rc =
        s->deferred ? queue_wait(s->writers, s->deferred, s->lent_err, sizeof(s->lent_err)) : 0;
    s->deferring = false;
    s->deferred = 0;
    if (rc < 0)
        db_count_error();
    return rc;
}

/* The slot a new statement may take: a free one, else the least recently used idle one,
 * or NULL when every slot is in use. */
static struct cached_stmt *slot_for_new(struct sqlite_db *s)
{
    struct cached_stmt *best = NULL;
    for (int i = 0; i < STMT_CACHE; i++) {
        struct cached_stmt *c = &s->cache[i];
        if (c->sql == NULL)
            return c;
        if (!c->in_use && (best == NULL || c->last_used < best->last_used))
            best = c;
    }
    return best;
}

/* A statement of s's connection (the writer while lent) handed to db. */
static int s_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
    struct sqlite_db *caller = (struct sqlite_db *)db, *s = current(db);
    if (caller->lent == NULL)
        caller->lent_err[0] = '\0';
    s->uses++;
    size_t len = strlen(sql);
    for (int i = 0; i < STMT_CACHE; i++) {
        struct cached_stmt *c = &s->cache[i];
        if (c->sql && c->len == len && !c->in_use && memcmp(c->sql, sql, len) == 0) {
            s->stats.reuses++;
            s->handed++;
            c->in_use = true;
            c->last_used = s->uses;
            c->st->base.db = db;
            *out = &c->st->base;
            return 0;
        }
    }
    sqlite3_stmt *stmt;
    /* PERSISTENT: kept for long, so SQLite does not take its memory from the lookaside */
    int rc = sqlite3_prepare_v3(s->conn, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
    if (rc != SQLITE_OK) {
        note_error(caller, rc);
        return map_rc(rc);
    }
    s->stats.prepares++;
    struct sqlite_stmt *st = calloc(1, sizeof(*st));
    if (st == NULL) {
        sqlite3_finalize(stmt);
        return PD_E_INTERNAL;
    }
    s->handed++;
    st->base.db = db;
    st->home = s;
    st->stmt = stmt;
    struct cached_stmt *c = slot_for_new(s);
    char *copy = c ? strdup(sql) : NULL;
    if (copy) {
        if (c->sql) {
            drop_cached(c);
            s->stats.evictions++;
        }
        *c = (struct cached_stmt){
            .sql = copy, .len = len, .st = st, .in_use = true, .last_used = s->uses};
        st->cached = c;
    }
    *out = &st->base;
    return 0;
}

static void s_cache_stats(struct db *db, struct db_cache_stats *out)
{
    struct sqlite_db *s = (struct sqlite_db *)db;
    *out = s->stats;
    out->capacity = STMT_CACHE;
    for (int i = 0; i < STMT_CACHE; i++)
        out->cached += s->cache[i].sql != NULL;
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
    struct sqlite_stmt *ss = (struct sqlite_stmt *)st;
    struct sqlite_db *s = (struct sqlite_db *)st->db;
    /* A write outside a transaction queues like a transaction, until it is done (on the
     * caller's own connection: it is its own transaction) */
    if (!ss->writing && !s->writing && sqlite3_get_autocommit(ss->home->conn) &&
        !sqlite3_stmt_readonly(ss->stmt) && !sqlite3_stmt_busy(ss->stmt)) {
        queue_enter(s);
        ss->writing = true;
    }
    int rc = sqlite3_step(ss->stmt);
    note_error(s, rc);
    if (ss->writing && rc != SQLITE_ROW) {
        ss->writing = false;
        if (s_tx_leave(st->db, rc == SQLITE_DONE) < 0)
            return PD_E_DB;
    }
    return map_rc(rc);
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

static int s_param_count(struct db_stmt *st)
{
    return sqlite3_bind_parameter_count(stmt_of(st));
}

static int64_t s_changes(struct db_stmt *st)
{
    return sqlite3_changes64(((struct sqlite_stmt *)st)->home->conn);
}

/* A write statement left with rows unread commits when it is reset, and lets the next
 * writer in. */
static void stmt_done(struct db_stmt *st)
{
    struct sqlite_stmt *ss = (struct sqlite_stmt *)st;
    if (ss->writing) {
        ss->writing = false;
        s_tx_leave(st->db, true);
    }
}

static int s_reset(struct db_stmt *st)
{
    sqlite3_reset(stmt_of(st));
    stmt_done(st);
    return map_rc(sqlite3_clear_bindings(stmt_of(st)));
}

/* A cached statement goes back to its slot, reset and unbound; any other is finalized. */
static void s_finalize(struct db_stmt *st)
{
    struct sqlite_stmt *ss = (struct sqlite_stmt *)st;
    ss->home->handed--;
    if (ss->cached) {
        sqlite3_reset(ss->stmt);
        sqlite3_clear_bindings(ss->stmt);
        stmt_done(st);
        ss->cached->in_use = false;
        return;
    }
    sqlite3_finalize(ss->stmt);
    stmt_done(st);
    free(st);
}

static char *s_dialect(const char *sql)
{
    return strdup(sql);
}

/* The probe answers for every state of the lock (busy, locked, read-only: in out). */
static int s_health(struct db *db, int timeout_ms, struct db_health *out)
{
    struct sqlite_db *s = (struct sqlite_db *)db;
    int rc = sqlite_file_health(s->conn, s->writing ? NULL : s->writers, timeout_ms, out);
    return rc == SQLITE_OK ? 0 : map_rc(rc);
}

static int s_backup(struct db *db, const char *dest_path, struct pd_error *err)
{
    return sqlite_file_backup(((struct sqlite_db *)db)->conn, dest_path, err);
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
    .param_count = s_param_count,
    .reset = s_reset,
    .finalize = s_finalize,
    .begin_sql = "BEGIN IMMEDIATE",
    .tx_enter = s_tx_enter,
    .tx_leave = s_tx_leave,
    .dialect = s_dialect,
    .fts_condition = sqlite_fts_condition,
    .fts_query = sqlite_fts_query,
    .migration_lock_sql = NULL, /* BEGIN IMMEDIATE already holds the write lock */
    .backup = s_backup,
    .health = s_health,
    .cache_stats = s_cache_stats,
    .cache_forget = NULL, /* SQLite prepares a statement again when the schema changed */
    .bulk = s_bulk,
    .not_durable = s_not_durable,
    .defer_sync = s_defer_sync,
    .sync = s_sync,
};

int db_sqlite_open(const char *path, struct db **out, struct pd_error *err)
{
    sqlite3 *conn = NULL;
    int rc = sqlite_file_open(path, &conn, err);
    if (rc != SQLITE_OK)
        return map_rc(rc);
    struct sqlite_db *db = calloc(1, sizeof(*db));
    if (db == NULL) {
        sqlite3_close_v2(conn);
        return pd_fail(err, PD_E_INTERNAL, "out of memory");
    }
    db->base.ops = &sqlite_ops;
    db->base.kind = DB_SQLITE;
    db->conn = conn;
    db->not_durable = !sqlite_file_synced();
    db->writers = queue_acquire(sqlite3_db_filename(conn, "main"));
    *out = &db->base;
    return 0;
}
