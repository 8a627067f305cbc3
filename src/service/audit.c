/*
 * service/audit.c - the audit helper every use case calls, and the audit log's pages.
 *
 * Pages are cut by a cursor "<at>.<id>" of the last event of the previous page, so a
 * page stays the same while new events arrive.
 */
#include "service/audit.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* A page being read: the events so far, and the cursor of the last one kept. */
struct page {
    json_t *items;
    int limit, count;
    char last[80];
    bool more;
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
    if (p->count++ == p->limit) { /* one more than asked: there is a next page */
        p->more = true;
        return;
    }
    json_array_append_new(p->items, event_view(e));
    snprintf(p->last, sizeof(p->last), "%lld.%s", (long long)e->at, e->id);
}

int audit_page(struct db *db, const struct principal *who, const char *partner_id,
               const char *cursor, const char *limit, json_t **items, char *next, size_t n,
               struct pd_error *err)
{
    struct page p = {.limit = limit ? atoi(limit) : 50};
    int64_t at = 0;
    char id[40];
    const char *before = NULL;
    if (p.limit < 1 || p.limit > 200)
        return pd_fail(err, PD_E_INVALID_QUERY, NULL);
    if (cursor && *cursor) {
        const char *dot = strchr(cursor, '.');
        if (dot == NULL || dot == cursor || strlen(dot + 1) >= sizeof(id))
            return pd_fail(err, PD_E_INVALID_QUERY, NULL);
        at = strtoll(cursor, NULL, 10);
        snprintf(id, sizeof(id), "%s", dot + 1);
        before = id;
    }
    p.items = json_array();
    int rc = audit_each(db, who->staff ? partner_id : who->partner_id, at, before, p.limit + 1,
                        page_add, &p);
    if (rc < 0) {
        json_decref(p.items);
        return pd_fail(err, rc, "%s", db_errmsg(db));
    }
    snprintf(next, n, "%s", p.more ? p.last : "");
    *items = p.items;
    return 0;
}
