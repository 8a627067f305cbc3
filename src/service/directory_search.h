/*
 * service/directory_search.h - the public directory: search, a partner's page and the
 * operator's catalog of industries and services.
 *
 * Only listed profiles (published, with an active subscription) are shown, in the shape of
 * directory_public_view() (service/directory_view.h).
 */
#ifndef PD_SERVICE_DIRECTORY_SEARCH_H
#define PD_SERVICE_DIRECTORY_SEARCH_H

#include <jansson.h>

#include "core/error.h"
#include "service/principal.h"

struct db;

/* The query string of a search. Every field may be NULL. */
struct directory_search_in {
    const char *q, *country, *industry, *service, *level, *language, *order, *cursor, *limit;
};

/* A page of listed profiles: {"items", "next_cursor"}. PD_E_INVALID_QUERY on a bad filter. */
int directory_search_page(struct db *db, const struct directory_search_in *in, json_t **out,
                          struct pd_error *err);

/* The public page of one listed profile; PD_E_NOT_FOUND when it is not listed. */
int directory_partner_page(struct db *db, const char *slug, json_t **out, struct pd_error *err);

/* {"industries": [...], "services": [...]}, each {"code", "fr", "en"}. */
int directory_catalog_get(struct db *db, json_t **out, struct pd_error *err);

/* The operator adds or renames an entry ({"fr", "en", "position"}) or removes one. */
int directory_catalog_put(struct db *db, const struct principal *who, const char *ip,
                          const char *kind, const char *code, const json_t *body, json_t **out,
                          struct pd_error *err);
int directory_catalog_delete(struct db *db, const struct principal *who, const char *ip,
                             const char *kind, const char *code, struct pd_error *err);

#endif
