/* api/admin.c - the program owner's side: partners, the test clock, the audit log. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/clock.h"
#include "core/date.h"
#include "service/audit.h"
#include "service/dashboard.h"
#include "service/clock_sync.h"
#include "service/principal.h"
#include "service/settings.h"
#include "service/validate.h"
#include "store/auth.h"
#include "store/users.h"
#include "db/db.h"

int api_admin_partners(struct req *r, struct resp *w)
{
    json_t *items;
    int rc = partners_list(r->db, &items);
    if (rc < 0)
        return rc;
    api_list(r, w, items, NULL);
    return 0;
}

/* PUT /api/v1/admin/clock {"now": "2027-06-23T09:00:00Z"} pins the business clock of
 * every process started with --test-clock; {"now": null} returns to the real time. */
int api_admin_clock(struct req *r, struct resp *w)
{
    static const char *const keys[] = {"now", NULL};
    struct checks c = {0};
    struct pd_error err = {0};
    int64_t t = 0;
    check_known_keys(&c, r->json, "", keys);
    json_t *now = json_object_get(r->json, "now");
    if (now == NULL)
        check_fail(&c, "now", MSG_FIELD_INSTANT_OR_NULL);
    else if (!json_is_null(now) &&
             (!json_is_string(now) || instant_parse(json_string_value(now), &t) < 0))
        check_fail(&c, "now", MSG_FIELD_INSTANT);
    if (check_done(&c, &err) < 0)
        return api_fail(r, w, &err);

    int64_t before = clock_now();
    int rc = db_begin(r->db);
    if (rc == 0)
        rc = json_is_null(now) ? clock_sync_reset(r->db) : clock_sync_set(r->db, t);
    /* the operator who moves the clock stays signed in: their session moves with it (every
     * other session meets the new time, as it would have had the time really passed) */
    if (rc == 0 && r->principal->session_id[0])
        rc = sessions_shift(r->db, r->principal->session_id, clock_now() - before);
    if (rc == 0)
        rc = audit(r->db, r->principal, r->client_ip, NULL, "clock.set", "clock", NULL,
                   json_pack("{s:O}", "now", now));
    if (rc == 0)
        rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        return rc;
    }
    char s[21], d[DATE_STRLEN];
    resp_json(r, w, 200,
              json_pack("{s:s, s:s, s:b}", "now", instant_format(clock_now(), s), "today",
                        date_format(clock_today(), d), "pinned", clock_is_pinned()));
    return 0;
}

/* GET /api/v1/admin/clock: the business clock as every process sees it (404 without
 * --test-clock, like PUT). */
int api_admin_clock_get(struct req *r, struct resp *w)
{
    char s[21], d[DATE_STRLEN];
    resp_json(r, w, 200,
              json_pack("{s:s, s:s, s:b, s:s}", "now", instant_format(clock_now(), s), "today",
                        date_format(clock_today(), d), "pinned", clock_is_pinned(),
                        "time_zone", date_timezone()));
    return 0;
}

int api_admin_dashboard(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (dashboard_json(r->db, &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, out);
    return 0;
}

/* A global_admin sees its organisation's events; an operator every organisation's, or one
 * with ?partner_id=. */
int api_audit_events(struct req *r, struct resp *w)
{
    const struct principal *p = r->principal;
    const char *partner = p->staff ? query_get(&r->query, "partner_id") : p->partner_id;
    const char *cursor = query_get(&r->query, "cursor");
    const char *limit_s = query_get(&r->query, "limit");
    int limit = limit_s ? atoi(limit_s) : 50;
    if (limit < 1 || limit > 200)
        return PD_E_INVALID_QUERY;
    json_t *items;
    char next[80];
    int rc = audit_list(r->db, partner, cursor, limit, &items, next, sizeof(next));
    if (rc < 0)
        return rc;
    api_list(r, w, items, next);
    return 0;
}

int api_admin_settings_list(struct req *r, struct resp *w)
{
    json_t *items;
    int rc = settings_list_all(r->db, &items);
    if (rc < 0)
        return rc;
    api_list(r, w, items, NULL);
    return 0;
}

int api_admin_settings_put(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (settings_change(r->db, r->principal, r->client_ip, req_param(r, "key"), r->json, &out,
                        &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, out);
    return 0;
}
