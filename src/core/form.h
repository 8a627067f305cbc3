/*
 * form.h - application/x-www-form-urlencoded bodies, as Stripe's API takes them.
 *
 * Pairs are joined with '&'; names and values are percent-encoded except the unreserved
 * characters of RFC 3986 (A-Z a-z 0-9 - . _ ~), a space becomes %20. Nested parameters use
 * Stripe's bracket notation, metadata[order_id]=42: form_add_nested() writes the brackets
 * as they are and encodes the names inside them.
 */
#ifndef PD_FORM_H
#define PD_FORM_H

#include <stdint.h>

#include "core/buf.h"

/* Appends s percent-encoded. */
void form_escape(struct buf *b, const char *s);

/* Appends name=value (a '&' first unless b is empty). A NULL value appends nothing. */
void form_add(struct buf *b, const char *name, const char *value);

/* Appends name=<decimal>. */
void form_add_int(struct buf *b, const char *name, int64_t value);

/* Appends parent[child]=value. A NULL value appends nothing. */
void form_add_nested(struct buf *b, const char *parent, const char *child, const char *value);

#endif
