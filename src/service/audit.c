/*
 * service/audit.c - the audit helper every use case calls, and the audit log's pages.
 *
 * The log is paged like every list (service/page.h): its events newest first by (at, id),
 * an event's at standing for the created_at of the cursor's sort key.
 */
#include "service/audit.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/clock.h"
#include "core/date.h"
#include "db/db.h"
#include "service/principal.h"
#include "store/auth.h"

int audit(struct db *db, const struct principal *who, const char *ip, const char *partner_id,
          const char *action, const char *object_type, const char *object_id, json_t *details)
{
    char *text = details ? json_dumps(details, JSON_COMPACT) : NULL;
    struct audit_entry e = {
        .actor_id = who ? who->user_id : NULL,
        .actor_email = who ? who->email : NULL,
        .partner_id =
            partner_id ? partner_id : (who && who->partner_id[0] ? who->partner_id : NULL),
        .ip = ip,
        .action = action,
        .object_type = object_type,
        .object_id = object_id,
        .details = text,
    };
    int rc = audit_insert(db, &e, clock_now());
    free(text);
    json_decref(details);
    return rc;
}

/* A page being read: the events so far, and the sort key of the last one shown. */
struct page {
    const struct page_request *req;
    json_t *items;
    int count;
    int64_t last_at;
    char last_id[CURSOR_ID_MAX + 1];
};

/* The API object of an event. */
static json_t *event_view(const struct audit_entry *e)
{
    char at[21];
    json_t *details = e->details ? json_loads(e->details, 0, NULL) : NULL;
    return json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s, s:s, s:s?, s:o}", "id", e->id, "at",
                     instant_format(e->at, at), "actor_id", e->actor_id, "actor_email",
                     e->actor_email, "partner_id", e->partner_id, "ip", e->ip, "action", e->action,
                     "object_type", e->object_type, "object_id", e->object_id, "details",
                     details ? details : json_object());
}

static void page_add(void *ctx, const struct audit_entry *e)
{
    struct page *p = ctx;
    if (p->count++ >= p->req->limit) /* the one row more than the page: a next page */
        return;
    json_array_append_new(p->items, event_view(e));
    p->last_at = e->at;
    snprintf(p->last_id, sizeof(p->last_id), "%s", e->id);
}

int audit_page(struct db *db, const struct principal *who, const char *partner_id,
               const struct page_in *page, json_t **items, char next[CURSOR_TEXT_MAX],
               struct pd_error *err)
{
    struct checks c = {0};
    struct page_request req;
    page_check(&c, page, &req);
    if (page_checks_done(&c, err) < 0)
        return err->code;
    struct page p = {.req = &req, .items = json_array()};
    int rc = audit_each(db, who->staff ? partner_id : who->partner_id, &req, page_add, &p);
    if (rc < 0) {
        json_decref(p.items);
        return pd_fail(err, rc, "%s", db_errmsg(db));
    }
    page_next(&req, p.count, p.last_at, p.last_id, next);
    *items = p.items;
    return 0;
}
