/*
 * store/directory.h - SQL of company profiles, directory listings, logos, the directory's
 * catalog and its search.
 *
 * A profile row serves for the draft (company_profiles) and the published listing
 * (directory_listings): same fields, the listing adding its slug. A listing is "listed"
 * while its organisation has a subscription active on the given business date; its level
 * is the highest of them (3 Gold, 2 Silver, 1 any other). Texts are copied into the
 * caller's arena.
 */
#ifndef PD_STORE_DIRECTORY_H
#define PD_STORE_DIRECTORY_H

#include <stddef.h>
#include <stdint.h>

#include "core/words.h"

struct arena;
struct db;

/* Lists (industries, services, countries, languages) are comma-separated codes. */
struct profile_row {
    const char *partner_id;
    const char *slug; /* listings only */
    const char *name, *description_fr, *description_en;
    const char *website, *logo_hash; /* NULL: none */
    const char *industries, *services, *countries, *languages;
    const char *company_size, *referral_email; /* NULL: none */
    int level;                                 /* listings read for the public: 1..3 */
    int relevance;                             /* search results: 2 name, 1 descriptions, 0 none */
    const char *sort_name;                     /* listings */
    int64_t at;                                /* updated_at (draft), published_at (listing) */
};

/* 1 and *out when the organisation has a draft. */
int profiles_find(struct db *db, struct arena *a, const char *partner_id, struct profile_row *out);

/* Creates or replaces the draft. */
int profiles_save(struct db *db, const struct profile_row *p, const char *user_id, int64_t now);

/* 1 and *out when the organisation has a listing (listed or not; level 0). */
int listings_find(struct db *db, struct arena *a, const char *partner_id, struct profile_row *out);

/* 1 and *out (with its level) when slug is listed on today (YYYY-MM-DD). */
int listings_find_listed(struct db *db, struct arena *a, const char *slug, const char *today,
                         struct profile_row *out);

/* Creates or replaces the organisation's listing from p (its slug kept when it has one). */
int listings_publish(struct db *db, const struct profile_row *p, int64_t now);

/* Takes the organisation's listing out of the directory; 1 when there was one. */
int listings_remove(struct db *db, const char *partner_id);

/* 1 when a listing already has this slug. */
int listings_slug_taken(struct db *db, const char *slug);

/* The highest level of the organisation's subscriptions active on today; 0 when none. */
int directory_level(struct db *db, const char *partner_id, const char *today, int64_t *level);

/* A search of the listed profiles. NULL filters are not applied. */
struct directory_query {
    const char *today;
    char words[WORDS_MAX][WORD_BYTES];
    int nwords;
    const char *country, *industry, *service, *language;
    int level;        /* 0: any */
    int by_relevance; /* order: relevance first (else level first) */
    int after;        /* a cursor is given: rows after the one below */
    int after_level, after_relevance;
    const char *after_sort_name, *after_slug;
    int limit;
};

/* Up to q->limit listings in the query's order, into *out (arena a). */
int directory_search(struct db *db, struct arena *a, const struct directory_query *q,
                     struct profile_row **out, int *count);

/* Stores a logo (its bytes as base64); a logo already stored with this hash is kept. */
int logos_insert(struct db *db, const char *hash, const char *partner_id, const char *type,
                 int64_t size, int width, int height, const char *data_b64, int64_t now);

/* 1 with a logo's type and base64 bytes (malloc'd, owner: caller) when it is the logo of a
 * listing listed on today (today NULL: of partner_id's draft or listing instead). */
int logos_get(struct db *db, const char *hash, const char *today, const char *partner_id,
              char *type, size_t tn, char **data_b64);

/* An entry of the operator's catalog of industries and services. */
struct catalog_entry {
    const char *kind, *code, *fr, *en;
    int64_t position;
};

/* Every entry, by kind then position, into *out. */
int catalog_entries(struct db *db, struct arena *a, struct catalog_entry **out, int *count);

/* Creates or replaces one entry. */
int catalog_put(struct db *db, const struct catalog_entry *e);

/* Removes one entry; 1 when it existed. */
int catalog_remove(struct db *db, const char *kind, const char *code);

/* 1 when (kind, code) is in the catalog. */
int catalog_has(struct db *db, const char *kind, const char *code);

#endif
