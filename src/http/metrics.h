/*
 * metrics.h - request counters and latency histograms, in Prometheus text format.
 *
 * Counted per route (by its index in the route table, plus one slot for unmatched
 * requests) and per HTTP status. Lock-free: every counter is an atomic.
 */
#ifndef PD_METRICS_H
#define PD_METRICS_H

#include <stdint.h>

#include "core/buf.h"
#include "http/router.h"

/* Sizes the counters for a route table. Call once before the server starts. */
void metrics_init(const struct route *table);

/* Records one finished request. route_index -1 means unmatched. A method the route does
 * not take (a 405, HEAD aside) is counted under the route's pattern with that method
 * ("OTHER" for a method HTTP does not define), not among the unmatched. */
void metrics_observe(int route_index, const char *method, int status, int64_t duration_us);

/* Appends the Prometheus exposition of every metric to out. */
void metrics_render(struct buf *out);

/* Counts connections dropped for sending too slowly (the server's slow-client guard). */
void metrics_slow_clients(int n);

#endif
