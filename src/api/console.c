/* api/console.c - the staff console's own answers (issue 17): a partner's page, finance
 * resolving a transfer, and what a cancellation would refund before support resolves it. */
#include "api/api.h"
#include "service/cancellation.h"
#include "service/partner_page.h"
#include "service/wire_transfers.h"

int api_admin_partner_page(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (partner_page_json(r->db, r->principal, req_param(r, "id"), r->lang, &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, out);
    return 0;
}

int api_admin_wire_transfer_resolve(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (wire_transfers_resolve_json(r->db, r->principal, r->client_ip, req_param(r, "id"), r->json,
                                    &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, out);
    return 0;
}

int api_support_resolution_preview(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (cancellation_preview(r->db, r->principal, req_param(r, "id"), r->lang, &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, out);
    return 0;
}
