/* api/admin.c - the program owner's side: partners, the test clock, the audit log,
 * settings. */
#include "api/api.h"
#include "service/audit.h"
#include "service/clock_sync.h"
#include "service/dashboard.h"
#include "service/members.h"
#include "service/partner_search.h"
#include "service/principal.h"
#include "service/settings.h"

int api_admin_partners(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *items;
    char next[CURSOR_TEXT_MAX];
    struct partner_search_in in = {
        .page = api_page_in(r),
        .q = query_get(&r->query, "q"),
        .membership_id = query_get(&r->query, "membership_id"),
        .vat_id = query_get(&r->query, "vat_id"),
    };
    if (partner_search_page(r->db, &in, &items, next, &err) < 0)
        return api_fail(r, w, &err);
    api_list(r, w, items, next);
    return 0;
}

/* PUT /api/v1/admin/clock {"now": "2027-06-23T09:00:00Z"} pins the business clock of
 * every process started with --test-clock; {"now": null} returns to the real time. */
int api_admin_clock(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (clock_sync_change(r->db, r->principal, r->client_ip, r->json, &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, out);
    return 0;
}

/* GET /api/v1/admin/clock: the business clock as every process sees it (404 without
 * --test-clock, like PUT). */
int api_admin_clock_get(struct req *r, struct resp *w)
{
    resp_json(r, w, 200, clock_sync_view(true));
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
    struct pd_error err = {0};
    json_t *items;
    char next[CURSOR_TEXT_MAX];
    struct page_in page = api_page_in(r);
    if (audit_page(r->db, r->principal, query_get(&r->query, "partner_id"), &page, &items, next,
                   &err) < 0)
        return api_fail(r, w, &err);
    api_list(r, w, items, next);
    return 0;
}

int api_admin_settings_list(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *items;
    if (settings_list_all(r->db, &items, &err) < 0)
        return api_fail(r, w, &err);
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
