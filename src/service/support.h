/*
 * service/support.h - support requests (SPEC section 6): opening, listing, reading,
 * answering, assigning, reopening and closing them.
 *
 * Files attached to a request are in service/support_files.h, cancellation through a
 * request in service/cancellation.h, refunds in service/refunds.h, and what a request can
 * be about in service/support_catalog.h.
 */
#ifndef PD_SERVICE_SUPPORT_H
#define PD_SERVICE_SUPPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "service/page.h"
#include "core/error.h"
#include "service/principal.h"
#include "store/support.h"

struct arena;
struct db;

/* The largest attachment (10 MiB); the HTTP layer accepts bodies this large on the upload
 * route only. */
#define SUPPORT_ATTACHMENT_MAX (10L * 1024L * 1024L)

/* How long a partner may reopen a resolved request, in days of the business calendar;
 * after it, support_autoclose_run closes it. */
#define SUPPORT_REOPEN_DAYS 14

/* {"title","description","category","problem_type","subscription_id"?} -> the request. */
int support_create(struct db *db, const struct principal *who, const char *ip, const json_t *body,
                   json_t **out, struct pd_error *err);

/* The query string of the list of requests (NULL: not given). */
struct support_query {
    struct page_in page;
    const char *status, *category;
    const char *assignee_id; /* "" or "none": nobody assigned */
    const char *partner_id;  /* staff only */
    const char *number;      /* a request number, exactly */
    const char *from, *to;   /* opened between these days (YYYY-MM-DD), both included */
};

/* Partners: a page of their organisation's requests; staff: of every request. Newest
 * first. */
int support_list(struct db *db, const struct principal *who, const struct support_query *in,
                 json_t **items, char next[CURSOR_TEXT_MAX], struct pd_error *err);

/* One request with its messages and attachments (404 for another organisation's). */
int support_get(struct db *db, const struct principal *who, const char *id, json_t **out,
                struct pd_error *err);

/* {"body"}: a message; a staff answer takes an open request in hand. PD_E_CONFLICT when
 * the request is closed. */
int support_add_message(struct db *db, const struct principal *who, const char *ip, const char *id,
                        const json_t *body, json_t **out, struct pd_error *err);

/* Staff: {"status"?, "assignee_id"?}. A cancellation is resolved only by
 * cancellation_resolve(). */
int support_update(struct db *db, const struct principal *who, const char *ip, const char *id,
                   const json_t *body, json_t **out, struct pd_error *err);

/* The partner reopens a resolved request within SUPPORT_REOPEN_DAYS. */
int support_reopen(struct db *db, const struct principal *who, const char *ip, const char *id,
                   json_t **out, struct pd_error *err);

/* Job: closes requests resolved more than SUPPORT_REOPEN_DAYS ago; how many. */
int support_autoclose_run(struct db *db);

/* ---- for the other use cases of support (files, cancellation) ---- */

/* Reads request id into *out (texts in a) when the caller may see it; PD_E_NOT_FOUND
 * otherwise. */
int support_load(struct db *db, struct arena *a, const struct principal *who, const char *id,
                 struct request_row *out, struct pd_error *err);

/* Opens request r for the caller (its id, number and first message), audited and told to
 * support; *out the request as inserted (texts in a, or r's). */
int support_open(struct db *db, struct arena *a, const struct principal *who, const char *ip,
                 struct support_new *r, struct request_row *out);

/* Tells the other side of a change (what: "opened", "message", "status"...): the author or
 * the billing contacts when staff made it, the support staff when the partner did. */
int support_notify(struct db *db, const struct request_row *req, bool by_staff, const char *what,
                   const char *message);

/* The API object of a request with its messages and attachments. */
int support_view(struct db *db, const struct request_row *req, json_t **out);

/* Moves req to status in memory as requests_set_status() does in the database. */
void support_set_status(struct request_row *req, const char *status, int64_t now);

#endif
