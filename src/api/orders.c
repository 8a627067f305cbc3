/* api/orders.c - orders and Buy, invoices and their PDFs, the saved card, and the
 * finance side: wire transfers and bank statements. */
#include <stdlib.h>

#include "api/api.h"
#include "render/invoice_pdf.h"
#include "service/checkout.h"

#define FAIL_OR(expr)                                                                         \
    do {                                                                                      \
        if ((expr) < 0)                                                                       \
            return api_fail(r, w, &err);                                                      \
    } while (0)

int api_orders_create(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    FAIL_OR(orders_create(r->db, r->principal, r->client_ip, r->json, r->lang, &out, &err));
    resp_json(r, w, 201, out);
    return 0;
}

int api_orders_purchase(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    FAIL_OR(orders_purchase(r->db, r->principal, r->client_ip, req_param(r, "id"), r->lang, &out,
                            &err));
    resp_json(r, w, 200, out);
    return 0;
}

int api_orders_get(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    FAIL_OR(orders_get(r->db, r->principal, req_param(r, "id"), r->lang, &out, &err));
    resp_json(r, w, 200, out);
    return 0;
}

int api_orders_list(struct req *r, struct resp *w)
{
    json_t *items;
    int rc = orders_list_json(r->db, r->principal, r->lang, &items);
    if (rc < 0)
        return rc;
    api_list(r, w, items, NULL);
    return 0;
}

int api_invoices_list(struct req *r, struct resp *w)
{
    json_t *items;
    int rc = invoices_list_json(r->db, r->principal, r->lang, &items);
    if (rc < 0)
        return rc;
    api_list(r, w, items, NULL);
    return 0;
}

int api_invoices_get(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    FAIL_OR(invoices_get(r->db, r->principal, req_param(r, "id"), r->lang, &out, &err));
    resp_json(r, w, 200, out);
    return 0;
}

int api_invoices_pdf(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *doc;
    FAIL_OR(invoices_document(r->db, r->principal, req_param(r, "id"), &doc, &err));
    struct buf pdf = {0};
    int rc = invoice_pdf_render(doc, &pdf);
    const char *number = json_string_value(json_object_get(doc, "number"));
    char *disposition = arena_printf(&r->arena, "attachment; filename=\"%s-%s.pdf\"",
                                     json_string_value(json_object_get(doc, "type")),
                                     number ? number : "document");
    json_decref(doc);
    if (rc < 0) {
        buf_free(&pdf);
        return PD_E_INTERNAL;
    }
    resp_bytes(r, w, 200, "application/pdf", pdf.data, pdf.len);
    resp_header(w, "Content-Disposition", disposition);
    buf_free(&pdf);
    return 0;
}

int api_payment_method_get(struct req *r, struct resp *w)
{
    json_t *out;
    int rc = payment_method_json(r->db, r->principal, &out);
    if (rc < 0)
        return rc;
    resp_json(r, w, 200, out);
    return 0;
}

int api_payment_method_put(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    FAIL_OR(payment_method_replace(r->db, r->principal, r->client_ip, r->json, &out, &err));
    resp_json(r, w, 200, out);
    return 0;
}

int api_admin_wire_transfers_post(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    FAIL_OR(wire_record(r->db, r->principal, r->client_ip, r->json, &out, &err));
    resp_json(r, w, 201, out);
    return 0;
}

int api_admin_wire_transfers_list(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *items;
    FAIL_OR(wire_list_json(r->db, query_get(&r->query, "status"), &items, &err));
    api_list(r, w, items, NULL);
    return 0;
}

int api_admin_bank_statements(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    FAIL_OR(bank_statement_import(r->db, r->principal, r->client_ip,
                                  r->body.data ? r->body.data : "", &out, &err));
    resp_json(r, w, 201, out);
    return 0;
}

int api_admin_orders_awaiting(struct req *r, struct resp *w)
{
    json_t *items;
    int rc = orders_awaiting_json(r->db, r->lang, &items);
    if (rc < 0)
        return rc;
    api_list(r, w, items, NULL);
    return 0;
}
