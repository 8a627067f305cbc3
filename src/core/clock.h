/*
 * clock.h - the one business clock.
 *
 * Every "now" in partnerd comes from clock_now(); nothing else calls time(). In normal
 * operation it is the system's real time. Under `serve --test-clock` an operator pins it
 * to an instant (like a billing test clock); the pinned instant is stored in the database
 * and each request and job step loads it (service/clock_sync) so every process agrees.
 */
#ifndef PD_CLOCK_H
#define PD_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "date.h"

/* Unix seconds, now, on the business clock. Thread-safe. */
int64_t clock_now(void);

/* Today's civil date in the business time zone. */
struct date clock_today(void);

/* Pins the clock to an instant (test clock). Thread-safe. */
void clock_pin(int64_t unix_seconds);

/* Goes back to the real time. */
void clock_unpin(void);

/* True while the clock is pinned. */
bool clock_is_pinned(void);

/* Unix seconds of the real time, never pinned: for leases and delays between processes
 * (a lease must run out however the test clock is set). */
int64_t clock_real_now(void);

/* Monotonic microseconds, for measuring durations only (never a business date). */
int64_t clock_monotonic_us(void);

/* The processor time the calling thread has spent, in microseconds: beside a duration,
 * whether it waited (for the disk, another writer, the gateway) or computed. 0 on a system
 * without per-thread clocks. */
int64_t clock_thread_cpu_us(void);

/* The processor time of the helper threads that have ended (those a job starts beside its
 * own: tx_workers_run()'s, card_send_many()'s), in microseconds since the process started:
 * a job's log line counts it beside its own thread's. A helper calls clock_helper_ends()
 * last, which adds all it spent. */
int64_t clock_helpers_cpu_us(void);
void clock_helper_ends(void);

/* The instant ms milliseconds from now on the system clock `which`, for a timed wait
 * (pthread_cond_timedwait on a CLOCK_MONOTONIC condition, pthread_mutex_timedlock on
 * CLOCK_REALTIME). */
struct timespec clock_deadline_in(clockid_t which, int ms);

#endif
