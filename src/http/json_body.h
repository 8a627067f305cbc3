/*
 * json_body.h - decoding request bodies as JSON.
 *
 * Bodies are parsed by jansson with duplicate keys refused, must be a JSON object, and
 * must be valid UTF-8 without NUL bytes. A failure is PD_E_INVALID_JSON with the line,
 * column and byte position of the problem in the error's details.
 */
#ifndef PD_JSON_BODY_H
#define PD_JSON_BODY_H

#include <jansson.h>
#include <stddef.h>

#include "core/error.h"

/* Decodes data[0..len) into a JSON object (*out, owner: caller, json_decref()). An empty
 * body decodes to an empty object. Returns 0 or PD_E_INVALID_JSON with err filled. */
int json_body_decode(const char *data, size_t len, json_t **out, struct pd_error *err);

#endif
