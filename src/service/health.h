/*
 * service/health.h - what operators and load balancers ask of the server: is the
 * database there with the schema this binary expects, can it be written to, is there room
 * left on its disk, and which version is this.
 */
#ifndef PD_SERVICE_HEALTH_H
#define PD_SERVICE_HEALTH_H

#include <jansson.h>
#include <stdbool.h>

struct db;

/* The health answer {"status","database","now","disk"?}: status ok, degraded or
 * unavailable; database ok, unreachable, schema_mismatch, write_locked, read_only or
 * disk_low; disk {"free_bytes","min_free_bytes"} where the engine tells. *healthy is false
 * unless all is ok (then the server answers 503). Probed at most once a second. */
json_t *health_check(struct db *db, bool *healthy);

/* {"name","version","schema_version","time_zone"}. */
json_t *health_version(void);

#endif
