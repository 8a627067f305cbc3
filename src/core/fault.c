/*
 * core/fault.c - the test-only pauses of PARTNERD_FAULT_PAUSE and failures of
 * PARTNERD_FAULT_FAIL (see fault.h).
 *
 * Each variable is copied once; each call looks its point up in the copy. Without the
 * variables a call costs one pthread_once and a NULL test.
 */
#include "core/fault.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *pauses, *failures;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t failing = PTHREAD_MUTEX_INITIALIZER;

static void load(void)
{
    const char *env = getenv("PARTNERD_FAULT_PAUSE");
    if (env && *env) {
        pauses = strdup(env);
        fprintf(stderr, "partnerd: PARTNERD_FAULT_PAUSE is set (%s): test pauses are on\n", env);
    }
    env = getenv("PARTNERD_FAULT_FAIL");
    if (env && *env) {
        failures = strdup(env);
        fprintf(stderr, "partnerd: PARTNERD_FAULT_FAIL is set (%s): test failures are on\n", env);
    }
}

/* The number after "point=" in spec, where it starts (at *at), or -1. */
static long lookup(char *spec, const char *point, char **at)
{
    size_t n = strlen(point);
    for (char *p = spec; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
        while (*p == ' ')
            p++;
        if (strncmp(p, point, n) == 0 && p[n] == '=') {
            *at = p + n + 1;
            return strtol(*at, NULL, 10);
        }
    }
    return -1;
}

void fault_pause(const char *point)
{
    pthread_once(&once, load);
    char *at;
    long ms = pauses ? lookup(pauses, point, &at) : -1;
    if (ms > 0 && ms <= 600000) {
        /* a test waits for this line to act in the pause */
        fprintf(stderr, "partnerd: paused at %s for %ld ms\n", point, ms);
        struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
        nanosleep(&t, NULL);
    }
}

bool fault_fail(const char *point)
{
    pthread_once(&once, load);
    if (failures == NULL)
        return false;
    /* the count of point is written back into the copy, one less, in the digits it had */
    char *at;
    pthread_mutex_lock(&failing);
    long left = lookup(failures, point, &at);
    size_t width = left > 0 ? strspn(at, "0123456789") : 0;
    bool fail = width > 0;
    if (fail) {
        char less[24];
        snprintf(less, sizeof(less), "%0*ld", (int)width, left - 1);
        memcpy(at, less, width);
    }
    pthread_mutex_unlock(&failing);
    return fail;
}
