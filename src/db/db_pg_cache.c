/*
 * db_pg_cache.c - PostgreSQL statements prepared once per connection.
 *
 * A request runs the same few statements again and again; sent with PQexecParams, each
 * one is parsed, analysed and planned again by the server. Here each connection keeps
 * up to PG_STMT_CACHE statements prepared on the server, by their SQL text and the types
 * of their parameters (an integer parameter is typed int8, any other is left for the
 * server to infer, so one text bound once as NULL and once as an integer are two
 * statements). The least recently used is closed (DEALLOCATE) when room is needed.
 *
 * Round trips: the first run of a statement sends its Parse and its execution together,
 * and a transaction's BEGIN waits for the transaction's first statement and goes with it
 * (libpq's pipeline mode), so neither costs a round trip of its own. DEALLOCATEs wait for
 * a moment outside any transaction and go, in their own pipeline segment (a failure
 * there touches nothing else), in front of the next statement.
 *
 * A write nothing reads before the commit (db_write()) is sent without waiting for its
 * answer, when its statement is prepared already and its transaction's BEGIN went: the
 * connection stays in pipeline mode, and the transaction's next statement, or its COMMIT,
 * goes behind it and reads every answer in the same round trip. (A statement new to the
 * connection, a plain exec and a ROLLBACK read them first, in a round trip of their own.)
 * The first failure among them is that statement's failure. After db_defer_sync(), a write
 * outside any transaction is sent so too, with a Sync of its own (its own transaction):
 * its failure is kept for db_sync(), and fails no other statement.
 *
 * What can make a prepared statement wrong: a lost connection (pg_ready() opens a new one
 * and forgets them all), and a schema change that alters the columns a statement returns
 * ("cached plan must not change result type"): that statement is prepared again and, when
 * no transaction was open, run again at once; in a transaction the error stands (the
 * transaction is lost anyway) and the next run prepares it afresh. After this connection
 * migrated the schema, db.c forgets them all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "db_pg.h"

static uint64_t hash_key(const char *sql, const char *sig)
{
    /* the SQL and the parameters' types, a 0 byte between */
    return hash64_str(hash64(hash64_str(HASH64_START, sql), "", 1), sig);
}

static void statement_name(uint64_t id, char *out, size_t n)
{
    snprintf(out, n, "pd_%llu", (unsigned long long)id);
}

static struct pg_cached *cache_find(struct pg_db *p, const char *sql, const char *sig,
                                    uint64_t hash)
{
    for (int i = 0; i < PG_STMT_CACHE; i++) {
        struct pg_cached *c = &p->cache[i];
        if (c->key && c->hash == hash && strcmp(c->key, sql) == 0 &&
            strcmp(c->key + c->sql_len + 1, sig) == 0)
            return c;
    }
    return NULL;
}

static void cache_free(struct pg_db *p, struct pg_cached *c)
{
    free(c->key);
    memset(c, 0, sizeof(*c));
    p->stats.cached--;
}

/* Sends the pending DEALLOCATEs now, in one round trip, when they can no longer wait
 * (inside a transaction, every name in the list exists on this connection). */
static void close_now(struct pg_db *p)
{
    char sql[PG_CLOSE_MAX * 40] = "", name[32];
    size_t o = 0;
    for (int i = 0; i < p->nclosing; i++) {
        statement_name(p->closing[i], name, sizeof(name));
        o += (size_t)snprintf(sql + o, sizeof(sql) - o, "DEALLOCATE %s;", name);
    }
    p->nclosing = 0;
    if (PQtransactionStatus(p->conn) == PQTRANS_INERROR)
        return; /* refused until the ROLLBACK: the names stay on the server until reconnect */
    PQclear(PQexec(p->conn, sql));
}

/* Drops c from the cache; its server statement is closed later. */
static void cache_drop(struct pg_db *p, struct pg_cached *c)
{
    if (p->nclosing == PG_CLOSE_MAX)
        close_now(p);
    p->closing[p->nclosing++] = c->id;
    cache_free(p, c);
}

/* A new entry for sql and sig, evicting the least recently used one when full; NULL
 * without memory. */
static struct pg_cached *cache_add(struct pg_db *p, const char *sql, const char *sig, uint64_t hash)
{
    struct pg_cached *slot = NULL;
    for (int i = 0; i < PG_STMT_CACHE && (slot == NULL || slot->key); i++)
        if (slot == NULL || p->cache[i].key == NULL || p->cache[i].last_used < slot->last_used)
            slot = &p->cache[i];
    if (slot->key) {
        cache_drop(p, slot);
        p->stats.evictions++;
    }
    size_t n = strlen(sql), m = strlen(sig);
    char *key = malloc(n + m + 2);
    if (key == NULL)
        return NULL;
    memcpy(key, sql, n + 1);
    memcpy(key + n + 1, sig, m + 1);
    *slot = (struct pg_cached){.key = key, .sql_len = n, .hash = hash, .id = ++p->next_id};
    p->stats.cached++;
    return slot;
}

void pg_cache_clear(struct pg_db *p, bool server)
{
    for (int i = 0; i < PG_STMT_CACHE; i++)
        if (p->cache[i].key)
            cache_free(p, &p->cache[i]);
    p->nclosing = 0;
    p->close_all = server;
}

/* The statement's place in the pipeline, to read its results back in order. */
enum step { CLOSE, BEGIN, PARSE, EXECUTE, SYNC };

/* Sends the pipeline; false when the connection refused it. */
static bool send_pipeline(struct pg_db *p, const enum step *steps, int n, const char *name,
                          const char *sql, int nparams, const unsigned int *types,
                          const char *const *values)
{
    PGconn *conn = p->conn;
    char close[48];
    int c = 0;
    bool ok = true;
    for (int i = 0; i < n && ok; i++) {
        switch (steps[i]) {
        case CLOSE:
            if (p->close_all)
                snprintf(close, sizeof(close), "DEALLOCATE ALL");
            else {
                char victim[32];
                statement_name(p->closing[c++], victim, sizeof(victim));
                snprintf(close, sizeof(close), "DEALLOCATE %s", victim);
            }
            ok = PQsendQueryParams(conn, close, 0, NULL, NULL, NULL, NULL, 0);
            break;
        case BEGIN:
            ok = PQsendQueryParams(conn, "BEGIN", 0, NULL, NULL, NULL, NULL, 0);
            break;
        case PARSE:
            ok = PQsendPrepare(conn, name, sql, nparams, types);
            break;
        case EXECUTE:
            ok = PQsendQueryPrepared(conn, name, nparams, values, NULL, NULL, 0);
            break;
        case SYNC:
            ok = PQpipelineSync(conn);
            break;
        }
    }
    return ok;
}

static bool ok_result(PGresult *res)
{
    ExecStatusType t = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    return t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK;
}

/* "cached plan must not change result type": the schema moved under the statement. */
static bool stale_plan(PGresult *res)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *text = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    return state && strcmp(state, "0A000") == 0 && text && strstr(text, "cached plan");
}

/* Reads the answers of the first n statements sent before (the writes pg_send_later()
 * sent, and what pg_drain() sent behind them) and forgets the writes: the first failure into
 * *failed when it holds none yet. Returns the place of the failure it stored, or -1. A
 * write whose plan went stale is noted, to be prepared afresh at its next run
 * (stale_dropped()). */
static int read_deferred(struct pg_db *p, int n, PGresult **failed)
{
    int at = -1;
    for (int i = 0; i < n && PQstatus(p->conn) == CONNECTION_OK; i++) {
        bool write = i < p->deferred, own = write && p->sent[i].own;
        PGresult *r;
        while ((r = PQgetResult(p->conn)) != NULL) {
            bool ok = ok_result(r);
            if (!ok && write && stale_plan(r))
                p->stale_id = p->sent[i].id;
            if (!ok && own && p->sync_rc == 0) { /* a transaction of its own: for db_sync() */
                p->sync_rc = pg_fail_result(p, r);
                snprintf(p->sync_err, sizeof(p->sync_err), "%s", p->err);
            }
            if (!ok && !own && *failed == NULL) {
                *failed = r;
                at = i;
            } else
                PQclear(r);
        }
        if (own) /* its Sync's answer, PGRES_PIPELINE_SYNC, with no NULL after it */
            PQclear(PQgetResult(p->conn));
    }
    p->deferred = 0;
    return at;
}

/* The status of a write's failure read with another statement's answer: a broken
 * constraint is that write's own, not the statement's (which may take PD_E_DB_CONSTRAINT
 * for a row it meant to insert existing already), so the caller hears PD_E_DB. */
static int earlier_failure(struct pg_db *p, PGresult *res)
{
    int rc = pg_fail_result(p, res);
    if (rc != PD_E_DB_CONSTRAINT)
        return rc;
    db_count_error();
    return PD_E_DB;
}

/* Out of pipeline mode: drops the statement read_deferred() found stale, as pg_run() does
 * its own. */
static void stale_dropped(struct pg_db *p)
{
    for (int k = 0; p->stale_id && k < PG_STMT_CACHE; k++)
        if (p->cache[k].key && p->cache[k].id == p->stale_id)
            cache_drop(p, &p->cache[k]);
    p->stale_id = 0;
}

/* Leaves pipeline mode, every answer read; refused while answers are unread, which happens
 * only when the connection broke mid-way. */
static void leave_pipeline(PGconn *conn)
{
    for (int i = 0; i < 8 && !PQexitPipelineMode(conn); i++) {
        PGresult *r = PQgetResult(conn);
        if (r == NULL && PQstatus(conn) != CONNECTION_OK)
            break;
        PQclear(r);
    }
}

/* Runs steps in one round trip, behind the writes sent before; the result of the first
 * failing one of those writes and the steps BEGIN, PARSE and EXECUTE, else EXECUTE's, goes
 * to *out, *earlier telling whether it is a write's. *parsed tells whether PARSE
 * succeeded. */
static void run_pipeline(struct pg_db *p, const enum step *steps, int n, const char *name,
                         const char *sql, int nparams, const unsigned int *types,
                         const char *const *values, PGresult **out, bool *parsed, bool *earlier)
{
    PGconn *conn = p->conn;
    *out = NULL;
    *parsed = false;
    *earlier = false;
    if (!PQenterPipelineMode(conn))
        return;
    if (send_pipeline(p, steps, n, name, sql, nparams, types, values)) {
        *earlier = read_deferred(p, p->deferred, out) >= 0;
        for (int i = 0; i < n && PQstatus(conn) == CONNECTION_OK; i++) {
            PGresult *r;
            if (steps[i] == SYNC) { /* one result, PGRES_PIPELINE_SYNC, and no NULL after */
                if ((r = PQgetResult(conn)) == NULL)
                    break;
                PQclear(r);
                continue;
            }
            while ((r = PQgetResult(conn)) != NULL) {
                ExecStatusType t = PQresultStatus(r);
                bool ok = t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK;
                if (steps[i] == PARSE)
                    *parsed = ok;
                if (*out == NULL && steps[i] != CLOSE && (!ok || steps[i] == EXECUTE))
                    *out = r; /* the first failure, or the execution's rows */
                else
                    PQclear(r);
            }
        }
    }
    p->deferred = 0; /* their answers are gone with the connection if not read above */
    leave_pipeline(conn);
    stale_dropped(p);
}

/* One attempt: 0 and *out, or the failed result in *out (NULL: the connection), *earlier
 * telling whether it is a write's sent before (pg_send_later()). */
static int attempt(struct pg_db *p, const char *sql, const char *sig, int nparams,
                   const unsigned int *types, const char *const *values, PGresult **out,
                   struct pg_cached **used, bool *earlier)
{
    *earlier = false;
    bool closing =
        (p->nclosing || p->close_all) && !p->in_tx && PQtransactionStatus(p->conn) == PQTRANS_IDLE;
    if (closing && p->close_all) /* also drops what was prepared since it was asked */
        pg_cache_clear(p, true);
    uint64_t hash = hash_key(sql, sig);
    struct pg_cached *c = cache_find(p, sql, sig, hash);
    bool fresh = c == NULL;
    if (fresh)
        c = cache_add(p, sql, sig, hash);
    *used = c;
    if (c == NULL) { /* out of memory for the cache: unnamed, as before */
        *out = PQexecParams(p->conn, sql, nparams, types, values, NULL, NULL, 0);
        return ok_result(*out) ? 0 : -1;
    }
    c->last_used = ++p->uses;
    char name[32];
    statement_name(c->id, name, sizeof(name));
    if (!fresh && !p->begin_pending && !closing && p->deferred == 0) {
        p->stats.reuses++;
        *out = PQexecPrepared(p->conn, name, nparams, values, NULL, NULL, 0);
        return ok_result(*out) ? 0 : -1;
    }
    enum step steps[PG_CLOSE_MAX + 5];
    int n = 0;
    if (closing) {
        for (int i = 0; i < (p->close_all ? 1 : p->nclosing); i++)
            steps[n++] = CLOSE;
        steps[n++] = SYNC;
    }
    if (p->begin_pending)
        steps[n++] = BEGIN;
    if (fresh)
        steps[n++] = PARSE;
    steps[n++] = EXECUTE;
    steps[n++] = SYNC;
    bool parsed;
    run_pipeline(p, steps, n, name, sql, nparams, types, values, out, &parsed, earlier);
    if (closing) {
        p->nclosing = 0;
        p->close_all = false;
    }
    p->begin_pending = false; /* sent: a failed BEGIN fails the statement too */
    if (fresh)
        p->stats.prepares++;
    else
        p->stats.reuses++;
    if (fresh && !parsed) { /* nothing by that name on the server */
        cache_free(p, c);
        *used = NULL;
    }
    return ok_result(*out) ? 0 : -1;
}

/* The cache key's letters for types: 'i' int8, 't' inferred. */
static void signature(const unsigned int *types, int nparams, char sig[DB_MAX_PARAMS + 1])
{
    for (int i = 0; i < nparams; i++)
        sig[i] = types[i] == PG_INT8OID ? 'i' : 't';
    sig[nparams] = '\0';
}

int pg_run(struct pg_db *p, const char *sql, int nparams, const unsigned int *types,
           const char *const *values, PGresult **out)
{
    char sig[DB_MAX_PARAMS + 1];
    signature(types, nparams, sig);
    *out = NULL;
    int rc = pg_ready(p);
    if (rc < 0)
        return rc;
    /* a statement to prepare first may evict one, whose DEALLOCATE cannot go in a pipeline:
     * the writes sent before are read first, in a round trip of their own */
    if (p->deferred && cache_find(p, sql, sig, hash_key(sql, sig)) == NULL &&
        (rc = pg_drain(p, NULL)) < 0)
        return rc;
    for (int tries = 0;; tries++) {
        bool autocommit = !p->in_tx;
        struct pg_cached *used;
        PGresult *res;
        bool earlier;
        if (attempt(p, sql, sig, nparams, types, values, &res, &used, &earlier) == 0) {
            *out = res;
            return 0;
        }
        if (earlier) { /* this statement was not run */
            rc = earlier_failure(p, res);
            PQclear(res);
            return rc;
        }
        if (res && stale_plan(res) && used) {
            cache_drop(p, used); /* prepared afresh at its next run */
            if (autocommit && tries == 0) {
                PQclear(res);
                continue;
            }
        }
        rc = pg_fail_result(p, res);
        PQclear(res);
        return rc;
    }
}

int pg_send_later(struct pg_db *p, const char *sql, int nparams, const unsigned int *types,
                  const char *const *values)
{
    char sig[DB_MAX_PARAMS + 1], name[32];
    signature(types, nparams, sig);
    struct pg_cached *c = NULL;
    bool own = !p->in_tx && p->defer_sync; /* a transaction of its own */
    if (((p->in_tx && !p->begin_pending) || own) && PQstatus(p->conn) == CONNECTION_OK)
        c = cache_find(p, sql, sig, hash_key(sql, sig));
    if (c == NULL) { /* its first run here, or no transaction under way: at once */
        PGresult *res;
        int rc = pg_run(p, sql, nparams, types, values, &res);
        PQclear(res);
        return rc;
    }
    if (p->deferred == PG_DEFER_MAX) { /* their answers are read before more are sent */
        int rc = pg_drain(p, NULL);
        if (rc < 0)
            return rc;
    }
    c->last_used = ++p->uses;
    statement_name(c->id, name, sizeof(name));
    if (p->deferred == 0 && !PQenterPipelineMode(p->conn))
        return pg_fail_result(p, NULL);
    if (!PQsendQueryPrepared(p->conn, name, nparams, values, NULL, NULL, 0) ||
        (own && !PQpipelineSync(p->conn))) {
        int rc = pg_fail_result(p, NULL);
        pg_drain(p, NULL);
        return rc;
    }
    p->sent[p->deferred++] = (struct pg_sent){.id = c->id, .own = own};
    p->stats.reuses++;
    return 0;
}

int pg_drain(struct pg_db *p, const char *then)
{
    PGconn *conn = p->conn;
    PGresult *failed = NULL;
    bool sent = (then == NULL || PQsendQueryParams(conn, then, 0, NULL, NULL, NULL, NULL, 0)) &&
                PQpipelineSync(conn);
    int writes = p->deferred, at = -1;
    if (sent) { /* then's answer is read with theirs */
        at = read_deferred(p, writes + (then != NULL), &failed);
        PQclear(PQgetResult(conn)); /* PGRES_PIPELINE_SYNC, with no NULL after it */
    }
    p->deferred = 0;
    leave_pipeline(conn);
    stale_dropped(p);
    int rc = sent && failed == NULL   ? 0
             : at >= 0 && at < writes ? earlier_failure(p, failed)
                                      : pg_fail_result(p, failed);
    PQclear(failed);
    return rc;
}

void pg_defer_sync(struct pg_db *p)
{
    p->defer_sync = true;
}

int pg_sync(struct pg_db *p)
{
    int rc = p->deferred ? pg_drain(p, NULL) : 0;
    if (rc == 0 && (rc = p->sync_rc) < 0)
        snprintf(p->err, sizeof(p->err), "%s", p->sync_err);
    p->sync_rc = 0;
    p->defer_sync = false;
    return rc;
}
