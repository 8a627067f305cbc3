/*
 * service/webhooks.h - an organisation's webhook endpoints, what was delivered to them,
 * and the delivery status of emails and webhooks for staff.
 */
#ifndef PD_SERVICE_WEBHOOKS_H
#define PD_SERVICE_WEBHOOKS_H

#include <jansson.h>

#include "service/page.h"
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

/* A page of the organisation's live endpoints (no secrets), newest first (service/page.h). */
int webhooks_list(struct db *db, const struct principal *who, const struct page_in *page,
                  json_t **items, char next[CURSOR_TEXT_MAX], struct pd_error *err);

/* Deletes a live endpoint of the organisation; what was still pending for it fails. */
int webhooks_delete(struct db *db, const struct principal *who, const char *ip, const char *id,
                    struct pd_error *err);

/* A page of the deliveries to one of the organisation's endpoints, newest first, each with
 * its attempts. */
int webhooks_deliveries(struct db *db, const struct principal *who, const char *endpoint_id,
                        const struct page_in *page, json_t **items, char next[CURSOR_TEXT_MAX],
                        struct pd_error *err);

/* Staff: a page of the deliveries of kind ("email", default, or "webhook"), newest first,
 * optionally of one status. */
int deliveries_admin_list(struct db *db, const char *kind, const char *status,
                          const struct page_in *page, json_t **items, char next[CURSOR_TEXT_MAX],
                          struct pd_error *err);

#endif
