/*
 * jobs/jobs.h - the scheduler: the work done with nobody at the keyboard.
 *
 * A job is a service function that does one pass of its work from the business date of
 * the one clock and is idempotent (running it twice does the work once). `partnerd jobs
 * run` runs one pass of every job; `partnerd serve` starts one jobs thread, which runs a
 * pass every interval (unless --no-jobs) and whenever an operator asks for one through
 * POST /api/v1/admin/jobs/run (service/job_requests.h), --no-jobs or not. No job runs on
 * an HTTP worker.
 */
#ifndef PD_JOBS_H
#define PD_JOBS_H

#include <jansson.h>
#include <stdbool.h>

struct db;
struct jobs_runner;
struct tx_workers;

struct job {
    const char *name;
    /* One pass. Returns the number of items done (>= 0) or a negative status. */
    int (*run)(struct db *db);
    /* Or one pass of a job that spreads its transactions over the pass's connections. */
    int (*run_spread)(const struct tx_workers *w);
};

/* How many connections a pass spreads its long jobs over by default (`--jobs-workers`), on
 * PostgreSQL: each is a server process of its own working at once. SQLite has one. */
#define JOBS_WORKERS_DEFAULT 2

/* The registered jobs, in the order of a pass, ending with a zeroed entry. */
extern const struct job jobs_table[];

/* A pass's connections: db as w->db[0] and, when the engine writes on several connections
 * at once (PostgreSQL), workers - 1 more opened to db_url. One that cannot be opened is
 * logged and done without. Close them with jobs_workers_close(). */
void jobs_workers_open(struct db *db, const char *db_url, int workers, struct tx_workers *w);

/* Closes the connections jobs_workers_open() opened (not w->db[0]). */
void jobs_workers_close(struct tx_workers *w);

/* Runs one pass of every job on w's connections. Prints a line per job when verbose (and a
 * progress line for long ones on a terminal); appends {"name", "ok", "done"} per job to
 * report when not NULL. Returns 0 when every job succeeded, else the first failure. */
int jobs_run_once(const struct tx_workers *w, bool verbose, json_t *report);

/* Starts the process's jobs thread on connections of its own (jobs_workers_open()): a pass
 * every interval_s seconds (0: none of its own), and every pass asked through
 * service/job_requests.h. */
int jobs_start(const char *db_url, int interval_s, int workers, struct jobs_runner **out);

/* Stops the thread after its current pass and frees it; requests waiting for a pass are
 * answered "unavailable". NULL is fine. */
void jobs_stop(struct jobs_runner *jr);

#endif
