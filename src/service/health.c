/*
 * service/health.c - liveness, readiness and version.
 *
 * Healthy means: the database answers a read, holds the schema this binary expects, can
 * take its write lock within HEALTH_PROBE_MS (nothing is written), accepts writes (not a
 * standby, not a read-only file) and its file system has health.min_free_mb free. The
 * first two failing make the server "unavailable", the others "degraded"; both answer 503,
 * so a load balancer's or a monitor's check, which reads the status code, sees them.
 *
 * The probe runs at most once per HEALTH_CACHE_US in a process, by one request while the
 * others answer the last result: /healthz stays cheap when polled hard. "now" is read for
 * every answer (the test clock may move between two).
 */
#include "service/health.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/date.h"
#include "db/db.h"
#include "service/settings.h"
#include "version.h"

/* How long the write probe waits for the lock. */
#define HEALTH_PROBE_MS 200
/* How long a probe's result is answered again. */
#define HEALTH_CACHE_US 1000000

struct health_state {
    const char *status;   /* ok, degraded, unavailable */
    const char *database; /* ok, unreachable, schema_mismatch, write_locked, read_only, disk_low */
    int64_t free_bytes;   /* -1 when unknown */
    int64_t min_free_bytes;
};

static struct health_state cached;
static int64_t cached_at; /* monotonic us; 0: never probed */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t probe_lock = PTHREAD_MUTEX_INITIALIZER;

static struct health_state probe(struct db *db)
{
    struct health_state s = {"unavailable", "unreachable", -1, 0};
    struct db_health h;
    struct settings set;
    int version = 0;
    if (db == NULL || db_schema_current(db, &version) < 0) /* NULL: no connection to be had */
        return s;
    if (version != db_schema_latest()) {
        s.database = "schema_mismatch";
        return s;
    }
    settings_load(db, &set); /* the defaults when it fails */
    s.min_free_bytes = set.health_min_free_mb * 1024 * 1024;
    if (db_health(db, HEALTH_PROBE_MS, &h) < 0)
        return s;
    s.free_bytes = h.free_bytes;
    s.status = "degraded";
    if (h.read_only)
        s.database = "read_only";
    else if (!h.writable)
        s.database = "write_locked";
    else if (h.free_bytes >= 0 && h.free_bytes < s.min_free_bytes)
        s.database = "disk_low";
    else
        s.status = s.database = "ok";
    return s;
}

/* The last result when it is fresh or another request is probing, else a new one. */
static struct health_state current(struct db *db)
{
    int64_t now = clock_monotonic_us();
    pthread_mutex_lock(&cache_lock);
    struct health_state s = cached;
    bool known = cached_at != 0;
    bool fresh = known && now - cached_at < HEALTH_CACHE_US;
    pthread_mutex_unlock(&cache_lock);
    if (fresh)
        return s;
    /* one probe at a time; the others answer the last result while there is one */
    if (known ? pthread_mutex_trylock(&probe_lock) != 0 : pthread_mutex_lock(&probe_lock) != 0)
        return s;
    pthread_mutex_lock(&cache_lock);
    fresh = cached_at != 0 && clock_monotonic_us() - cached_at < HEALTH_CACHE_US;
    s = cached;
    pthread_mutex_unlock(&cache_lock);
    if (!fresh) {
        s = probe(db);
        pthread_mutex_lock(&cache_lock);
        cached = s;
        cached_at = clock_monotonic_us();
        pthread_mutex_unlock(&cache_lock);
    }
    pthread_mutex_unlock(&probe_lock);
    return s;
}

json_t *health_check(struct db *db, bool *healthy)
{
    char now[21];
    struct health_state s = current(db);
    *healthy = strcmp(s.status, "ok") == 0;
    json_t *body = json_pack("{s:s, s:s, s:s}", "status", s.status, "database", s.database, "now",
                             instant_format(clock_now(), now));
    if (s.free_bytes >= 0)
        json_object_set_new(body, "disk",
                            json_pack("{s:I, s:I}", "free_bytes", (json_int_t)s.free_bytes,
                                      "min_free_bytes", (json_int_t)s.min_free_bytes));
    return body;
}

json_t *health_version(void)
{
    return json_pack("{s:s, s:s, s:i, s:s}", "name", "partnerd", "version", PARTNERD_VERSION,
                     "schema_version", db_schema_latest(), "time_zone", date_timezone());
}
