/*
 * service/partner_search.h - the staff's list of partner organisations, page by page.
 *
 * GET /api/v1/admin/partners?q=&membership_id=&vat_id=&limit=&cursor=. q is what a person
 * types in the console's search box: seven digits are a membership ID, a VAT ID's shape
 * (two letters, then letters and digits with a digit among them) a VAT ID, anything else
 * words that must each begin a word of the legal name. Each is served by an index.
 */
#ifndef PD_SERVICE_PARTNER_SEARCH_H
#define PD_SERVICE_PARTNER_SEARCH_H

#include <jansson.h>

#include "core/cursor.h"
#include "core/error.h"
#include "service/page.h"

struct db;

/* The query string of the list. */
struct partner_search_in {
    struct page_in page;
    const char *q, *membership_id, *vat_id;
};

/* One page: *items (a new reference) and next (empty on the last page). */
int partner_search_page(struct db *db, const struct partner_search_in *in, json_t **items,
                        char next[CURSOR_TEXT_MAX], struct pd_error *err);

/* The legal name of partner id, for staff lists that show whose a row is: the name of the
 * previous call is kept in last, so rows of one organisation in a row read it once. A new
 * JSON string, or null when the partner is unknown. */
struct partner_name_cache {
    char id[32];
    char name[801];
};
json_t *partner_search_name(struct db *db, const char *id, struct partner_name_cache *last);

#endif
