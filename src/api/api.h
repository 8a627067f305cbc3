/*
 * api/api.h - the route table of HTTP API v1 and the handlers behind it.
 *
 * One file per resource; each handler parses its input, calls one service function and
 * writes JSON. Handlers never write SQL.
 */
#ifndef PD_API_H
#define PD_API_H

#include "http/request.h"
#include "http/router.h"

/* Every route partnerd serves, ending with a zeroed entry. */
extern const struct route api_routes[];

/* Runs before every handler: loads the shared test clock when enabled. */
int api_before_request(struct req *r);

/* health.c */
int api_healthz(struct req *r, struct resp *w);
int api_metrics(struct req *r, struct resp *w);
int api_version(struct req *r, struct resp *w);

#endif
