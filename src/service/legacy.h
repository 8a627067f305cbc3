/*
 * service/legacy.h - subscriptions from the Partner Membership Center (PMC), the program's
 * former tool: their import from a CSV export, and their move to Partner Center.
 *
 * An imported subscription is managed_in "pmc": partners renew it there until staff move
 * it here (migrate), after which it renews in Partner Center like any other.
 */
#ifndef PD_SERVICE_LEGACY_H
#define PD_SERVICE_LEGACY_H

#include <jansson.h>

#include "core/error.h"
#include "service/principal.h"

struct db;

/* Imports legacy PMC subscriptions from CSV text with the header
 *   membership_id,offer,starts_on,expires_on,auto_renew
 * All rows or none: on any bad row nothing is imported and *problems lists every bad
 * row as "line N: field: reason" (owner: caller, json_decref). */
int legacy_import(struct db *db, const char *csv, int *imported, json_t **problems,
                  struct pd_error *err);

/* Staff: moves one PMC subscription to Partner Center; *out the subscription in lang.
 * PD_E_CONFLICT when it is already managed here. */
int legacy_migrate(struct db *db, const struct principal *who, const char *ip, const char *id,
                   const char *lang, json_t **out, struct pd_error *err);

/* Staff: moves every PMC subscription to Partner Center; *migrated how many. */
int legacy_migrate_all(struct db *db, const struct principal *who, const char *ip, int *migrated,
                       struct pd_error *err);

#endif
