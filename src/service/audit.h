/*
 * service/audit.h - recording who did what, in the transaction of the change, and
 * reading it back a page at a time.
 */
#ifndef PD_SERVICE_AUDIT_H
#define PD_SERVICE_AUDIT_H

#include <jansson.h>
#include <stddef.h>

#include "core/error.h"
#include "service/page.h"

struct db;
struct principal;

/* Records an event. who may be NULL (nobody signed in); partner_id NULL takes who's
 * organisation. details is stolen (may be NULL). Returns 0 or a negative status. */
int audit(struct db *db, const struct principal *who, const char *ip, const char *partner_id,
          const char *action, const char *object_type, const char *object_id, json_t *details);

/* A page of events, newest first, paged like every list (service/page.h): a partner's
 * global_admin sees its organisation's, staff every organisation's or partner_id's (NULL:
 * all). next gets the cursor of the following page, or "" on the last. PD_E_INVALID_QUERY
 * (details.fields) for a wrong limit or cursor. */
int audit_page(struct db *db, const struct principal *who, const char *partner_id,
               const struct page_in *page, json_t **items, char next[CURSOR_TEXT_MAX],
               struct pd_error *err);

#endif
