/*
 * service/support.h - support requests and cancellation through them (SPEC section 6).
 */
#ifndef PD_SERVICE_SUPPORT_H
#define PD_SERVICE_SUPPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "service/principal.h"

struct db;

/* The largest attachment (10 MiB); the HTTP layer accepts bodies this large on the upload
 * route only. */
#define SUPPORT_ATTACHMENT_MAX (10L * 1024L * 1024L)

/* Categories and their problem types, labelled in lang ("fr" or "en") and both. */
json_t *support_catalog_json(const char *lang);

/* {"title","description","category","problem_type","subscription_id"?} -> 201 request. */
int support_create(struct db *db, const struct principal *who, const char *ip, const json_t *body,
                   json_t **out, struct pd_error *err);

/* Opens the prefilled cancellation request of a subscription, or answers the one already
 * open (*created false). */
int support_cancellation(struct db *db, const struct principal *who, const char *ip,
                         const char *sub_id, const char *lang, json_t **out, bool *created,
                         struct pd_error *err);

/* Partners: their organisation's requests; staff: every request. Filters may be NULL. */
int support_list_json(struct db *db, const struct principal *who, const char *status,
                      const char *category, const char *assignee, json_t **items,
                      struct pd_error *err);

/* One request with its messages and attachments (404 for another organisation's). */
int support_get_json(struct db *db, const struct principal *who, const char *id, json_t **out,
                     struct pd_error *err);

int support_add_message(struct db *db, const struct principal *who, const char *ip,
                        const char *id, const json_t *body, json_t **out, struct pd_error *err);

/* Staff: {"status"?, "assignee_id"?}. */
int support_update(struct db *db, const struct principal *who, const char *ip, const char *id,
                   const json_t *body, json_t **out, struct pd_error *err);

/* The partner reopens a resolved request within 14 days. */
int support_reopen(struct db *db, const struct principal *who, const char *ip, const char *id,
                   json_t **out, struct pd_error *err);

/* Stores a file; its type is read from its bytes (PDF, PNG, JPEG, CSV, TXT). */
int support_attach(struct db *db, const struct principal *who, const char *ip, const char *id,
                   const char *filename, const void *data, size_t size, json_t **out,
                   struct pd_error *err);

/* A stored file: name, type and bytes (*data malloc'd, owner: caller). */
int support_attachment(struct db *db, const struct principal *who, const char *id,
                       const char *attachment_id, char *filename, size_t fn, char *type,
                       size_t tn, unsigned char **data, size_t *size, struct pd_error *err);

/* Support resolves a cancellation: {"cancellation": "immediate"|"end_of_term",
 * "refund": bool, "message"?}. */
int support_resolve(struct db *db, const struct principal *who, const char *ip, const char *id,
                    const json_t *body, json_t **out, struct pd_error *err);

/* Job: closes requests resolved more than 14 days ago. */
int support_autoclose_run(struct db *db);

/* Finance: refunds of cancellations, optionally in one status (pending, refunded, to_pay,
 * paid). */
int refunds_list_json(struct db *db, const char *status, json_t **items, struct pd_error *err);

/* Finance records the transfer that paid a wire refund: {"paid_on", "reference"?}. */
int refund_record_paid(struct db *db, const struct principal *who, const char *ip,
                       const char *id, const json_t *body, json_t **out, struct pd_error *err);

/* Job: asks the gateway again for card refunds it has not confirmed; how many it made. */
int refunds_retry_run(struct db *db);

#endif
