/*
 * db_sqlite.c - the SQLite backend.
 *
 * One sqlite3 connection per struct db, opened in WAL mode (readers never wait for the
 * writer), with foreign keys on, a busy timeout so concurrent writers queue instead of
 * failing, and synchronous=NORMAL (durable at every checkpoint, safe in WAL).
 * Inside one process, the connections to one file take turns to write on a mutex
 * (struct writer_queue): SQLite's busy handler sleeps 1, 2, 5, 10... ms between tries,
 * which leaves the CPU idle while writers wait. Other processes meet the busy timeout.
 * Migrations are written for SQLite already (STRICT tables), so the dialect is identity.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "db_internal.h"

#define SQLITE_BUSY_MS db_busy_timeout_ms()

/* One per database file open in this process; connections share it. */
struct writer_queue {
    char *path;
    pthread_mutex_t mutex;
    int refs;
    struct writer_queue *next;
};

static pthread_mutex_t queues_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct writer_queue *queues;

/* Prepared statements kept per connection, by their SQL text: a request runs the same few
 * statements again and again, and preparing one costs as much as running a simple one. */
#define STMT_CACHE 96

struct sqlite_stmt;

struct cached_stmt {
    char *sql;              /* owned; NULL: a free slot */
    struct sqlite_stmt *st; /* owned */
    bool in_use;            /* handed out by s_prepare, not yet given back */
    uint64_t last_used;
};

struct sqlite_db {
    struct db base;
    sqlite3 *conn;
    struct writer_queue *writers; /* NULL for an in-memory database */
    bool writing;                 /* holds writers->mutex */
    struct cached_stmt cache[STMT_CACHE];
    uint64_t uses;
    struct db_cache_stats stats;
};

static struct writer_queue *queue_acquire(const char *path)
{
    if (path == NULL || path[0] == '\0')
        return NULL;
    pthread_mutex_lock(&queues_mutex);
    struct writer_queue *q = queues;
    while (q && strcmp(q->path, path) != 0)
        q = q->next;
    if (q == NULL && (q = calloc(1, sizeof(*q))) != NULL) {
        q->path = strdup(path);
        if (q->path == NULL) {
            free(q);
            q = NULL;
        } else {
            pthread_mutex_init(&q->mutex, NULL);
            q->next = queues;
            queues = q;
        }
    }
    if (q)
        q->refs++;
    pthread_mutex_unlock(&queues_mutex);
    return q;
}

static void queue_release(struct writer_queue *q)
{
    if (q == NULL)
        return;
    pthread_mutex_lock(&queues_mutex);
    if (--q->refs == 0) {
        struct writer_queue **pp = &queues;
        while (*pp != q)
            pp = &(*pp)->next;
        *pp = q->next;
        pthread_mutex_destroy(&q->mutex);
        free(q->path);
        free(q);
    }
    pthread_mutex_unlock(&queues_mutex);
}

struct sqlite_stmt {
    struct db_stmt base;
    sqlite3_stmt *stmt;
    bool writing;               /* a write outside a transaction, holding the writer queue */
    struct cached_stmt *cached; /* its cache slot, or NULL: finalized when done */
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

/* The CLOCK_REALTIME instant ms from now, for pthread_mutex_timedlock. */
static void deadline_in(struct timespec *t, int ms)
{
    clock_gettime(CLOCK_REALTIME, t);
    t->tv_sec += ms / 1000;
    t->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t->tv_nsec >= 1000000000L) {
        t->tv_sec++;
        t->tv_nsec -= 1000000000L;
    }
}

static void s_tx_enter(struct db *db)
{
    struct sqlite_db *s = (struct sqlite_db *)db;
    if (s->writers == NULL || s->writing)
        return;
    /* Waits as long as the busy timeout would; past it, SQLite's own locking decides
     * (so a thread that somehow holds two connections to one file cannot deadlock). */
    struct timespec until;
    deadline_in(&until, SQLITE_BUSY_MS);
    s->writing = pthread_mutex_timedlock(&s->writers->mutex, &until) == 0;
}

/* Lets the next writer in once this connection is out of its transaction (a failed
 * COMMIT leaves it open until the ROLLBACK). */
static void s_tx_leave(struct db *db)
{
    struct sqlite_db *s = (struct sqlite_db *)db;
    if (s->writing && sqlite3_get_autocommit(s->conn)) {
        s->writing = false;
        pthread_mutex_unlock(&s->writers->mutex);
    }
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
    if (s->writing)
        pthread_mutex_unlock(&s->writers->mutex);
    queue_release(s->writers);
    free(s);
}

static const char *s_errmsg(struct db *db)
{
    return sqlite3_errmsg(conn_of(db));
}

static int s_exec(struct db *db, const char *sql)
{
    return map_rc(sqlite3_exec(conn_of(db), sql, NULL, NULL, NULL));
}

/* db_bulk(): SQLite's defaults are a cache of 2 000 KiB and a checkpoint every 1 000 pages. */
static void s_bulk(struct db *db, bool on)
{
    sqlite3_exec(conn_of(db),
                 on ? "PRAGMA cache_size=-16384; PRAGMA wal_autocheckpoint=8192;"
                    : "PRAGMA cache_size=-2000; PRAGMA wal_autocheckpoint=1000;",
                 NULL, NULL, NULL);
    if (!on)
        sqlite3_db_release_memory(conn_of(db));
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

static int s_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
    struct sqlite_db *s = (struct sqlite_db *)db;
    s->uses++;
    for (int i = 0; i < STMT_CACHE; i++) {
        struct cached_stmt *c = &s->cache[i];
        if (c->sql && !c->in_use && strcmp(c->sql, sql) == 0) {
            s->stats.reuses++;
            c->in_use = true;
            c->last_used = s->uses;
            *out = &c->st->base;
            return 0;
        }
    }
    sqlite3_stmt *stmt;
    /* PERSISTENT: kept for long, so SQLite does not take its memory from the lookaside */
    int rc = sqlite3_prepare_v3(s->conn, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
    if (rc != SQLITE_OK)
        return map_rc(rc);
    s->stats.prepares++;
    struct sqlite_stmt *st = calloc(1, sizeof(*st));
    if (st == NULL) {
        sqlite3_finalize(stmt);
        return PD_E_INTERNAL;
    }
    st->base.db = db;
    st->stmt = stmt;
    struct cached_stmt *c = slot_for_new(s);
    char *copy = c ? strdup(sql) : NULL;
    if (copy) {
        if (c->sql) {
            drop_cached(c);
            s->stats.evictions++;
        }
        *c = (struct cached_stmt){.sql = copy, .st = st, .in_use = true, .last_used = s->uses};
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
    /* A write outside a transaction queues like a transaction, until it is done */
    if (!ss->writing && !s->writing && sqlite3_get_autocommit(s->conn) &&
        !sqlite3_stmt_readonly(ss->stmt) && !sqlite3_stmt_busy(ss->stmt)) {
        s_tx_enter(st->db);
        ss->writing = s->writing;
    }
    int rc = sqlite3_step(ss->stmt);
    if (ss->writing && rc != SQLITE_ROW) {
        ss->writing = false;
        s_tx_leave(st->db);
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

static int64_t s_changes(struct db_stmt *st)
{
    return sqlite3_changes64(conn_of(st->db));
}

/* A write statement left with rows unread lets the next writer in when it is reset. */
static void stmt_done(struct db_stmt *st)
{
    struct sqlite_stmt *ss = (struct sqlite_stmt *)st;
    if (ss->writing) {
        ss->writing = false;
        s_tx_leave(st->db);
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

/* Full-text search: the rows of <table>_fts (FTS5, unicode61 remove_diacritics 2), whose
 * rowid is the row's; the column, if any, is named in the query (fts_query). */
static int s_fts_condition(const char *table, const char *alias, const char *column, char *out,
                           size_t n)
{
    (void)column;
    int len = snprintf(out, n, "%s.rowid IN (SELECT rowid FROM %s_fts WHERE %s_fts MATCH ?)", alias,
                       table, table);
    return len < 0 || (size_t)len >= n ? PD_E_INTERNAL : 0;
}

/* Every word as a prefix, in the column when one is named: name : "conseil"* AND ...;
 * words are letters and digits only, so quoting them cannot break the expression. */
static int s_fts_query(const char *const words[], int nwords, const char *column, char *out,
                       size_t n)
{
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; i < nwords; i++) {
        int len = snprintf(out + o, n - o, "%s%s%s\"%s\"*", i ? " AND " : "", column ? column : "",
                           column ? " : " : "", words[i]);
        if (len < 0 || (size_t)len >= n - o)
            return PD_E_INTERNAL;
        o += (size_t)len;
    }
    return 0;
}

/* Takes the write lock as a writer would (this process's queue, then SQLite's lock),
 * within timeout_ms, and lets it go at once: nothing is written. */
static int s_health(struct db *db, int timeout_ms, struct db_health *out)
{
    struct sqlite_db *s = (struct sqlite_db *)db;
    const char *path = sqlite3_db_filename(s->conn, "main");
    out->read_only = sqlite3_db_readonly(s->conn, "main") == 1;
    if (path && path[0]) {
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s", path);
        char *slash = strrchr(dir, '/');
        if (slash)
            *(slash == dir ? slash + 1 : slash) = '\0';
        struct statvfs fs;
        if (statvfs(slash ? dir : ".", &fs) == 0)
            out->free_bytes = (int64_t)fs.f_bavail * (int64_t)fs.f_frsize;
    }
    bool queued = false;
    if (s->writers && !s->writing) {
        struct timespec until;
        deadline_in(&until, timeout_ms);
        if (pthread_mutex_timedlock(&s->writers->mutex, &until) != 0)
            return 0; /* this process's writers hold it longer than the probe waits */
        queued = true;
    }
    sqlite3_busy_timeout(s->conn, timeout_ms);
    int rc = sqlite3_exec(s->conn, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc == SQLITE_OK) {
        out->writable = !out->read_only;
        sqlite3_exec(s->conn, "ROLLBACK", NULL, NULL, NULL);
    }
    sqlite3_busy_timeout(s->conn, SQLITE_BUSY_MS);
    if (queued)
        pthread_mutex_unlock(&s->writers->mutex);
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED || rc == SQLITE_OK ||
        (rc & 0xff) == SQLITE_READONLY)
        return 0;
    return map_rc(rc);
}

/* Copies the database page by page, 256 pages a step, letting writers in between steps;
 * a write by another connection restarts the copy, so the file is one consistent state. */
static int s_backup(struct db *db, const char *dest_path, struct pd_error *err)
{
    struct sqlite_db *s = (struct sqlite_db *)db;
    sqlite3 *dest = NULL;
    if (access(dest_path, F_OK) == 0)
        return pd_fail(err, PD_E_CONFLICT, "%s exists already; backups never overwrite", dest_path);
    int rc = sqlite3_open_v2(dest_path, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    sqlite3_backup *b = rc == SQLITE_OK ? sqlite3_backup_init(dest, "main", s->conn, "main") : NULL;
    if (b == NULL) {
        pd_fail(err, PD_E_DB, "cannot write %s: %s", dest_path,
                dest ? sqlite3_errmsg(dest) : sqlite3_errstr(rc));
        sqlite3_close_v2(dest);
        unlink(dest_path);
        return PD_E_DB;
    }
    do {
        rc = sqlite3_backup_step(b, 256);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            usleep(10 * 1000);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(b);
    if (rc == SQLITE_DONE)
        rc = sqlite3_exec(dest, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
    if (rc != SQLITE_DONE && rc != SQLITE_OK) {
        pd_fail(err, PD_E_DB, "backup to %s failed: %s", dest_path, sqlite3_errmsg(dest));
        sqlite3_close_v2(dest);
        unlink(dest_path);
        return PD_E_DB;
    }
    sqlite3_close_v2(dest);
    return 0;
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
    .tx_enter = s_tx_enter,
    .tx_leave = s_tx_leave,
    .dialect = s_dialect,
    .fts_condition = s_fts_condition,
    .fts_query = s_fts_query,
    .migration_lock_sql = NULL, /* BEGIN IMMEDIATE already holds the write lock */
    .backup = s_backup,
    .health = s_health,
    .cache_stats = s_cache_stats,
    .cache_forget = NULL, /* SQLite prepares a statement again when the schema changed */
    .bulk = s_bulk,
};

int db_sqlite_open(const char *path, struct db **out, struct pd_error *err)
{
    sqlite3 *conn = NULL;
    int rc = sqlite3_open_v2(
        path, &conn, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
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
    db->writers = queue_acquire(sqlite3_db_filename(conn, "main"));
    *out = &db->base;
    return 0;
}
