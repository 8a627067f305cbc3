/*
 * metrics.c - fixed arrays of atomics, sized at start-up.
 *
 * Status codes map to a small table of the ones partnerd answers with; anything else is
 * counted under its class ("other"). Latency buckets follow Prometheus's defaults,
 * extended down to 100 microseconds because most answers are faster than a millisecond.
 * A request whose path is a route's but whose method is not (405) is counted by route and
 * method in a table of its own (the methods HTTP defines, then "OTHER"), without latency.
 */
#include "metrics.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

static const int statuses[] = {200, 201, 204, 304, 400, 401, 403, 404, 405, 409,
                               410, 411, 413, 415, 422, 429, 500, 503, 0 /* other */};
#define NSTATUS ((int)(sizeof(statuses) / sizeof(statuses[0])))

static const double bounds[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                0.05,   0.1,     0.25,   0.5,   1,      2.5,   5};
#define NBUCKET ((int)(sizeof(bounds) / sizeof(bounds[0])))

struct route_metrics {
    _Atomic uint64_t by_status[NSTATUS];
    _Atomic uint64_t buckets[NBUCKET]; /* not cumulative; summed when rendered */
    _Atomic uint64_t count;
    _Atomic uint64_t sum_us;
};

static const char *const methods[] = {"GET",     "HEAD",  "POST",    "PUT",  "PATCH",
                                      "DELETE",  "OPTIONS", "TRACE", "CONNECT", "OTHER"};
#define NMETHOD ((int)(sizeof(methods) / sizeof(methods[0])))

static _Atomic uint64_t slow_clients;
static _Atomic uint64_t (*wrong_method)[NMETHOD][NSTATUS]; /* nroutes of them */
static const struct route *routes;
static int nroutes;
static struct route_metrics *slots; /* nroutes + 1; the last is "unmatched" */

void metrics_init(const struct route *table)
{
    routes = table;
    nroutes = router_count(table);
    free(slots);
    slots = calloc((size_t)nroutes + 1, sizeof(*slots));
    free((void *)wrong_method);
    wrong_method = calloc((size_t)nroutes + 1, sizeof(*wrong_method));
}

static int status_slot(int status)
{
    for (int i = 0; i < NSTATUS - 1; i++)
        if (statuses[i] == status)
            return i;
    return NSTATUS - 1;
}

/* The slot of a method the route at i does not take, or -1 when it takes it. */
static int wrong_method_slot(int i, const char *method)
{
    if (method == NULL || strcmp(method, routes[i].method) == 0 ||
        (strcmp(method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0))
        return -1;
    for (int m = 0; m < NMETHOD - 1; m++)
        if (strcmp(methods[m], method) == 0)
            return m;
    return NMETHOD - 1;
}

void metrics_slow_clients(int n)
{
    atomic_fetch_add(&slow_clients, (uint64_t)n);
}

void metrics_observe(int route_index, const char *method, int status, int64_t duration_us)
{
    if (slots == NULL)
        return;
    int wm = route_index >= 0 && route_index < nroutes && wrong_method
                 ? wrong_method_slot(route_index, method)
                 : -1;
    if (wm >= 0) {
        atomic_fetch_add(&wrong_method[route_index][wm][status_slot(status)], 1);
        return;
    }
    struct route_metrics *m =
        &slots[route_index >= 0 && route_index < nroutes ? route_index : nroutes];
    int s = NSTATUS - 1;
    for (int i = 0; i < NSTATUS - 1; i++)
        if (statuses[i] == status) {
            s = i;
            break;
        }
    atomic_fetch_add(&m->by_status[s], 1);
    double secs = (double)duration_us / 1e6;
    for (int b = 0; b < NBUCKET; b++)
        if (secs <= bounds[b]) {
            atomic_fetch_add(&m->buckets[b], 1);
            break;
        }
    atomic_fetch_add(&m->count, 1);
    atomic_fetch_add(&m->sum_us, (uint64_t)(duration_us > 0 ? duration_us : 0));
}

static void route_label(struct buf *out, int i)
{
    if (i < nroutes)
        buf_printf(out, "method=\"%s\",route=\"%s\"", routes[i].method, routes[i].pattern);
    else
        buf_puts(out, "method=\"\",route=\"unmatched\"");
}

void metrics_render(struct buf *out)
{
    if (slots == NULL)
        return;
    buf_puts(out, "# HELP partnerd_http_requests_total HTTP requests answered, by route and "
                  "status.\n# TYPE partnerd_http_requests_total counter\n");
    for (int i = 0; i <= nroutes; i++)
        for (int s = 0; s < NSTATUS; s++) {
            uint64_t v = atomic_load(&slots[i].by_status[s]);
            if (v == 0)
                continue;
            buf_puts(out, "partnerd_http_requests_total{");
            route_label(out, i);
            if (statuses[s])
                buf_printf(out, ",status=\"%d\"} %llu\n", statuses[s], (unsigned long long)v);
            else
                buf_printf(out, ",status=\"other\"} %llu\n", (unsigned long long)v);
        }

    for (int i = 0; wrong_method && i < nroutes; i++)
        for (int m = 0; m < NMETHOD; m++)
            for (int s = 0; s < NSTATUS; s++) {
                uint64_t v = atomic_load(&wrong_method[i][m][s]);
                if (v == 0)
                    continue;
                buf_printf(out, "partnerd_http_requests_total{method=\"%s\",route=\"%s\",",
                           methods[m], routes[i].pattern);
                if (statuses[s])
                    buf_printf(out, "status=\"%d\"} %llu\n", statuses[s], (unsigned long long)v);
                else
                    buf_printf(out, "status=\"other\"} %llu\n", (unsigned long long)v);
            }

    buf_puts(out, "# HELP partnerd_http_request_duration_seconds Time from the first byte "
                  "of a request to its response.\n"
                  "# TYPE partnerd_http_request_duration_seconds histogram\n");
    for (int i = 0; i <= nroutes; i++) {
        uint64_t count = atomic_load(&slots[i].count);
        if (count == 0)
            continue;
        uint64_t cumulative = 0;
        for (int b = 0; b < NBUCKET; b++) {
            cumulative += atomic_load(&slots[i].buckets[b]);
            buf_puts(out, "partnerd_http_request_duration_seconds_bucket{");
            route_label(out, i);
            buf_printf(out, ",le=\"%g\"} %llu\n", bounds[b], (unsigned long long)cumulative);
        }
        buf_puts(out, "partnerd_http_request_duration_seconds_bucket{");
        route_label(out, i);
        buf_printf(out, ",le=\"+Inf\"} %llu\n", (unsigned long long)count);
        buf_puts(out, "partnerd_http_request_duration_seconds_sum{");
        route_label(out, i);
        buf_printf(out, "} %.6f\n", (double)atomic_load(&slots[i].sum_us) / 1e6);
        buf_puts(out, "partnerd_http_request_duration_seconds_count{");
        route_label(out, i);
        buf_printf(out, "} %llu\n", (unsigned long long)count);
    }

    buf_printf(out,
               "# HELP partnerd_http_slow_clients_dropped_total Connections closed because "
               "their headers or body did not arrive in time.\n"
               "# TYPE partnerd_http_slow_clients_dropped_total counter\n"
               "partnerd_http_slow_clients_dropped_total %llu\n",
               (unsigned long long)atomic_load(&slow_clients));
    buf_printf(out,
               "# HELP partnerd_db_errors_total Database errors seen by this process.\n"
               "# TYPE partnerd_db_errors_total counter\npartnerd_db_errors_total %llu\n",
               (unsigned long long)db_errors_total());
}
