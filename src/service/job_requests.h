/*
 * service/job_requests.h - the mailbox between an API call that wants a pass of the jobs
 * and the jobs thread that runs it.
 *
 * The jobs (SMTP, webhook POSTs, charges) never run on an HTTP worker. POST
 * /api/v1/admin/jobs/run calls job_requests_run(), which asks the process's jobs thread for
 * a pass and waits for it, bounded; the jobs thread waits in job_requests_wait() and
 * reports each pass with job_requests_begin()/job_requests_done(). A pass answers every
 * request made before it began: requests that arrive during a pass wait for the next one,
 * so their caller sees everything written before it asked. One mailbox per process.
 */
#ifndef PD_SERVICE_JOB_REQUESTS_H
#define PD_SERVICE_JOB_REQUESTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

struct db;

/* Why job_requests_wait() returned. */
enum job_wake {
    JOB_WAKE_ASKED, /* a pass was asked */
    JOB_WAKE_TIME,  /* the time given came */
    JOB_WAKE_STOP   /* job_requests_close() was called */
};

/* The API side: asks for a pass and waits up to wait_ms for its end, away from the
 * request's database connection db (db_away: the pass runs on the jobs' own). 0 and *report
 * (the pass's [{"name","ok","done"}], a new reference) when it ended in time; 1 when it has
 * not ended yet (it still runs, or will); PD_E_UNAVAILABLE with err when no jobs thread
 * serves this process. */
int job_requests_run(struct db *db, int wait_ms, json_t **report, struct pd_error *err);

/* The jobs thread: from now on passes asked are served. */
void job_requests_open(void);

/* The jobs thread: no more passes are served; whoever waits, and the jobs thread in
 * job_requests_wait(), is told at once. */
void job_requests_close(void);

/* True from job_requests_close() until the next job_requests_open(): a pass in progress
 * then stops between two steps (two jobs, two deliveries), so that a stop signal is not
 * held up by a whole pass (webhooks that time out one after the other). Never true in a
 * process without a jobs thread (`partnerd jobs run`). */
bool job_requests_closing(void);

/* The jobs thread: waits until a pass is asked, until the monotonic instant until_us
 * (clock_monotonic_us(); 0: no limit) or until the mailbox closes. */
enum job_wake job_requests_wait(int64_t until_us);

/* The jobs thread: a pass begins; returns its ticket for job_requests_done(). */
uint64_t job_requests_begin(void);

/* The jobs thread: the pass of ticket ended with report (ownership taken), which answers
 * every request made before it began. */
void job_requests_done(uint64_t ticket, json_t *report);

#endif
