/*
 * service/tx.h - the one way a use case begins and ends its transaction.
 *
 *     if ((rc = tx_begin(db, err)) < 0)
 *         return rc;
 *     rc = ...the use case's reads and writes...;
 *     return tx_end(db, rc, err);
 *
 * tx_end() commits when everything went well and rolls back otherwise, so a use case
 * has one exit and never leaves a transaction open. Only service/ begins transactions.
 */
#ifndef PD_SERVICE_TX_H
#define PD_SERVICE_TX_H

#include <jansson.h>
#include <stdint.h>

#include "core/error.h"

struct db;

/* Begins a transaction (SQLite: BEGIN IMMEDIATE). 0, or a negative status with err. */
int tx_begin(struct db *db, struct pd_error *err);

/* Ends it: commits when rc >= 0 and returns 0 (or the commit's failure); rolls back when
 * rc < 0. On failure err says why (a failure already in err is kept) and its code is
 * returned. */
int tx_end(struct db *db, int rc, struct pd_error *err);

/* tx_end() for a use case that built its answer *out inside the transaction: on failure
 * the answer is dropped (*out NULL). */
int tx_end_answer(struct db *db, int rc, json_t **out, struct pd_error *err);

/* A job's n steps, per_tx to a transaction: step(db, i, ctx) does step i in the caller's
 * transaction and returns 1 when it wrote what the job counts, 0 when not, negative when
 * the database failed. A transaction that fails (a deadlock with another server on
 * PostgreSQL, a full disk) is logged under name and done again one step to a transaction,
 * so its other steps still are; in tests, name is also the fault point that fails a
 * transaction of more than one step. The steps that wrote, or the first failure. */
int tx_batch(struct db *db, int n, int per_tx, const char *name,
             int (*step)(struct db *db, int i, void *ctx), void *ctx);

/* A job for tx_batch_job(): tx_batch()'s name, step and ctx, and a begin (may be NULL). */
struct tx_batch_job {
    const char *name;
    int (*begin)(struct db *db, int from, int to, void *ctx);
    int (*step)(struct db *db, int i, void *ctx);
    void *ctx;
};

/* tx_batch() whose every transaction runs begin(db, from, to, ctx) first, for its steps
 * [from, to): what they would read alike, or each one's row, read once for them (begin may
 * write it into ctx for the steps). It runs again in each transaction of the one-by-one
 * retries; a begin that fails (negative) fails its transaction as a step would. */
int tx_batch_job(struct db *db, int n, int per_tx, const struct tx_batch_job *job);

/* The connections a job pass spreads its transactions over: its own, db[0], and on
 * PostgreSQL helpers of their own (jobs/jobs.c opens them: `--jobs-workers`), so that
 * several server processes work at once. SQLite writes one transaction at a time: a pass
 * there has its own alone. */
#define TX_WORKERS_MAX 8
struct tx_workers {
    int n; /* 1 to TX_WORKERS_MAX */
    struct db *db[TX_WORKERS_MAX];
};

/* tx_batch_job() with its transactions spread over w's connections at once: transaction t
 * (steps t * per_tx onwards) runs on connection t % w->n with jobs[t % w->n], one job per
 * connection, since each job's ctx is for its begin and steps alone; what they share
 * through it must be read-only. Connection 0's share runs on the calling thread, each
 * other's on a thread of its own, all done before it returns. The steps that wrote, or
 * the first failure (the other transactions are still done, as in tx_batch_job()). */
int tx_batch_spread(const struct tx_workers *w, int n, int per_tx, const struct tx_batch_job jobs[]);

/* Runs fn(w->db[k], k, arg) for connections k = 0 to used - 1 (at most w->n) at once: 0 on
 * the calling thread, each other on a thread of its own, all returned before this does (one
 * whose thread cannot start runs after 0, on the calling thread). Each one's result goes
 * into results[k] when results is not NULL. The first failure (negative) in k's order, or 0. */
int tx_workers_run(const struct tx_workers *w, int used, int (*fn)(struct db *db, int k, void *arg),
                   void *arg, int *results);

/* How many parts n items are cut into over w's connections: one for each, at most n. */
int tx_workers_parts(const struct tx_workers *w, int n);

/* Part k of n items cut into parts nearly equal parts, in order: items [*from, *to). */
void tx_workers_part(int n, int k, int parts, int *from, int *to);


#endif
