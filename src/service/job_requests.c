/*
 * service/job_requests.c - the mailbox of the jobs thread.
 *
 * Three counters under one mutex tell the whole story. `asked` counts the requests made;
 * a request's ticket is its number. When a pass begins, `begun` takes the value of
 * `asked`: that pass answers every ticket up to it. When it ends, `answered` takes the
 * same value and the pass's report is kept until the next one ends. A request is served
 * once `answered` reaches its ticket, whoever made the pass (asked for, or the thread's
 * own periodic pass that began after the request). One condition variable, on the
 * monotonic clock, wakes both sides; every change broadcasts it.
 */
#include "service/job_requests.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "core/clock.h"
#include "db/db.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed;
static pthread_once_t changed_once = PTHREAD_ONCE_INIT;
static bool serving;                    /* a jobs thread serves the mailbox */
static _Atomic bool closing;            /* job_requests_close() was called */
static uint64_t asked, begun, answered; /* tickets, see above */
static json_t *last_report;             /* of the latest pass ended; owned here */

static void changed_init(void)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&changed, &attr);
    pthread_condattr_destroy(&attr);
}

/* Waits for a change until the monotonic instant until_us (0: no limit); false when that
 * instant came. Called with lock held. */
static bool wait_change(int64_t until_us)
{
    if (until_us == 0)
        return pthread_cond_wait(&changed, &lock) == 0;
    struct timespec ts = {.tv_sec = (time_t)(until_us / 1000000),
                          .tv_nsec = (long)(until_us % 1000000) * 1000};
    return pthread_cond_timedwait(&changed, &lock, &ts) != ETIMEDOUT;
}

int job_requests_run(struct db *db, int wait_ms, json_t **report, struct pd_error *err)
{
    pthread_once(&changed_once, changed_init);
    int64_t until = clock_monotonic_us() + (int64_t)wait_ms * 1000;
    int rc = 1;
    db_away(db); /* the pass uses the jobs' own connections: another request may use this */
    pthread_mutex_lock(&lock);
    if (serving) {
        uint64_t ticket = ++asked;
        pthread_cond_broadcast(&changed);
        while (serving && answered < ticket && clock_monotonic_us() < until)
            wait_change(until);
        if (answered >= ticket && last_report) {
            *report = json_deep_copy(last_report);
            rc = 0;
        }
    }
    if (rc == 1 && !serving)
        rc = pd_fail(err, PD_E_UNAVAILABLE, "no jobs thread serves this process");
    pthread_mutex_unlock(&lock);
    db_back(db);
    return rc;
}

void job_requests_open(void)
{
    pthread_once(&changed_once, changed_init);
    pthread_mutex_lock(&lock);
    serving = true;
    atomic_store(&closing, false);
    pthread_mutex_unlock(&lock);
}

bool job_requests_closing(void)
{
    return atomic_load(&closing);
}

void job_requests_close(void)
{
    pthread_once(&changed_once, changed_init);
    pthread_mutex_lock(&lock);
    serving = false;
    atomic_store(&closing, true);
    json_decref(last_report);
    last_report = NULL;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}

enum job_wake job_requests_wait(int64_t until_us)
{
    pthread_once(&changed_once, changed_init);
    pthread_mutex_lock(&lock);
    while (serving && asked == begun && (until_us == 0 || clock_monotonic_us() < until_us))
        wait_change(until_us);
    enum job_wake why = !serving ? JOB_WAKE_STOP : asked != begun ? JOB_WAKE_ASKED : JOB_WAKE_TIME;
    pthread_mutex_unlock(&lock);
    return why;
}

uint64_t job_requests_begin(void)
{
    pthread_mutex_lock(&lock);
    uint64_t ticket = begun = asked;
    pthread_mutex_unlock(&lock);
    return ticket;
}

void job_requests_done(uint64_t ticket, json_t *report)
{
    pthread_once(&changed_once, changed_init);
    pthread_mutex_lock(&lock);
    json_decref(last_report);
    last_report = serving ? report : NULL; /* nobody waits for it after close */
    if (last_report == NULL)
        json_decref(report);
    if (ticket > answered)
        answered = ticket;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}
