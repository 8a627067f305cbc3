/*
 * service/health.c - liveness and version.
 *
 * Healthy means: the database answers a read and holds the schema this binary expects.
 * Anything else is unhealthy, so a load balancer takes the server out of rotation.
 */
#include "service/health.h"

#include "core/clock.h"
#include "core/date.h"
#include "db/db.h"
#include "version.h"

json_t *health_check(struct db *db, bool *healthy)
{
    char now[21];
    int version = 0;
    const char *state = "ok";
    if (db_schema_current(db, &version) < 0)
        state = "unreachable";
    else if (version != db_schema_latest())
        state = "schema_mismatch";
    *healthy = state[0] == 'o';
    return json_pack("{s:s, s:s, s:s}", "status", *healthy ? "ok" : "unavailable", "database",
                     state, "now", instant_format(clock_now(), now));
}

json_t *health_version(void)
{
    return json_pack("{s:s, s:s, s:i, s:s}", "name", "partnerd", "version", PARTNERD_VERSION,
                     "schema_version", db_schema_latest(), "time_zone", date_timezone());
}
