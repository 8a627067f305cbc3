/* api/routes.c - the route table. Add a route here and its handler in its resource file. */
#include "api/api.h"
#include "service/clock_sync.h"

const struct route api_routes[] = {
    {"GET", "/healthz", api_healthz, 0},
    {"GET", "/metrics", api_metrics, 0},
    {"GET", "/api/v1/version", api_version, 0},
    {0, 0, 0, 0},
};

int api_before_request(struct req *r)
{
    return clock_sync(r->db);
}
