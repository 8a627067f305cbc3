/*
 * query.h - strict parsing of URL query strings ("a=1&b=x%20y").
 *
 * Names and values are percent-decoded ('+' is a space); a malformed escape, a NUL byte,
 * bytes that are not UTF-8, an empty name or more than QUERY_MAX_PARAMS pairs make the whole query invalid, so a
 * handler never works from a half-understood request.
 */
#ifndef PD_QUERY_H
#define PD_QUERY_H

#include <stddef.h>

#define QUERY_MAX_PARAMS 16

struct arena;

struct query {
    int count;
    const char *names[QUERY_MAX_PARAMS];
    const char *values[QUERY_MAX_PARAMS];
};

/* Parses qs (without '?', may be NULL or empty) into q, copies in arena. 0 or -1. */
int query_parse(struct arena *a, const char *qs, size_t len, struct query *q);

/* The value of the first parameter called name, or NULL. */
const char *query_get(const struct query *q, const char *name);

#endif
