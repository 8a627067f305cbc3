/*
 * db_pg.h - the PostgreSQL backend's connection, shared by db_pg.c (the backend's
 * operations) and db_pg_cache.c (statements prepared once per connection). Private to
 * src/db/.
 */
#ifndef PD_DB_PG_H
#define PD_DB_PG_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "db_internal.h"

#define PG_INT8OID 20
/* Server-side statements kept per connection: the store's statements, with room for the
 * variants its filters build. Past it, the least recently used one is closed. */
#define PG_STMT_CACHE 256
/* Evicted statements waiting for their DEALLOCATE. */
#define PG_CLOSE_MAX 32
/* db_write()s sent before their answers are read: bounds the statements and answers held
 * in libpq's buffers, and the writes one failure leaves unrun. */
#define PG_DEFER_MAX 256

/* A write sent without waiting for its answer (pg_send_later()). */
struct pg_sent {
    uint64_t id; /* its cached statement's */
    bool own;    /* a transaction of its own (db_defer_sync()), followed by a Sync */
};

/* One statement prepared on the server, named pd_<id>. */
struct pg_cached {
    char *key;      /* numbered SQL, '\0', one letter per parameter (i: int8, t: inferred); */
    size_t sql_len; /* NULL key: a free slot */
    uint64_t hash;
    uint64_t last_used;
    uint64_t id;
};

struct pg_db {
    struct db base;
    PGconn *conn;
    char err[512];
    bool in_tx;         /* between db_begin() and its COMMIT or ROLLBACK */
    bool begin_pending; /* BEGIN not sent yet: it travels with the next statement */
    int deferred;       /* db_write()s sent, their answers unread (pipeline mode is on) */
    struct pg_sent sent[PG_DEFER_MAX]; /* those writes, in the order sent */
    bool defer_sync;                   /* db_defer_sync(): writes outside a transaction too */
    int sync_rc;                       /* the first of those that failed, for db_sync() */
    char sync_err[512];
    uint64_t stale_id; /* a write's statement whose plan went stale: dropped once out of
                          pipeline mode */
    struct pg_cached cache[PG_STMT_CACHE];
    uint64_t uses;    /* a clock for last_used */
    uint64_t next_id; /* names are never reused on one connection */
    uint64_t closing[PG_CLOSE_MAX];
    int nclosing;
    bool close_all; /* DEALLOCATE ALL before the next statement outside a transaction */
    struct db_cache_stats stats;
};

/* Keeps the error text of res (or of the connection when res is NULL) and maps its
 * SQLSTATE to a pd_status, counting the error. */
int pg_fail_result(struct pg_db *p, PGresult *res);

/* Opens the connection again when it was lost, outside a transaction (statements
 * prepared on the lost one are forgotten). 0, or PD_E_DB. */
int pg_ready(struct pg_db *p);

/* Session settings of a new connection: UTC, quiet notices, the lock timeout. */
void pg_setup(struct pg_db *p);

/* Runs the numbered statement sql with its parameters (types: PG_INT8OID or 0 each):
 * prepared on the server the first time it is seen with these parameter types, then
 * executed by name. A pending BEGIN, the first Parse and the pending DEALLOCATEs go in the
 * same round trip as the execution (libpq's pipeline mode). 0 and *out (PQclear it), or
 * a negative status with the error kept. */
int pg_run(struct pg_db *p, const char *sql, int nparams, const unsigned int *types,
           const char *const *values, PGresult **out);

/* Sends the numbered statement sql and does not wait for its answer (db_write()), when it
 * can go so: prepared on this connection before, and in a transaction whose BEGIN went or,
 * after db_defer_sync(), outside any (a transaction of its own, whose failure db_sync()
 * reports). Otherwise it runs at once. 0, or a negative status with the error kept. */
int pg_send_later(struct pg_db *p, const char *sql, int nparams, const unsigned int *types,
                  const char *const *values);

/* Sends then (a statement without parameters, or NULL) behind the writes pg_send_later()
 * sent, reads all their answers in one round trip and leaves pipeline mode: 0, or the
 * status of the first that failed, its error kept (a failed write's, and then then was not
 * run). */
int pg_drain(struct pg_db *p, const char *then);

/* db_defer_sync() and db_sync(): writes outside a transaction are sent without waiting
 * (pg_send_later()) until pg_sync(), which reads their answers: 0, or the first failure's
 * status with its error kept. */
void pg_defer_sync(struct pg_db *p);
int pg_sync(struct pg_db *p);

/* Forgets every cached statement: closed on the server (server true) or gone with a lost
 * connection. */
void pg_cache_clear(struct pg_db *p, bool server);

#endif
