/* clock.c - real or pinned time, shared by every thread through one atomic. */
#include "clock.h"

#include <stdatomic.h>
#include <time.h>

#define CLOCK_REAL INT64_MIN

static _Atomic int64_t pinned = CLOCK_REAL;

int64_t clock_now(void)
{
    int64_t p = atomic_load(&pinned);
    if (p != CLOCK_REAL)
        return p;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

struct date clock_today(void)
{
    return date_of_instant(clock_now());
}

void clock_pin(int64_t t)
{
    atomic_store(&pinned, t);
}

void clock_unpin(void)
{
    atomic_store(&pinned, CLOCK_REAL);
}

bool clock_is_pinned(void)
{
    return atomic_load(&pinned) != CLOCK_REAL;
}

int64_t clock_real_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

int64_t clock_monotonic_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t clock_thread_cpu_us(void)
{
    struct timespec t;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) != 0)
        return 0;
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static _Atomic int64_t helpers_cpu_us;

int64_t clock_helpers_cpu_us(void)
{
    return helpers_cpu_us;
}

void clock_helper_ends(void)
{
    helpers_cpu_us += clock_thread_cpu_us(); /* a thread of its own: all it spent */
}

struct timespec clock_deadline_in(clockid_t which, int ms)
{
    struct timespec t;
    clock_gettime(which, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}
