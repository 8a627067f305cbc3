/*
 * jobs/jobs.c - the job table and the scheduler loop.
 *
 * The loop waits in the mailbox of service/job_requests.c: until its next periodic pass
 * is due, until an operator asks for a pass, or until it is stopped, which is therefore
 * immediate between passes. Each pass loads the shared test clock first, so jobs see the
 * same date as the API, and its report answers every request made before it began.
 */
#include "jobs/jobs.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "db/db.h"
#include "jobs/deliver.h"
#include "jobs/vies.h"
#include "log.h"
#include "service/clock_sync.h"
#include "service/dashboard.h"
#include "service/benefits.h"
#include "service/housekeeping.h"
#include "service/job_requests.h"
#include "service/notices.h"
#include "service/payment_recovery.h"
#include "service/referrals.h"
#include "service/refunds.h"
#include "service/wire.h"
#include "service/renewals.h"
#include "service/support.h"
#include "service/tx.h"

/* `jobs run` on a terminal shows how far a long renewal pass got. */
static bool show_progress;

static void print_progress(int done, int total)
{
    printf("\r%-24s %d/%d", "auto_renewal", done, total);
    if (done == total)
        printf("\r%*s\r", 48, "");
    fflush(stdout);
}

static int auto_renewal(const struct tx_workers *w)
{
    return renewals_run(w, show_progress ? print_progress : NULL);
}

/* In this order: payments left unknown first, and wire orders past their due date (an open
 * renewal order keeps the automatic renewal from trying: once it has expired, the try is
 * made in the same pass), then the day's renewals and notices, then whatever they made goes
 * out. */
const struct job jobs_table[] = {
    {"payment_recovery", .run = payment_recovery_run},
    {"wire_expiry", .run = wire_expiry_run},
    {"auto_renewal", .run_spread = auto_renewal},
    {"notices", .run_spread = notices_run},
    {"support_autoclose", .run = support_autoclose_run},
    {"refund_retry", .run = refunds_retry_run},
    {"vies_check", .run = vies_check_run},
    {"referral_expiry", .run = referral_expiry_run},
    {"referral_retention", .run = referral_retention_run},
    {"benefits", .run_spread = benefits_run}, /* issue 18: before the delivery of what it writes */
    {"outbox_delivery", .run_spread = outbox_delivery_run},
    {"idempotency_expiry", .run = housekeeping_idempotency_run},
    {"day_counts", .run = dashboard_fold_run}, /* last: after every job that changes subscriptions */
    {0},
};

/* The one jobs thread of a process. */
struct jobs_runner {
    pthread_t thread;
    int interval_s;          /* 0: passes on request only */
    struct tx_workers conns; /* the thread's own connections; owned */
};

void jobs_workers_open(struct db *db, const char *db_url, int workers, struct tx_workers *w)
{
    w->n = 1;
    w->db[0] = db;
    /* on SQLite another connection would only wait for this one's writes */
    while (db_writes_at_once(db) && w->n < workers && w->n < TX_WORKERS_MAX) {
        struct pd_error err = {0};
        if (db_open(db_url, &w->db[w->n], &err) < 0) {
            log_line(LOG_WARN, NULL, "jobs", "connection=%d of %d not opened: %s", w->n + 1,
                     workers, err.message);
            pd_error_clear(&err);
            break;
        }
        w->n++;
    }
    log_line(LOG_INFO, NULL, "jobs", "connections=%d", w->n);
}

void jobs_workers_close(struct tx_workers *w)
{
    for (int k = 1; k < w->n; k++)
        db_close(w->db[k]);
    w->n = 1;
}

int jobs_run_once(const struct tx_workers *w, bool verbose, json_t *report)
{
    struct db *db = w->db[0];
    int first_failure = 0, n = 0;
    show_progress = verbose && isatty(STDOUT_FILENO);
    clock_sync(db);
    for (int k = 0; k < w->n; k++)
        db_bulk(w->db[k], true);
    for (const struct job *j = jobs_table; j->name && !job_requests_closing(); j++, n++) {
        /* its processor time: this thread's and its helpers' (tx_workers_run) */
        int64_t t0 = clock_monotonic_us(), c0 = clock_thread_cpu_us() + clock_helpers_cpu_us();
        int rc = j->run_spread ? j->run_spread(w) : j->run(db);
        int64_t dur = clock_monotonic_us() - t0;
        int64_t cpu = clock_thread_cpu_us() + clock_helpers_cpu_us() - c0;
        log_line(rc < 0 ? LOG_ERROR : LOG_INFO, NULL, "job", "name=%s done=%d dur_us=%lld cpu_us=%lld",
                 j->name, rc < 0 ? 0 : rc, (long long)dur, (long long)cpu);
        if (verbose)
            printf("%-24s %s (%d)\n", j->name, rc < 0 ? "failed" : "ok", rc);
        if (report)
            json_array_append_new(report, json_pack("{s:s, s:b, s:i}", "name", j->name, "ok",
                                                    rc >= 0, "done", rc < 0 ? 0 : rc));
        if (rc < 0 && first_failure == 0)
            first_failure = rc;
    }
    for (int k = 0; k < w->n; k++)
        db_bulk(w->db[k], false);
    if (verbose && n == 0)
        printf("no job is registered in this version\n");
    return first_failure;
}

static void *loop(void *arg)
{
    struct jobs_runner *jr = arg;
    /* the first periodic pass at once, the next interval_s after its end */
    int64_t next_at = jr->interval_s ? clock_monotonic_us() : 0;
    for (;;) {
        enum job_wake why = job_requests_wait(next_at);
        if (why == JOB_WAKE_STOP)
            break;
        uint64_t ticket = job_requests_begin();
        json_t *report = json_array();
        /* idle for a minute: the database may have restarted meanwhile; a helper that
         * cannot be reached again sits this pass out (the pass's own connection fails the
         * pass as before) */
        struct tx_workers pass = {.n = 1, .db = {jr->conns.db[0]}};
        db_revive(pass.db[0]);
        for (int k = 1; k < jr->conns.n; k++) {
            if (db_revive(jr->conns.db[k]) == 0)
                pass.db[pass.n++] = jr->conns.db[k];
            else
                log_line(LOG_WARN, NULL, "jobs", "connection=%d unavailable: %s", k,
                         db_errmsg(jr->conns.db[k]));
        }
        jobs_run_once(&pass, false, report);
        job_requests_done(ticket, report);
        if (why == JOB_WAKE_TIME)
            next_at = clock_monotonic_us() + (int64_t)jr->interval_s * 1000000;
    }
    return NULL;
}

int jobs_start(const char *db_url, int interval_s, int workers, struct jobs_runner **out)
{
    struct pd_error err = {0};
    struct db *db;
    struct jobs_runner *jr = calloc(1, sizeof(*jr));
    if (jr == NULL)
        return PD_E_INTERNAL;
    if (db_open(db_url, &db, &err) < 0) {
        fprintf(stderr, "partnerd: jobs: %s\n", err.message);
        pd_error_clear(&err);
        free(jr);
        return PD_E_DB;
    }
    jobs_workers_open(db, db_url, workers, &jr->conns);
    jr->interval_s = interval_s;
    job_requests_open();
    if (pthread_create(&jr->thread, NULL, loop, jr) != 0) {
        job_requests_close();
        jobs_workers_close(&jr->conns);
        db_close(db);
        free(jr);
        return PD_E_INTERNAL;
    }
    *out = jr;
    return 0;
}

void jobs_stop(struct jobs_runner *jr)
{
    if (jr == NULL)
        return;
    job_requests_close();
    pthread_join(jr->thread, NULL);
    jobs_workers_close(&jr->conns);
    db_close(jr->conns.db[0]);
    free(jr);
}
