/* api/benefits.c - benefits (issue 18): the partner's benefits, their activation and
 * product keys; the staff's usage, key pools and the catalog's benefit rules. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "service/benefit_keys.h"
#include "service/benefits.h"

int api_benefits_list(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *items;
    int left = 0;
    if (benefits_list(r->db, r->principal, r->lang, &items, &err) < 0)
        return api_fail(r, w, &err);
    if (benefits_incidents_left(r->db, r->principal->partner_id, &left) < 0) {
        json_decref(items);
        pd_fail(&err, PD_E_DB, "incidents left");
        return api_fail(r, w, &err);
    }
    resp_json(r, w, 200,
              json_pack("{s:o, s:n, s:i}", "items", items, "next_cursor", "support_incidents_left",
                        left));
    return 0;
}

int api_benefits_get(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (benefits_get(r->db, r->principal, req_param(r, "id"), r->lang, &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, out);
    return 0;
}

int api_benefits_activate(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (benefits_activate(r->db, r->principal, r->client_ip, req_param(r, "id"), r->json, r->lang,
                          &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, out);
    return 0;
}

int api_benefits_keys(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *items;
    if (bkeys_of_grant(r->db, r->principal, req_param(r, "id"), &items, &err) < 0)
        return api_fail(r, w, &err);
    resp_header(w, "Cache-Control", "no-store"); /* product keys: kept by no cache */
    api_list(r, w, items, NULL);
    return 0;
}

/* The export's chunks, as the server asks for them while it sends (resp_stream). */
static long usage_export_fill(void *ctx, struct db *db, char *buf, size_t max)
{
    return benefits_usage_export_read(ctx, db, buf, max);
}

static void usage_export_done(void *ctx)
{
    benefits_usage_export_free(ctx);
}

int api_admin_benefits_usage(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    const char *format = query_get(&r->query, "format");
    if (format && strcmp(format, "csv") == 0) {
        struct usage_export *x = benefits_usage_export_new(r->lang);
        if (x == NULL)
            return PD_E_INTERNAL;
        resp_header(w, "Content-Disposition", "attachment; filename=\"benefits-usage.csv\"");
        resp_stream(w, 200, "text/csv; charset=utf-8", usage_export_fill, x, usage_export_done);
        return 0;
    }
    if (format && strcmp(format, "json") != 0) {
        pd_fail(&err, PD_E_INVALID_QUERY, "format: csv or json");
        return api_fail(r, w, &err);
    }
    json_t *items;
    char next[CURSOR_TEXT_MAX];
    struct page_in page = api_page_in(r);
    if (benefits_usage(r->db, r->lang, &page, &items, next, &err) < 0)
        return api_fail(r, w, &err);
    api_list(r, w, items, next);
    return 0;
}

int api_admin_key_pools(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *items;
    int threshold = 0;
    char next[CURSOR_TEXT_MAX];
    struct page_in page = api_page_in(r);
    if (bkeys_pools(r->db, &page, &items, &threshold, next, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200,
              json_pack("{s:o, s:o, s:i}", "items", items, "next_cursor",
                        next[0] ? json_string(next) : json_null(), "low_stock_threshold",
                        threshold));
    return 0;
}

int api_admin_key_pool_keys(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *items;
    char next[CURSOR_TEXT_MAX];
    struct page_in page = api_page_in(r);
    if (bkeys_pool_keys(r->db, req_param(r, "product"), &page, &items, next, &err) < 0)
        return api_fail(r, w, &err);
    api_list(r, w, items, next);
    return 0;
}

int api_admin_key_pool_load(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (bkeys_load(r->db, r->principal, r->client_ip, req_param(r, "product"),
                   r->body.data ? r->body.data : "", &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 201, out);
    return 0;
}

int api_admin_key_pools_reseal(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (bkeys_reseal(r->db, r->principal, r->client_ip, &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, out);
    return 0;
}

int api_admin_offer_benefits(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *items;
    if (benefits_rules(r->db, req_param(r, "code"), r->lang, &items, &err) < 0)
        return api_fail(r, w, &err);
    api_list(r, w, items, NULL);
    return 0;
}

int api_admin_offer_benefits_put(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *items;
    if (benefits_set_rules(r->db, r->principal, r->client_ip, req_param(r, "code"), r->json,
                           r->lang, &items, &err) < 0)
        return api_fail(r, w, &err);
    api_list(r, w, items, NULL);
    return 0;
}
