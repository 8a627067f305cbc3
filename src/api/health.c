/* api/health.c - liveness, metrics and version: what operators and load balancers poll. */
#include <stdbool.h>

#include "api/api.h"
#include "core/clock.h"
#include "core/date.h"
#include "db/db.h"
#include "http/metrics.h"
#include "version.h"

/* Healthy means: the database answers a read and holds the schema this binary expects.
 * Anything else is 503, so a load balancer takes the server out of rotation. */
int api_healthz(struct req *r, struct resp *w)
{
    char now[21];
    int version = 0;
    const char *db_state = "ok";
    if (db_schema_current(r->db, &version) < 0)
        db_state = "unreachable";
    else if (version != db_schema_latest())
        db_state = "schema_mismatch";
    bool ok = db_state[0] == 'o';
    json_t *body = json_pack("{s:s, s:s, s:s}", "status", ok ? "ok" : "unavailable", "database",
                             db_state, "now", instant_format(clock_now(), now));
    resp_json(r, w, ok ? 200 : 503, body);
    return 0;
}

int api_metrics(struct req *r, struct resp *w)
{
    struct buf out = {0};
    metrics_render(&out);
    resp_bytes(r, w, 200, "text/plain; version=0.0.4; charset=utf-8", out.data ? out.data : "",
               out.len);
    buf_free(&out);
    return 0;
}

int api_version(struct req *r, struct resp *w)
{
    resp_json(r, w, 200,
              json_pack("{s:s, s:s, s:i, s:s}", "name", "partnerd", "version", PARTNERD_VERSION,
                        "schema_version", db_schema_latest(), "time_zone", date_timezone()));
    return 0;
}
