/*
 * core/fault.c - the test-only pauses of PARTNERD_FAULT_PAUSE (see fault.h).
 *
 * The variable is copied once; each call looks its point up in the copy. Without the
 * variable a call costs one pthread_once and a NULL test.
 */
#include "core/fault.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *spec;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
    const char *env = getenv("PARTNERD_FAULT_PAUSE");
    if (env && *env) {
        spec = strdup(env);
        fprintf(stderr, "partnerd: PARTNERD_FAULT_PAUSE is set (%s): test pauses are on\n", env);
    }
}

void fault_pause(const char *point)
{
    pthread_once(&once, load);
    if (spec == NULL)
        return;
    size_t n = strlen(point);
    for (const char *p = spec; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
        while (*p == ' ')
            p++;
        if (strncmp(p, point, n) == 0 && p[n] == '=') {
            long ms = strtol(p + n + 1, NULL, 10);
            if (ms > 0 && ms <= 600000) {
                struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
                nanosleep(&t, NULL);
            }
            return;
        }
    }
}
