/*
 * service/subscriptions.h - offers as the partner sees them, subscriptions, the
 * auto-renew rules, certified people, the legacy PMC import and the catalog.
 *
 * States and eligibility come from core/subscription.c on the business date; nothing
 * derived is stored. Another organisation's subscription answers PD_E_NOT_FOUND.
 */
#ifndef PD_SERVICE_SUBSCRIPTIONS_H
#define PD_SERVICE_SUBSCRIPTIONS_H

#include <jansson.h>

#include "core/error.h"
#include "service/principal.h"
#include "store/subscriptions.h"

struct db;

/* The offer tiles of the caller's organisation (SPEC section 9, GET /offers). */
int offers_tiles(struct db *db, const struct principal *who, const char *lang, json_t **items);

/* The organisation's subscriptions, optionally only those in a state ("active", ...;
 * NULL for all). PD_E_INVALID_QUERY for an unknown state. */
int subscriptions_list(struct db *db, const struct principal *who, const char *status,
                       const char *lang, json_t **items, struct pd_error *err);

/* One subscription of the caller's organisation. */
int subscriptions_get(struct db *db, const struct principal *who, const char *id,
                      const char *lang, json_t **out, struct pd_error *err);

/* {"auto_renew": bool}: off at any time; on again only when not locked (a renewal
 * clears the lock): PD_E_AUTO_RENEW_LOCKED otherwise. */
int subscriptions_set_auto_renew(struct db *db, const struct principal *who, const char *ip,
                                 const char *id, const json_t *body, const char *lang,
                                 json_t **out, struct pd_error *err);

/* The API object of a subscription on today's business date. */
int subscription_json(struct db *db, const struct sub_row *s, const char *lang, json_t **out);

/* Staff: every subscription, or one organisation's (partner_id), or only those managed
 * in one place (managed_in "pmc" or "partner_center"). */
int subscriptions_admin_list(struct db *db, const char *partner_id, const char *managed_in,
                             const char *lang, json_t **items, struct pd_error *err);

/* Staff: moves one PMC subscription to Partner Center (*out the subscription), or all. */
int subscriptions_migrate(struct db *db, const struct principal *who, const char *ip,
                          const char *id, const char *lang, json_t **out, struct pd_error *err);
int subscriptions_migrate_all(struct db *db, const struct principal *who, const char *ip,
                              int *migrated, struct pd_error *err);

/* Imports legacy PMC subscriptions from CSV text with the header
 *   membership_id,offer,starts_on,expires_on,auto_renew
 * All rows or none: on any bad row nothing is imported and *problems lists every bad
 * row as "line N: field: reason" (owner: caller, json_decref). */
int legacy_import(struct db *db, const char *csv, int *imported, json_t **problems,
                  struct pd_error *err);

/* Certified people of the caller's organisation. */
int certified_people_list(struct db *db, const struct principal *who, json_t **items);
int certified_people_add(struct db *db, const struct principal *who, const char *ip,
                         const json_t *body, json_t **out, struct pd_error *err);
int certified_people_remove(struct db *db, const struct principal *who, const char *ip,
                            const char *id, struct pd_error *err);

/* Staff: the catalog with every price; operator: change a price, add an offer. */
int catalog_list(struct db *db, const char *lang, json_t **items);
int catalog_set_price(struct db *db, const struct principal *who, const char *ip,
                      const char *code, const char *currency, const json_t *body,
                      struct pd_error *err);
int catalog_add_offer(struct db *db, const struct principal *who, const char *ip,
                      const json_t *body, struct pd_error *err);

#endif
