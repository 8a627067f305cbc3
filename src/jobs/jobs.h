/*
 * jobs/jobs.h - the scheduler: the work done with nobody at the keyboard.
 *
 * A job is a function that does one pass of its work from the business date of the one
 * clock and is idempotent (running it twice does the work once). `partnerd jobs run`
 * runs one pass of every job; `partnerd serve` runs passes on a background thread
 * every interval unless started with --no-jobs.
 */
#ifndef PD_JOBS_H
#define PD_JOBS_H

#include <jansson.h>
#include <stdbool.h>

struct db;
struct jobs_runner;

struct job {
    const char *name;
    /* One pass. Returns the number of items done (>= 0) or a negative status. */
    int (*run)(struct db *db);
};

/* The registered jobs, ending with a zeroed entry. */
extern const struct job jobs_table[];

/* Runs one pass of every job on db. Prints a line per job when verbose (and a progress
 * line for long ones on a terminal); appends {"name", "ok", "done"} per job to report
 * when not NULL. Returns 0 when every job succeeded, else the first failure. */
int jobs_run_once(struct db *db, bool verbose, json_t *report);

/* Starts the background thread: a pass every interval_s seconds on its own connection. */
int jobs_start(const char *db_url, int interval_s, struct jobs_runner **out);

/* Stops the thread after its current pass and frees it. NULL is fine. */
void jobs_stop(struct jobs_runner *jr);

#endif
