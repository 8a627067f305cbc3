/* api/webhooks.c - webhook endpoints, delivery status, and asking the jobs thread for a pass. */
#include "api/api.h"
#include "service/job_requests.h"
#include "service/webhooks.h"

/* How long POST /api/v1/admin/jobs/run waits for its pass: below the connection timeout
 * of the server (30 s) and of a proxy in front of it. */
#define JOBS_RUN_WAIT_MS 20000

int api_webhooks_list(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *items;
    char next[CURSOR_TEXT_MAX];
    struct page_in page = api_page_in(r);
    if (webhooks_list(r->db, r->principal, &page, &items, next, &err) < 0)
        return api_fail(r, w, &err);
    api_list(r, w, items, next);
    return 0;
}

int api_webhooks_create(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (webhooks_create(r->db, r->principal, r->client_ip, r->json, &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 201, out);
    return 0;
}

int api_webhooks_rotate_secret(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (webhooks_rotate_secret(r->db, r->principal, r->client_ip, req_param(r, "id"), &out, &err) <
        0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, out);
    return 0;
}

int api_webhooks_delete(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    if (webhooks_delete(r->db, r->principal, r->client_ip, req_param(r, "id"), &err) < 0)
        return api_fail(r, w, &err);
    api_no_content(r, w);
    return 0;
}

int api_webhooks_deliveries(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *items;
    char next[CURSOR_TEXT_MAX];
    struct page_in page = api_page_in(r);
    if (webhooks_deliveries(r->db, r->principal, req_param(r, "id"), &page, &items, next, &err) < 0)
        return api_fail(r, w, &err);
    api_list(r, w, items, next);
    return 0;
}

int api_admin_deliveries(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *items;
    char next[CURSOR_TEXT_MAX];
    struct page_in page = api_page_in(r);
    if (deliveries_admin_list(r->db, query_get(&r->query, "kind"), query_get(&r->query, "status"),
                              &page, &items, next, &err) < 0)
        return api_fail(r, w, &err);
    api_list(r, w, items, next);
    return 0;
}

/* One pass of every job, now (SPEC section 8: with the test clock, this is how time is
 * made to pass). The pass runs on the jobs thread, which this worker waits for: 200 with
 * its report when it ended within JOBS_RUN_WAIT_MS, else 202 (it goes on running). */
int api_admin_jobs_run(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *report = NULL;
    int rc = job_requests_run(r->db, JOBS_RUN_WAIT_MS, &report, &err);
    if (rc < 0)
        return api_fail(r, w, &err);
    if (rc > 0) {
        resp_json(r, w, 202, json_pack("{s:b, s:b, s:[]}", "ok", 0, "running", 1, "jobs"));
        return 0;
    }
    bool ok = true; /* every job of the pass */
    for (size_t i = 0; i < json_array_size(report); i++)
        ok = ok && json_is_true(json_object_get(json_array_get(report, i), "ok"));
    resp_json(r, w, 200, json_pack("{s:b, s:o}", "ok", ok, "jobs", report));
    return 0;
}
