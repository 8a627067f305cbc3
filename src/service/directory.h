/*
 * service/directory.h - the company profile, its publication and the public directory.
 *
 * A partner's global or account admin edits a draft (name, descriptions in French and
 * English, website, logo, industries and services from the operator's catalog, countries,
 * languages, size, the address referrals go to); « Publier » copies it into the listing,
 * the only thing the public directory reads. The level (Gold, Silver, member) comes from
 * the organisation's active subscriptions, and without one the listing is not shown. The
 * public directory that reads the listings is service/directory_search.h.
 */
#ifndef PD_SERVICE_DIRECTORY_H
#define PD_SERVICE_DIRECTORY_H

#include <jansson.h>
#include <stddef.h>

#include "core/error.h"
#include "service/principal.h"

struct db;

#define DIRECTORY_LOGO_MAX ((size_t)1024 * 1024)

/* The longest slug: a folded name of up to 47 characters, "-" and six hex digits. Every
 * reader of a slug (a partner's page, the search's cursor) takes what publishing makes. */
#define DIRECTORY_SLUG_MAX 54

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

#endif
