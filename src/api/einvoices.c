/* api/einvoices.c - e-invoices: the Factur-X XML of an invoice or credit note, alone.
 *
 * The same file as the one attached to its PDF (GET /api/v1/invoices/{id}/pdf), for a
 * buyer's software that reads CII XML rather than PDFs; authorised as the PDF is. */

#include "api/api.h"
#include "service/invoices.h"

int api_invoices_xml(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    struct invoice_pdf_file xml;
    if (invoices_xml(r->db, r->principal, req_param(r, "id"), &xml, &err) < 0)
        return api_fail(r, w, &err);
    char *disposition = arena_printf(&r->arena, "attachment; filename=\"%s\"", xml.filename);
    resp_bytes(r, w, 200, "application/xml; charset=utf-8", xml.bytes.data, xml.bytes.len);
    resp_header(w, "Content-Disposition", disposition);
    buf_free(&xml.bytes);
    return 0;
}
