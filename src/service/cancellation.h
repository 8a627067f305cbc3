/*
 * service/cancellation.h - cancelling a subscription through a support request.
 *
 * The partner opens a prefilled request of kind 'cancellation' (one open at a time per
 * subscription); support resolves it, now or at the end of the term, now optionally with
 * a prorated refund.
 */
#ifndef PD_SERVICE_CANCELLATION_H
#define PD_SERVICE_CANCELLATION_H

#include <jansson.h>
#include <stdbool.h>

#include "core/error.h"
#include "service/principal.h"

struct db;

/* Opens the cancellation request of subscription sub_id, its title and description
 * written in lang, or answers the one already open (*created false). */
int cancellation_open(struct db *db, const struct principal *who, const char *ip,
                      const char *sub_id, const char *lang, json_t **out, bool *created,
                      struct pd_error *err);

/* Support resolves a cancellation request: {"cancellation": "immediate"|"end_of_term",
 * "refund": bool, "message"?}. *out the request with its "outcome". */
int cancellation_resolve(struct db *db, const struct principal *who, const char *ip, const char *id,
                         const json_t *body, json_t **out, struct pd_error *err);

#endif
