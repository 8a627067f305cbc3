/* api/orders.c - orders and Buy, invoices and their PDFs, the saved card, and the
 * finance side: wire transfers and bank statements. */

#include "api/api.h"
#include "service/invoices.h"
#include "service/orders.h"
#include "service/payment_method.h"
#include "service/wire_transfers.h"

/* Where an invoice's PDF is served: the "pdf" link of an invoice object. */
static void add_pdf_link(json_t *invoice)
{
    const char *id = json_string_value(json_object_get(invoice, "id"));
    json_object_set_new(invoice, "pdf", json_sprintf("/api/v1/invoices/%s/pdf", id ? id : ""));
}

int api_orders_create(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (orders_create(r->db, r->principal, r->client_ip, r->json, r->lang, &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 201, out);
    return 0;
}

int api_orders_purchase(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (orders_purchase(r->db, r->principal, r->client_ip, req_param(r, "id"), r->lang, &out,
                        &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, out);
    return 0;
}

int api_orders_get(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (orders_get(r->db, r->principal, req_param(r, "id"), r->lang, &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, out);
    return 0;
}

int api_orders_list(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *items;
    char next[CURSOR_TEXT_MAX];
    struct orders_query in = {
        .page = api_page_in(r),
        .status = query_get(&r->query, "status"),
        .reference = query_get(&r->query, "reference"),
        .from = query_get(&r->query, "from"),
        .to = query_get(&r->query, "to"),
    };
    if (orders_list_json(r->db, r->principal, &in, r->lang, &items, next, &err) < 0)
        return api_fail(r, w, &err);
    api_list(r, w, items, next);
    return 0;
}

int api_invoices_list(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *items, *v;
    size_t i;
    char next[CURSOR_TEXT_MAX];
    struct invoices_query in = {
        .page = api_page_in(r),
        .number = query_get(&r->query, "number"),
        .from = query_get(&r->query, "from"),
        .to = query_get(&r->query, "to"),
    };
    if (invoices_list_json(r->db, r->principal, &in, r->lang, &items, next, &err) < 0)
        return api_fail(r, w, &err);
    json_array_foreach(items, i, v) add_pdf_link(v);
    api_list(r, w, items, next);
    return 0;
}

int api_invoices_get(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (invoices_get(r->db, r->principal, req_param(r, "id"), r->lang, &out, &err) < 0)
        return api_fail(r, w, &err);
    add_pdf_link(out);
    resp_json(r, w, 200, out);
    return 0;
}

int api_invoices_pdf(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    struct invoice_pdf_file pdf;
    if (invoices_pdf(r->db, r->principal, req_param(r, "id"), &pdf, &err) < 0)
        return api_fail(r, w, &err);
    char *disposition = arena_printf(&r->arena, "attachment; filename=\"%s\"", pdf.filename);
    resp_bytes(r, w, 200, "application/pdf", pdf.bytes.data, pdf.bytes.len);
    resp_header(w, "Content-Disposition", disposition);
    buf_free(&pdf.bytes);
    return 0;
}

int api_payment_method_get(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (payment_method_json(r->db, r->principal, &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, out);
    return 0;
}

int api_payment_method_put(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (payment_method_replace(r->db, r->principal, r->client_ip, r->json, &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, out);
    return 0;
}

int api_admin_wire_transfers_post(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (wire_transfers_record(r->db, r->principal, r->client_ip, r->json, &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 201, out);
    return 0;
}

int api_admin_wire_transfers_list(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *items;
    char next[CURSOR_TEXT_MAX];
    struct wire_transfers_query in = {
        .page = api_page_in(r),
        .status = query_get(&r->query, "status"),
        .reference = query_get(&r->query, "reference"),
        .from = query_get(&r->query, "from"),
        .to = query_get(&r->query, "to"),
    };
    if (wire_transfers_list_json(r->db, &in, &items, next, &err) < 0)
        return api_fail(r, w, &err);
    api_list(r, w, items, next);
    return 0;
}

int api_admin_bank_statements(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (wire_transfers_import(r->db, r->principal, r->client_ip, r->body.data ? r->body.data : "",
                              r->lang, &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 201, out);
    return 0;
}

int api_admin_orders_awaiting(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *items;
    char next[CURSOR_TEXT_MAX];
    struct orders_query in = {
        .page = api_page_in(r),
        .reference = query_get(&r->query, "reference"),
        .partner_id = query_get(&r->query, "partner_id"),
        .from = query_get(&r->query, "from"),
        .to = query_get(&r->query, "to"),
    };
    if (orders_awaiting_json(r->db, &in, r->lang, &items, next, &err) < 0)
        return api_fail(r, w, &err);
    api_list(r, w, items, next);
    return 0;
}
