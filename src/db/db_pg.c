/*
 * db_pg.c - the PostgreSQL backend (libpq).
 *
 * Statements are written with `?` placeholders; prepare rewrites them to $1..$n outside
 * string literals and quoted identifiers. Parameters travel in text format; integers are
 * typed int8 so comparisons with integer columns need no cast, text is left for the
 * server to infer. A statement runs at its first db_step(), prepared on the server once
 * per connection (db_pg_cache.c), and its rows are read from the PGresult afterwards.
 *
 * A transaction's BEGIN is sent with its first statement, not on its own; a transaction
 * that ran nothing sends nothing. A connection lost outside a transaction is opened again
 * at the next statement (the one that saw it lost fails). Migration SQL is translated by
 * db_pg_dialect.c.
 */
#include <stdbool.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_pg.h"

struct pg_stmt {
    struct db_stmt base;
    char *sql;
    int nparams;
    char **values; /* nparams of each, NULL when none */
    unsigned int *types;
    PGresult *res;
    int row;     /* next row to return */
    int current; /* row being read */
    int64_t changes;
};

static struct pg_db *pg(struct db *db)
{
    return (struct pg_db *)db;
}

static struct pg_stmt *pst(struct db_stmt *st)
{
    return (struct pg_stmt *)st;
}

int pg_fail_result(struct pg_db *db, PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    snprintf(db->err, sizeof(db->err), "%s",
             res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn));
    if (state && strncmp(state, "23", 2) == 0)
        return PD_E_DB_CONSTRAINT;
    db_count_error();
    if (state &&
        (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0))
        return PD_E_DB_BUSY;
    return PD_E_DB;
}

static void p_close(struct db *db)
{
    pg_cache_clear(pg(db), false); /* the server drops them with the session */
    PQfinish(pg(db)->conn);
    free(db);
}

static const char *p_errmsg(struct db *db)
{
    return pg(db)->err[0] ? pg(db)->err : PQerrorMessage(pg(db)->conn);
}

/* Runs sql (one or more statements, no parameters), after the pending BEGIN if any. */
static int p_exec(struct db *db, const char *sql)
{
    struct pg_db *p = pg(db);
    char *with_begin = NULL;
    int rc = pg_ready(p);
    if (rc < 0 || (p->deferred && (rc = pg_drain(p, NULL)) < 0))
        return rc;
    if (p->begin_pending) {
        size_t n = strlen(sql);
        if ((with_begin = malloc(n + 8)) == NULL)
            return PD_E_INTERNAL;
        memcpy(with_begin, "BEGIN;\n", 7);
        memcpy(with_begin + 7, sql, n + 1);
        p->begin_pending = false;
    }
    PGresult *res = PQexec(p->conn, with_begin ? with_begin : sql);
    free(with_begin);
    ExecStatusType s = PQresultStatus(res);
    rc = (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) ? 0 : pg_fail_result(p, res);
    PQclear(res);
    return rc;
}

/* BEGIN waits for the transaction's first statement (pg_run, p_exec). */
static int p_begin(struct db *db)
{
    struct pg_db *p = pg(db);
    p->in_tx = true;
    p->begin_pending = true;
    return 0;
}

static int p_end(struct db *db, bool commit)
{
    struct pg_db *p = pg(db);
    int rc = 0;
    /* writes sent and not waited for: the COMMIT goes behind them, in their round trip; a
     * ROLLBACK would not be run there after a failure, so it goes after, and a write's
     * failure is not the rollback's */
    if (p->deferred) {
        /* (writes of their own before a transaction that ran nothing: no COMMIT to send) */
        bool with_commit = commit && !p->begin_pending;
        rc = pg_drain(p, with_commit ? "COMMIT" : NULL);
        if (rc == 0 && with_commit) {
            p->in_tx = false;
            return 0;
        }
        if (!commit)
            rc = 0;
        else if (rc < 0)
            commit = false; /* a write or the COMMIT failed: whatever is left is rolled back */
    }
    /* a statement failed in it: PostgreSQL answers COMMIT with ROLLBACK, and says so only
     * in the command tag; the caller must hear that nothing was written */
    if (commit && !p->begin_pending && PQtransactionStatus(p->conn) == PQTRANS_INERROR) {
        snprintf(p->err, sizeof(p->err), "the transaction had failed: rolled back");
        db_count_error();
        commit = false;
        rc = PD_E_DB;
    }
    if (!p->begin_pending) {
        PGresult *res = PQexec(p->conn, commit ? "COMMIT" : "ROLLBACK");
        if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == 0)
            rc = pg_fail_result(p, res);
        PQclear(res);
    }
    p->in_tx = false;
    p->begin_pending = false;
    return rc;
}

static int pg_reconnect(struct pg_db *p);

int pg_ready(struct pg_db *p)
{
    if (PQstatus(p->conn) == CONNECTION_OK)
        return 0;
    if (p->in_tx && !p->begin_pending) { /* what it did is gone: only the ROLLBACK remains */
        snprintf(p->err, sizeof(p->err), "the connection to PostgreSQL was lost in a transaction");
        db_count_error();
        return PD_E_DB;
    }
    return pg_reconnect(p);
}

/* Opens p's connection again, with none of the old one's prepared statements. */
static int pg_reconnect(struct pg_db *p)
{
    pg_cache_clear(p, false);
    if (p->deferred && p->sync_rc == 0) { /* for db_sync(): what became of them is unknown */
        p->sync_rc = PD_E_DB;
        snprintf(p->sync_err, sizeof(p->sync_err),
                 "the connection to PostgreSQL was lost before writes sent were answered");
    }
    p->deferred = 0; /* their answers went with the old connection */
    p->stats.reconnects++;
    PQreset(p->conn);
    if (PQstatus(p->conn) != CONNECTION_OK) {
        snprintf(p->err, sizeof(p->err), "%s", PQerrorMessage(p->conn));
        db_count_error();
        return PD_E_DB;
    }
    pg_setup(p);
    return 0;
}

/* An idle connection is sent nothing unless the server is closing it (its last words,
 * FATAL: terminating connection ..., then the end of file): whatever arrived, it is opened
 * again before it is used. */
static int p_revive(struct db *db)
{
    struct pg_db *p = pg(db);
    struct pollfd fd = {.fd = PQsocket(p->conn), .events = POLLIN};
    int rc = 0;
    if (p->deferred) /* answers are due on the socket: not the server's last words */
        pg_drain(p, NULL);
    if (!p->in_tx && PQstatus(p->conn) == CONNECTION_OK && fd.fd >= 0 && poll(&fd, 1, 0) > 0)
        rc = pg_reconnect(p);
    else
        rc = pg_ready(p);
    return rc < 0 ? PD_E_UNAVAILABLE : 0;
}

static void p_defer_sync(struct db *db)
{
    pg_defer_sync(pg(db));
}

static int p_sync(struct db *db)
{
    return pg_sync(pg(db));
}

static void p_cache_stats(struct db *db, struct db_cache_stats *out)
{
    *out = pg(db)->stats;
    out->capacity = PG_STMT_CACHE;
}

static void p_cache_forget(struct db *db)
{
    pg_cache_clear(pg(db), true);
}

/* Copies sql replacing each `?` outside quotes by $n; counts them into *n. */
static char *number_placeholders(const char *sql, int *n)
{
    size_t len = strlen(sql);
    char *out = malloc(len * 4 + 1);
    char quote = 0;
    size_t o = 0;
    *n = 0;
    if (out == NULL)
        return NULL;
    for (const char *p = sql; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
            out[o++] = *p;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
            out[o++] = *p;
        } else if (*p == '?') {
            o += (size_t)sprintf(out + o, "$%d", ++*n);
        } else {
            out[o++] = *p;
        }
    }
    out[o] = '\0';
    return out;
}

static int p_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
    struct pg_stmt *st = calloc(1, sizeof(*st));
    if (st == NULL)
        return PD_E_INTERNAL;
    st->base.db = db;
    st->sql = number_placeholders(sql, &st->nparams);
    if (st->sql == NULL || st->nparams > DB_MAX_PARAMS) {
        snprintf(pg(db)->err, sizeof(pg(db)->err), "too many parameters (%d)", st->nparams);
        free(st->sql);
        free(st);
        return PD_E_INTERNAL;
    }
    if (st->nparams > 0) {
        st->values = calloc((size_t)st->nparams, sizeof(*st->values));
        st->types = calloc((size_t)st->nparams, sizeof(*st->types));
        if (st->values == NULL || st->types == NULL) {
            free(st->values);
            free(st->types);
            free(st->sql);
            free(st);
            return PD_E_INTERNAL;
        }
    }
    st->current = -1;
    *out = &st->base;
    return 0;
}

static int set_param(struct db_stmt *s, int idx, char *value, unsigned int type)
{
    struct pg_stmt *st = pst(s);
    if (idx < 1 || idx > st->nparams) {
        free(value);
        snprintf(pg(s->db)->err, sizeof(pg(s->db)->err), "no parameter %d", idx);
        return PD_E_INTERNAL;
    }
    free(st->values[idx - 1]);
    st->values[idx - 1] = value;
    st->types[idx - 1] = type;
    return 0;
}

static int p_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
    char tmp[24];
    snprintf(tmp, sizeof(tmp), "%lld", (long long)v);
    return set_param(st, idx, strdup(tmp), PG_INT8OID);
}

static int p_bind_text(struct db_stmt *st, int idx, const char *s)
{
    return set_param(st, idx, s ? strdup(s) : NULL, 0);
}

static int p_bind_null(struct db_stmt *st, int idx)
{
    return set_param(st, idx, NULL, 0);
}

static int p_step(struct db_stmt *s)
{
    struct pg_stmt *st = pst(s);
    if (st->res == NULL) {
        int rc = pg_run(pg(s->db), st->sql, st->nparams, st->types, (const char *const *)st->values,
                        &st->res);
        if (rc < 0)
            return rc;
        const char *tuples = PQcmdTuples(st->res);
        st->changes = tuples && *tuples ? strtoll(tuples, NULL, 10) : 0;
        st->row = 0;
    }
    if (st->row < PQntuples(st->res)) {
        st->current = st->row++;
        return DB_ROW;
    }
    st->current = -1;
    return DB_DONE;
}

static int p_step_later(struct db_stmt *s)
{
    struct pg_stmt *st = pst(s);
    int rc = pg_ready(pg(s->db));
    return rc < 0 ? rc
                  : pg_send_later(pg(s->db), st->sql, st->nparams, st->types,
                                  (const char *const *)st->values);
}

static int64_t p_column_int64(struct db_stmt *s, int col)
{
    struct pg_stmt *st = pst(s);
    if (st->current < 0 || PQgetisnull(st->res, st->current, col))
        return 0;
    const char *v = PQgetvalue(st->res, st->current, col);
    if (strcmp(v, "t") == 0) /* booleans from expressions such as EXISTS */
        return 1;
    return strtoll(v, NULL, 10);
}

static const char *p_column_text(struct db_stmt *s, int col)
{
    struct pg_stmt *st = pst(s);
    if (st->current < 0 || PQgetisnull(st->res, st->current, col))
        return NULL;
    return PQgetvalue(st->res, st->current, col);
}

static bool p_column_is_null(struct db_stmt *s, int col)
{
    struct pg_stmt *st = pst(s);
    return st->current < 0 || PQgetisnull(st->res, st->current, col);
}

static int p_param_count(struct db_stmt *s)
{
    return pst(s)->nparams;
}

static int64_t p_changes(struct db_stmt *s)
{
    return pst(s)->changes;
}

static int p_reset(struct db_stmt *s)
{
    struct pg_stmt *st = pst(s);
    PQclear(st->res);
    st->res = NULL;
    st->current = -1;
    for (int i = 0; i < st->nparams; i++) {
        free(st->values[i]);
        st->values[i] = NULL;
        st->types[i] = 0;
    }
    return 0;
}

static void p_finalize(struct db_stmt *s)
{
    p_reset(s);
    free(pst(s)->values);
    free(pst(s)->types);
    free(pst(s)->sql);
    free(s);
}

/* Full-text search: the tsvector column <column>_tsv ("search_tsv" for every column)
 * against a tsquery of the pd_search configuration (unaccent, then simple). */
static int p_fts_condition(const char *table, const char *alias, const char *column, char *out,
                           size_t n)
{
    (void)table;
    int len = snprintf(out, n, "%s.%s_tsv @@ to_tsquery('pd_search', ?)", alias,
                       column ? column : "search");
    return len < 0 || (size_t)len >= n ? PD_E_INTERNAL : 0;
}

/* Every word as a prefix: 'conseil':* & 'systeme':*; words are letters and digits only. */
static int p_fts_query(const char *const words[], int nwords, const char *column, char *out,
                       size_t n)
{
    (void)column; /* the column is the condition's tsvector */
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; i < nwords; i++) {
        int len = snprintf(out + o, n - o, "%s'%s':*", i ? " & " : "", words[i]);
        if (len < 0 || (size_t)len >= n - o)
            return PD_E_INTERNAL;
        o += (size_t)len;
    }
    return 0;
}

/* A standby or a read-only setting refuses writes; the server's disk is not ours to see. */
static int p_health(struct db *db, int timeout_ms, struct db_health *out)
{
    struct pg_db *p = (struct pg_db *)db;
    char sql[200];
    int rc = pg_ready(p);
    if (rc < 0 || (p->deferred && (rc = pg_drain(p, NULL)) < 0))
        return rc;
    /* one round trip: the three statements in one message, every result read */
    snprintf(sql, sizeof(sql),
             "SET statement_timeout = %d; SELECT (pg_is_in_recovery() OR "
             "current_setting('transaction_read_only') = 'on')::int; RESET statement_timeout",
             timeout_ms);
    rc = PD_E_DB;
    if (PQsendQuery(p->conn, sql)) {
        PGresult *res;
        while ((res = PQgetResult(p->conn)) != NULL) {
            if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
                out->read_only = strcmp(PQgetvalue(res, 0, 0), "1") == 0;
                out->writable = !out->read_only;
                rc = 0;
            }
            PQclear(res);
        }
    }
    return rc;
}

static const struct db_ops pg_ops = {
    .close = p_close,
    .errmsg = p_errmsg,
    .exec = p_exec,
    .prepare = p_prepare,
    .bind_int64 = p_bind_int64,
    .bind_text = p_bind_text,
    .bind_null = p_bind_null,
    .step = p_step,
    .step_later = p_step_later,
    .column_int64 = p_column_int64,
    .column_text = p_column_text,
    .column_is_null = p_column_is_null,
    .changes = p_changes,
    .param_count = p_param_count,
    .reset = p_reset,
    .finalize = p_finalize,
    .begin_sql = "BEGIN",
    .begin = p_begin,
    .end = p_end,
    .cache_stats = p_cache_stats,
    .cache_forget = p_cache_forget,
    .revive = p_revive,
    .defer_sync = p_defer_sync,
    .sync = p_sync,
    .health = p_health,
    .dialect = pg_dialect,
    .fts_condition = p_fts_condition,
    .fts_query = p_fts_query,
    .migration_lock_sql = "SELECT pg_advisory_xact_lock(7302419)",
};

void pg_setup(struct pg_db *p)
{
    char setup[160];
    snprintf(setup, sizeof(setup),
             "SET TIME ZONE 'UTC'; SET client_min_messages = warning; SET lock_timeout = %d",
             db_busy_timeout_ms());
    PQclear(PQexec(p->conn, setup));
}

/* Silences the server's NOTICEs ("relation already exists, skipping") on stderr. */
static void quiet_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

int db_pg_open(const char *url, struct db **out, struct pd_error *err)
{
    PGconn *conn = PQconnectdb(url);
    if (PQstatus(conn) != CONNECTION_OK) {
        /* PQerrorMessage never contains the password */
        pd_fail(err, PD_E_DB, "cannot connect to PostgreSQL: %s", PQerrorMessage(conn));
        PQfinish(conn);
        db_count_error();
        return PD_E_DB;
    }
    PQsetNoticeProcessor(conn, quiet_notice, NULL);
    struct pg_db *db = calloc(1, sizeof(*db));
    if (db == NULL) {
        PQfinish(conn);
        return pd_fail(err, PD_E_INTERNAL, "out of memory");
    }
    db->base.ops = &pg_ops;
    db->base.kind = DB_POSTGRES;
    db->conn = conn;
    pg_setup(db);
    *out = &db->base;
    return 0;
}
