/*
 * service/subscriptions.h - subscriptions as the partner and staff see them, the auto-renew
 * rules, and the offer tiles of the portal.
 *
 * States and eligibility come from core/subscription.c on the business date; nothing
 * derived is stored. Another organisation's subscription answers PD_E_NOT_FOUND.
 */
#ifndef PD_SERVICE_SUBSCRIPTIONS_H
#define PD_SERVICE_SUBSCRIPTIONS_H

#include <jansson.h>
#include <stdint.h>

#include "core/error.h"
#include "core/subscription.h"
#include "service/page.h"
#include "service/principal.h"
#include "store/subscriptions.h"

struct db;

/* What the rules need about one organisation, gathered once per use case. */
struct subs_context {
    int64_t certified; /* its certified people */
    int window_days;   /* renewal.window_days */
    char pmc_url[512]; /* pmc.url */
};

/* Fills ctx for partner_id (NULL: settings only, certified 0). 0 or a negative status. */
int subscriptions_context(struct db *db, const char *partner_id, struct subs_context *ctx);

/* The facts core/subscription.c reasons on, for a subscription of an offer that requires
 * `required` certified people. */
struct sub_facts subscriptions_facts(const struct sub_row *s, const struct subs_context *ctx,
                                     int required);

/* The offer tiles of the caller's organisation (GET /offers): each offer of the catalog
 * with the state of the organisation's subscription to it and a sentence in lang. */
int subscriptions_tiles(struct db *db, const struct principal *who, const char *lang,
                        json_t **items, struct pd_error *err);

/* The organisation's subscriptions, optionally only those in a state ("active", ...;
 * NULL for all). PD_E_INVALID_QUERY for an unknown state. */
int subscriptions_list(struct db *db, const struct principal *who, const struct page_in *page,
                       const char *status, const char *lang, json_t **items,
                       char next[CURSOR_TEXT_MAX], struct pd_error *err);

/* One subscription of the caller's organisation. */
int subscriptions_get(struct db *db, const struct principal *who, const char *id, const char *lang,
                      json_t **out, struct pd_error *err);

/* {"auto_renew": bool}: off at any time; on again only when not locked (a renewal
 * clears the lock): PD_E_AUTO_RENEW_LOCKED otherwise. */
int subscriptions_set_auto_renew(struct db *db, const struct principal *who, const char *ip,
                                 const char *id, const json_t *body, const char *lang, json_t **out,
                                 struct pd_error *err);

/* The API object of a subscription on today's business date, with ctx of its
 * organisation. A new reference. */
json_t *subscriptions_view(struct db *db, const struct sub_row *s, const struct subs_context *ctx,
                           const char *lang);

/* What staff filter subscriptions by (NULL: any). */
struct subs_admin_query {
    struct page_in page;
    const char *partner_id;
    const char *managed_in; /* "pmc" or "partner_center" */
    const char *status;     /* a state, as subscriptions_list() */
};

/* Staff: a page of every subscription, or one organisation's, or those managed in one
 * place, or in one state. A page asked by state reads at most a bounded number of rows:
 * it may hold fewer than limit items and still have a next_cursor. */
int subscriptions_admin_list(struct db *db, const struct subs_admin_query *in, const char *lang,
                             json_t **items, char next[CURSOR_TEXT_MAX], struct pd_error *err);

#endif
