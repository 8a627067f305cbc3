/*
 * service/directory.h - the company profile, its publication and the public directory.
 *
 * A partner's global or account admin edits a draft (name, descriptions in French and
 * English, website, logo, industries and services from the operator's catalog, countries,
 * languages, size, the address referrals go to); « Publier » copies it into the listing,
 * the only thing the public directory reads. The level (Gold, Silver, member) comes from
 * the organisation's active subscriptions, and without one the listing is not shown.
 */
#ifndef PD_SERVICE_DIRECTORY_H
#define PD_SERVICE_DIRECTORY_H

#include <jansson.h>
#include <stddef.h>

#include "core/error.h"
#include "service/principal.h"

struct db;

#define DIRECTORY_LOGO_MAX ((size_t)1024 * 1024)

/* {"draft", "published", "level", "listed", "slug"} of the caller's organisation. */
int directory_profile_get(struct db *db, const struct principal *who, json_t **out,
                          struct pd_error *err);

/* Replaces the draft with body's fields; answers as directory_profile_get. */
int directory_profile_put(struct db *db, const struct principal *who, const char *ip,
                          const json_t *body, json_t **out, struct pd_error *err);

/* Checks and stores a logo (PNG or JPEG by its bytes, decoded, at most DIRECTORY_LOGO_MAX)
 * and makes it the draft's; answers as directory_profile_get. */
int directory_logo_put(struct db *db, const struct principal *who, const char *ip, const void *data,
                       size_t size, json_t **out, struct pd_error *err);

/* Publishes the draft; answers as directory_profile_get. */
int directory_publish(struct db *db, const struct principal *who, const char *ip, json_t **out,
                      struct pd_error *err);

/* Takes the listing out of the directory (the draft stays). */
int directory_unpublish(struct db *db, const struct principal *who, const char *ip,
                        struct pd_error *err);

/* The bytes of a logo: public (partner NULL) when a listed profile shows it, else when it
 * is the draft's or the listing's of who's organisation. *data malloc'd (owner: caller). */
int directory_logo_get(struct db *db, const struct principal *who, const char *hash, char *type,
                       size_t tn, unsigned char **data, size_t *size, struct pd_error *err);

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

/* The level's name: "gold", "silver", "member", or NULL for 0. */
const char *directory_level_name(int level);

#endif
