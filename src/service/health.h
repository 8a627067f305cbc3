/*
 * service/health.h - what operators and load balancers ask of the server: is the
 * database there with the schema this binary expects, and which version is this.
 */
#ifndef PD_SERVICE_HEALTH_H
#define PD_SERVICE_HEALTH_H

#include <jansson.h>
#include <stdbool.h>

struct db;

/* The health answer {"status","database","now"}; *healthy is false when the database is
 * unreachable or holds another schema version (then the server answers 503). */
json_t *health_check(struct db *db, bool *healthy);

/* {"name","version","schema_version","time_zone"}. */
json_t *health_version(void);

#endif
