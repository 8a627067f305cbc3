/* service/tx.c - beginning and ending a use case's transaction. */
#include "service/tx.h"

#include <pthread.h>
#include <stdbool.h>

#include "core/clock.h"
#include "core/fault.h"
#include "db/db.h"
#include "log.h"

int tx_begin(struct db *db, struct pd_error *err)
{
    int rc = db_begin(db);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    return 0;
}

int tx_end(struct db *db, int rc, struct pd_error *err)
{
    if (rc >= 0 && (rc = db_commit(db)) >= 0)
        return 0;
    db_rollback(db);
    if (err->code == PD_OK)
        pd_fail(err, rc, "%s", db_errmsg(db));
    return err->code;
}

int tx_end_answer(struct db *db, int rc, json_t **out, struct pd_error *err)
{
    if ((rc = tx_end(db, rc, err)) < 0 && *out) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* Steps from to to in one transaction, after the batch's begin: the count that wrote, or
 * negative. */
static int steps_in(struct db *db, int from, int to, const struct tx_batch_job *job)
{
    struct pd_error err = {0};
    int wrote = 0, rc = tx_begin(db, &err);
    if (rc >= 0 && job->begin)
        rc = job->begin(db, from, to, job->ctx);
    for (int i = from; rc >= 0 && i < to; i++)
        if ((rc = job->step(db, i, job->ctx)) > 0)
            wrote += rc;
    if (rc >= 0 && to - from > 1 && fault_fail(job->name)) /* tests: the path below */
        rc = PD_E_DB;
    rc = tx_end(db, rc < 0 ? rc : 0, &err);
    pd_error_clear(&err);
    return rc < 0 ? rc : wrote;
}

/* Transactions first, first + stride, ... of a batch job (tx_batch_job() when 0 and 1). */
static int share_of(struct db *db, int n, int per_tx, const struct tx_batch_job *job, int first_tx,
                    int stride)
{
    int wrote = 0, first = 0;
    for (int from = first_tx * per_tx; from < n; from += stride * per_tx) {
        int to = from + per_tx < n ? from + per_tx : n;
        int rc = steps_in(db, from, to, job);
        if (rc >= 0) {
            wrote += rc;
            continue;
        }
        log_line(LOG_WARN, NULL, "tx_batch", "failed=%s steps=%d error=%d: one by one", job->name,
                 to - from, rc);
        for (int i = from; i < to; i++) { /* one by one */
            int one = steps_in(db, i, i + 1, job);
            if (one < 0 && first == 0)
                first = one;
            wrote += one > 0 ? one : 0;
        }
    }
    return first < 0 ? first : wrote;
}

int tx_batch_job(struct db *db, int n, int per_tx, const struct tx_batch_job *job)
{
    return share_of(db, n, per_tx, job, 0, 1);
}

/* One connection's part of tx_workers_run(). */
struct part {
    struct db *db;
    int (*fn)(struct db *db, int k, void *arg);
    void *arg;
    pthread_t thread;
    int k;
    int rc;
};

static void *part_run(void *arg)
{
    struct part *p = arg;
    p->rc = p->fn(p->db, p->k, p->arg);
    return NULL;
}

static void *helper_run(void *arg)
{
    part_run(arg);
    clock_helper_ends();
    return NULL;
}

int tx_workers_run(const struct tx_workers *w, int used, int (*fn)(struct db *db, int k, void *arg),
                   void *arg, int *results)
{
    struct part parts[TX_WORKERS_MAX];
    bool started[TX_WORKERS_MAX] = {false};
    int k, first = 0;
    if (used > w->n)
        used = w->n;
    for (k = 0; k < used; k++)
        parts[k] = (struct part){.db = w->db[k], .k = k, .fn = fn, .arg = arg};
    /* the helpers' parts on threads of their own; one that cannot start is done here */
    for (k = 1; k < used; k++)
        started[k] = pthread_create(&parts[k].thread, NULL, helper_run, &parts[k]) == 0;
    for (k = 0; k < used; k++) {
        if (k == 0 || !started[k])
            part_run(&parts[k]);
        else
            pthread_join(parts[k].thread, NULL);
    }
    for (k = 0; k < used; k++) {
        if (results)
            results[k] = parts[k].rc;
        if (parts[k].rc < 0 && first == 0)
            first = parts[k].rc;
    }
    return first;
}

int tx_workers_parts(const struct tx_workers *w, int n)
{
    return n < w->n ? n : w->n;
}

void tx_workers_part(int n, int k, int parts, int *from, int *to)
{
    *from = n * k / parts;
    *to = n * (k + 1) / parts;
}

/* tx_batch_spread()'s batch, and connection k's share of it: transactions k, k + used... */
struct spread {
    int n, per_tx, used;
    const struct tx_batch_job *jobs;
};

static int spread_share(struct db *db, int k, void *arg)
{
    const struct spread *s = arg;
    return share_of(db, s->n, s->per_tx, &s->jobs[k], k, s->used);
}

int tx_batch_spread(const struct tx_workers *w, int n, int per_tx, const struct tx_batch_job jobs[])
{
    int transactions = (n + per_tx - 1) / per_tx, results[TX_WORKERS_MAX] = {0};
    struct spread s = {.n = n, .per_tx = per_tx, .jobs = jobs};
    s.used = tx_workers_parts(w, transactions);
    int first = tx_workers_run(w, s.used, spread_share, &s, results), wrote = 0;
    for (int k = 0; k < s.used; k++)
        wrote += results[k] > 0 ? results[k] : 0;
    return first < 0 ? first : wrote;
}

int tx_batch(struct db *db, int n, int per_tx, const char *name,
             int (*step)(struct db *db, int i, void *ctx), void *ctx)
{
    struct tx_batch_job job = {.name = name, .step = step, .ctx = ctx};
    return tx_batch_job(db, n, per_tx, &job);
}
