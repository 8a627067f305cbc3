/*
 * service/webhooks.h - an organisation's webhook endpoints, what was delivered to them,
 * and the delivery status of emails and webhooks for staff.
 */
#ifndef PD_SERVICE_WEBHOOKS_H
#define PD_SERVICE_WEBHOOKS_H

#include <jansson.h>

#include "core/error.h"
#include "service/principal.h"

struct db;

/* {"url", "events": [...] or ["*"]} -> the endpoint with its secret, shown this once. */
int webhooks_create(struct db *db, const struct principal *who, const char *ip, const json_t *body,
                    json_t **out, struct pd_error *err);

/* A new secret for a live endpoint of the organisation, shown this once: the old one stops
 * signing at once, and deliveries are signed the Standard Webhooks way from then on (also
 * for an endpoint made before partnerd spoke it). *out is the endpoint with "secret". */
int webhooks_rotate_secret(struct db *db, const struct principal *who, const char *ip,
                           const char *id, json_t **out, struct pd_error *err);

/* The organisation's live endpoints (no secrets). */
int webhooks_list(struct db *db, const struct principal *who, json_t **items, struct pd_error *err);

/* Deletes a live endpoint of the organisation; what was still pending for it fails. */
int webhooks_delete(struct db *db, const struct principal *who, const char *ip, const char *id,
                    struct pd_error *err);

/* The latest 100 deliveries to one of the organisation's endpoints, each with its attempts. */
int webhooks_deliveries(struct db *db, const struct principal *who, const char *endpoint_id,
                        json_t **items, struct pd_error *err);

/* Staff: the latest 200 deliveries of kind ("email", default, or "webhook"), optionally of
 * one status. */
int deliveries_admin_list(struct db *db, const char *kind, const char *status, json_t **items,
                          struct pd_error *err);

#endif
