/* service/tx.c - beginning and ending a use case's transaction. */
#include "service/tx.h"

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

int tx_batch_job(struct db *db, int n, int per_tx, const struct tx_batch_job *job)
{
    int wrote = 0, first = 0;
    for (int from = 0; from < n; from += per_tx) {
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

int tx_batch(struct db *db, int n, int per_tx, const char *name,
             int (*step)(struct db *db, int i, void *ctx), void *ctx)
{
    struct tx_batch_job job = {.name = name, .step = step, .ctx = ctx};
    return tx_batch_job(db, n, per_tx, &job);
}
