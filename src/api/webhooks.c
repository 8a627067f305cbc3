/* api/webhooks.c - webhook endpoints, delivery status, and running the jobs by hand. */
#include "api/api.h"
#include "jobs/jobs.h"
#include "service/webhooks.h"

int api_webhooks_list(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *items;
    if (webhooks_list(r->db, r->principal, &items, &err) < 0)
        return api_fail(r, w, &err);
    api_list(r, w, items, NULL);
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
    if (webhooks_deliveries(r->db, r->principal, req_param(r, "id"), &items, &err) < 0)
        return api_fail(r, w, &err);
    api_list(r, w, items, NULL);
    return 0;
}

int api_admin_deliveries(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *items;
    if (deliveries_admin_list(r->db, query_get(&r->query, "kind"), query_get(&r->query, "status"),
                              &items, &err) < 0)
        return api_fail(r, w, &err);
    api_list(r, w, items, NULL);
    return 0;
}

/* One pass of every job, now, on this request's connection (SPEC section 8: with the test
 * clock, this is how time is made to pass). */
int api_admin_jobs_run(struct req *r, struct resp *w)
{
    json_t *report = json_array();
    int rc = jobs_run_once(r->db, false, report);
    resp_json(r, w, 200, json_pack("{s:b, s:o}", "ok", rc == 0, "jobs", report));
    return 0;
}
