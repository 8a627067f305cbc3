/* api/health.c - liveness, metrics and version: what operators and load balancers poll. */
#include "api/api.h"
#include "http/metrics.h"
#include "service/health.h"

int api_healthz(struct req *r, struct resp *w)
{
    bool ok;
    json_t *body = health_check(r->db, &ok);
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
    resp_json(r, w, 200, health_version());
    return 0;
}
