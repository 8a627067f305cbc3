/*
 * service/partner_page.h - the console's page of one partner organisation.
 *
 * Staff see, on one answer, what the organisation itself sees in its portal (its
 * subscriptions, orders, invoices and support requests) and, for an operator, its audit
 * trail: the same views the partner's own calls give, nothing shaped twice.
 */
#ifndef PD_SERVICE_PARTNER_PAGE_H
#define PD_SERVICE_PARTNER_PAGE_H

#include <jansson.h>

#include "core/error.h"
#include "service/principal.h"

struct db;

/* {"partner","subscriptions","orders","invoices","requests","audit"|null} of partner_id,
 * amounts and names in lang; PD_E_NOT_FOUND for no such organisation. */
int partner_page_json(struct db *db, const struct principal *who, const char *partner_id,
                      const char *lang, json_t **out, struct pd_error *err);

#endif
