/* api/support.c - support requests, their messages and files, and cancellation. */
#include <stdlib.h>

#include "api/api.h"
#include "service/support.h"

#define FAIL_OR(expr)                                                                         \
    do {                                                                                      \
        if ((expr) < 0)                                                                       \
            return api_fail(r, w, &err);                                                      \
    } while (0)

int api_support_categories(struct req *r, struct resp *w)
{
    api_list(r, w, support_catalog_json(r->lang), NULL);
    return 0;
}

int api_support_list(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *items;
    FAIL_OR(support_list_json(r->db, r->principal, query_get(&r->query, "status"),
                              query_get(&r->query, "category"), query_get(&r->query, "assignee_id"),
                              &items, &err));
    api_list(r, w, items, NULL);
    return 0;
}

int api_support_create(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    FAIL_OR(support_create(r->db, r->principal, r->client_ip, r->json, &out, &err));
    resp_json(r, w, 201, out);
    return 0;
}

int api_support_get(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    FAIL_OR(support_get_json(r->db, r->principal, req_param(r, "id"), &out, &err));
    resp_json(r, w, 200, out);
    return 0;
}

int api_support_message(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    FAIL_OR(support_add_message(r->db, r->principal, r->client_ip, req_param(r, "id"), r->json,
                                &out, &err));
    resp_json(r, w, 201, out);
    return 0;
}

int api_support_update(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    FAIL_OR(support_update(r->db, r->principal, r->client_ip, req_param(r, "id"), r->json, &out,
                           &err));
    resp_json(r, w, 200, out);
    return 0;
}

int api_support_reopen(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    FAIL_OR(support_reopen(r->db, r->principal, r->client_ip, req_param(r, "id"), &out, &err));
    resp_json(r, w, 200, out);
    return 0;
}

int api_support_resolution(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    FAIL_OR(support_resolve(r->db, r->principal, r->client_ip, req_param(r, "id"), r->json, &out,
                            &err));
    resp_json(r, w, 200, out);
    return 0;
}

/* The file is the raw body; its name is ?filename=. */
int api_support_attach(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    FAIL_OR(support_attach(r->db, r->principal, r->client_ip, req_param(r, "id"),
                           query_get(&r->query, "filename"), r->body.data, r->body.len, &out,
                           &err));
    resp_json(r, w, 201, out);
    return 0;
}

int api_support_attachment(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    char filename[256], type[64];
    unsigned char *data = NULL;
    size_t size = 0;
    FAIL_OR(support_attachment(r->db, r->principal, req_param(r, "id"), req_param(r, "aid"),
                               filename, sizeof(filename), type, sizeof(type), &data, &size, &err));
    resp_bytes(r, w, 200, type, (const char *)data, size);
    resp_header(w, "Content-Disposition",
                arena_printf(&r->arena, "attachment; filename=\"%s\"", filename));
    free(data);
    return 0;
}

int api_subscription_cancellation(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    bool created = false;
    FAIL_OR(support_cancellation(r->db, r->principal, r->client_ip, req_param(r, "id"), r->lang,
                                 &out, &created, &err));
    resp_json(r, w, created ? 201 : 200, out);
    return 0;
}

int api_admin_refunds(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *items;
    FAIL_OR(refunds_list_json(r->db, query_get(&r->query, "status"), &items, &err));
    api_list(r, w, items, NULL);
    return 0;
}

int api_admin_refund_paid(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    FAIL_OR(refund_record_paid(r->db, r->principal, r->client_ip, req_param(r, "id"), r->json,
                               &out, &err));
    resp_json(r, w, 200, out);
    return 0;
}
