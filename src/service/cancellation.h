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

/* Opens the cancellation request of subscription sub_id, its title written in lang and its
 * description the partner's ({"description"} of body, which may be NULL) or a prefilled
 * one, or answers the one already open (*created false). A subscription that has ended
 * (cancelled, or its window closed) has nothing left to cancel. */
int cancellation_open(struct db *db, const struct principal *who, const char *ip,
                      const char *sub_id, const json_t *body, const char *lang, json_t **out,
                      bool *created, struct pd_error *err);

/* What resolving cancellation request id today would do, before support decides:
 * {"immediate": {"effective_on", "refund": {"total","subtotal","method"}|null},
 * "end_of_term": {"effective_on"}}, amounts in lang. */
int cancellation_preview(struct db *db, const struct principal *who, const char *id,
                         const char *lang, json_t **out, struct pd_error *err);

/* Support resolves a cancellation request: {"cancellation": "immediate"|"end_of_term",
 * "refund": bool, "message"?}. *out the request with its "outcome". */
int cancellation_resolve(struct db *db, const struct principal *who, const char *ip, const char *id,
                         const json_t *body, json_t **out, struct pd_error *err);

#endif
