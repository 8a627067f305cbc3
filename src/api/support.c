/* api/support.c - support requests, their messages and files, and cancellation. */
#include <stdlib.h>

#include "api/api.h"
#include "service/cancellation.h"
#include "service/refunds.h"
#include "service/support.h"
#include "service/support_catalog.h"
#include "service/support_files.h"

int api_support_categories(struct req *r, struct resp *w)
{
    api_list(r, w, support_catalog_json(r->lang), NULL);
    return 0;
}

int api_support_list(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *items;
    char next[CURSOR_TEXT_MAX];
    struct support_query in = {
        .page = api_page_in(r),
        .status = query_get(&r->query, "status"),
        .category = query_get(&r->query, "category"),
        .assignee_id = query_get(&r->query, "assignee_id"),
        .partner_id = query_get(&r->query, "partner_id"),
        .number = query_get(&r->query, "number"),
        .from = query_get(&r->query, "from"),
        .to = query_get(&r->query, "to"),
    };
    if (support_list(r->db, r->principal, &in, &items, next, &err) < 0)
        return api_fail(r, w, &err);
    api_list(r, w, items, next);
    return 0;
}

int api_support_create(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (support_create(r->db, r->principal, r->client_ip, r->json, &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 201, out);
    return 0;
}

int api_support_get(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (support_get(r->db, r->principal, req_param(r, "id"), &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, out);
    return 0;
}

int api_support_message(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (support_add_message(r->db, r->principal, r->client_ip, req_param(r, "id"), r->json, &out,
                            &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 201, out);
    return 0;
}

int api_support_update(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (support_update(r->db, r->principal, r->client_ip, req_param(r, "id"), r->json, &out, &err) <
        0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, out);
    return 0;
}

int api_support_reopen(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (support_reopen(r->db, r->principal, r->client_ip, req_param(r, "id"), &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, out);
    return 0;
}

int api_support_resolution(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (cancellation_resolve(r->db, r->principal, r->client_ip, req_param(r, "id"), r->json, &out,
                             &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, out);
    return 0;
}

/* The file is the raw body; its name is ?filename=. */
int api_support_attach(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (support_files_add(r->db, r->principal, r->client_ip, req_param(r, "id"),
                          query_get(&r->query, "filename"), r->body.data, r->body.len, &out,
                          &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 201, out);
    return 0;
}

int api_support_attachment(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    char filename[256], type[64];
    unsigned char *data = NULL;
    size_t size = 0;
    if (support_files_get(r->db, r->principal, req_param(r, "id"), req_param(r, "aid"), filename,
                          sizeof(filename), type, sizeof(type), &data, &size, &err) < 0)
        return api_fail(r, w, &err);
    resp_bytes(r, w, 200, type, (const char *)data, size);
    resp_attachment(r, w, filename);
    free(data);
    return 0;
}

int api_subscription_cancellation(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    bool created = false;
    if (cancellation_open(r->db, r->principal, r->client_ip, req_param(r, "id"), r->json, r->lang,
                          &out, &created, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, created ? 201 : 200, out);
    return 0;
}

int api_admin_refunds(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *items;
    char next[CURSOR_TEXT_MAX];
    struct page_in page = api_page_in(r);
    if (refunds_list(r->db, query_get(&r->query, "status"), &page, &items, next, &err) < 0)
        return api_fail(r, w, &err);
    api_list(r, w, items, next);
    return 0;
}

int api_admin_refund_paid(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (refunds_record_paid(r->db, r->principal, r->client_ip, req_param(r, "id"), r->json, &out,
                            &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, out);
    return 0;
}
