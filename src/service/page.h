/*
 * service/page.h - the query parameters every list shares: limit, cursor, a date range.
 *
 * One convention for every list (core/cursor.h): ?limit=1..200 (50 when absent) and
 * ?cursor=<the next_cursor of the previous page>; the answer is {"items": [...],
 * "next_cursor": "..." or null}, newest first. A wrong limit or cursor is a validation
 * error of the query (PD_E_INVALID_QUERY, details.fields), worded in the caller's language;
 * so is a cursor given by another list, or by this one with other filters (its scope).
 */
#ifndef PD_SERVICE_PAGE_H
#define PD_SERVICE_PAGE_H

#include <stdint.h>

#include "core/cursor.h"
#include "service/validate.h"

/* The page parameters of a query string, as given (NULL when absent). */
struct page_in {
    const char *cursor, *limit;
    uint32_t scope; /* the list's path and filters (cursor_scope_add); 0 for an inner read */
};

/* Reads limit and cursor into *p, recording a problem in c for each wrong one. */
void page_check(struct checks *c, const struct page_in *in, struct page_request *p);

/* Reads an optional date filter (YYYY-MM-DD, in the business time zone) as the first
 * instant of that day (end: of the next day, so "to" includes its day). 0 when absent. */
int64_t page_check_date(struct checks *c, const char *field, const char *value, bool end);

/* Ends the checks of a query string: 0, or PD_E_INVALID_QUERY with details.fields. */
int page_checks_done(struct checks *c, struct pd_error *err);

/* After reading n rows for page p (p->limit + 1 were asked): how many to show, and the
 * next_cursor in next (empty when this is the last page) from the last row shown, whose
 * sort key last_at(i)/last_id(i) the caller gives for row shown - 1. */
int page_shown(const struct page_request *p, int n);
void page_next(const struct page_request *p, int n, int64_t last_at, const char *last_id,
               char next[CURSOR_TEXT_MAX]);

#endif
