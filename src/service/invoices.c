/*
 * service/invoices.c - showing invoices and credit notes, and drawing their PDFs.
 *
 * The JSON of an invoice is its row's figures; its PDF is its frozen document
 * (service/invoice_document.c) drawn by render/invoice_pdf.c. Where the PDF is served is
 * the API's business: it adds the "pdf" link to these objects. A document issued since
 * e-invoicing also has its Factur-X XML (render/facturx_xml.c), served alone too.
 */
#include "service/invoices.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/money.h"
#include "core/msg.h"
#include "db/db.h"
#include "render/facturx_xml.h"
#include "render/invoice_pdf.h"
#include "service/invoice_document.h"
#include "store/invoices.h"

/* Where an invoice stands: "paid" (its order was paid), "due" (a wire order still awaited),
 * "cancelled" (never paid: a credit note cancels it), or "issued" (a credit note, or an
 * invoice without an order). */
static const char *invoice_status(const struct invoice_row *v)
{
    if (strcmp(v->type, "invoice") != 0)
        return "issued";
    if (!strcmp(v->order_status, "confirmed"))
        return "paid";
    if (!strcmp(v->order_status, "awaiting_payment"))
        return "due";
    if (!strcmp(v->order_status, "cancelled"))
        return "cancelled";
    return "issued";
}

/* The JSON of an invoice, amounts in lang. */
static json_t *invoice_view(const struct invoice_row *v, const char *lang)
{
    char created[21];
    const char *status = invoice_status(v);
    json_t *view = json_pack(
        "{s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:o, s:o, s:o, s:i, s:s, s:s, "
        "s:s}",
        "id", v->id, "number", v->number, "type", v->type, "issued_on", v->issued_on, "due_on",
        v->due_on[0] ? v->due_on : NULL, "order_id", v->order_id[0] ? v->order_id : NULL,
        "credits_invoice_id", v->credits_invoice_id[0] ? v->credits_invoice_id : NULL, "subtotal",
        money_json(v->subtotal, v->currency, lang), "tax",
        money_json(v->tax_amount, v->currency, lang), "total",
        money_json(v->total, v->currency, lang), "tax_rate", v->tax_rate, "tax_treatment",
        v->tax_treatment, "lang", v->lang, "created_at", instant_format(v->created_at, created));
    json_object_set_new(view, "status", json_string(status));
    json_object_set_new(view, "paid_on",
                        !strcmp(status, "paid") && v->paid_on[0] ? json_string(v->paid_on)
                                                                 : json_null());
    return view;
}

int invoices_list_json(struct db *db, const struct principal *who, const struct invoices_query *in,
                       const char *lang, json_t **items, char next[CURSOR_TEXT_MAX],
                       struct pd_error *err)
{
    struct checks c = {0};
    struct page_request p;
    struct invoices_filter f = {.partner_id = who->partner_id, .number = in->number};
    page_check(&c, &in->page, &p);
    if (in->number && strlen(in->number) > 40)
        check_fail_args(&c, "number", MSG_FIELD_TEXT_LINE, (const char *const[]){"40"}, 1);
    f.from = page_check_date(&c, "from", in->from, false);
    f.to = page_check_date(&c, "to", in->to, true);
    if (page_checks_done(&c, err) < 0)
        return err->code;
    struct invoice_row *rows = NULL;
    int n = 0;
    int rc = invoices_page(db, &f, &p, &rows, &n);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    int shown = page_shown(&p, n);
    *items = json_array();
    for (int i = 0; i < shown; i++)
        json_array_append_new(*items, invoice_view(&rows[i], lang));
    page_next(&p, n, shown ? rows[shown - 1].created_at : 0, shown ? rows[shown - 1].id : NULL,
              next);
    free(rows);
    return 0;
}

/* The organisation's invoice id into *v (and its document text into *document, malloc'd,
 * when document is not NULL), or PD_E_NOT_FOUND. */
static int own_invoice(struct db *db, const struct principal *who, const char *id,
                       struct invoice_row *v, char **document, struct pd_error *err)
{
    int rc = invoices_find(db, id, v, document);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc == 0 || strcmp(v->partner_id, who->partner_id) != 0) {
        if (rc == 1 && document) {
            free(*document);
            *document = NULL;
        }
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    }
    return 0;
}

int invoices_get(struct db *db, const struct principal *who, const char *id, const char *lang,
                 json_t **out, struct pd_error *err)
{
    struct invoice_row v;
    int rc = own_invoice(db, who, id, &v, NULL, err);
    if (rc < 0)
        return rc;
    *out = invoice_view(&v, lang);
    return 0;
}

/* The organisation's invoice id drawn by draw (failed names its failure) into out, named
 * "<kind>-<number>.<ext>" in the document's language (facture-2027-000123.pdf,
 * credit-note-AV2027-000001.xml); PD_E_E_INVOICE_UNAVAILABLE when facturx and the document
 * was frozen before Factur-X. */
static int invoice_file(struct db *db, const struct principal *who, const char *id, const char *ext,
                        bool facturx, int (*draw)(const struct invoice_doc *, struct buf *),
                        const char *failed, struct invoice_pdf_file *out, struct pd_error *err)
{
    struct invoice_row v;
    struct invoice_doc doc;
    json_t *keep = NULL;
    char *text = NULL;
    memset(out, 0, sizeof(*out));
    int rc = own_invoice(db, who, id, &v, &text, err);
    if (rc < 0)
        return rc;
    rc = invoice_document_thaw(text, &doc, &keep);
    free(text);
    if (rc < 0)
        return pd_fail(err, PD_E_INTERNAL, "invoice document unreadable");
    if (facturx && doc.version < INVOICE_DOC_FACTURX) {
        json_decref(keep);
        return pd_fail(err, PD_E_E_INVOICE_UNAVAILABLE, NULL);
    }
    bool credit = doc.type && strcmp(doc.type, "credit_note") == 0;
    snprintf(out->filename, sizeof(out->filename), "%s-%s.%s",
             msg_text(credit ? MSG_FILE_CREDIT_NOTE : MSG_FILE_INVOICE, doc.lang ? doc.lang : "fr"),
             doc.number ? doc.number : "document", ext);
    rc = draw(&doc, &out->bytes);
    json_decref(keep);
    if (rc < 0) {
        buf_free(&out->bytes);
        return pd_fail(err, PD_E_INTERNAL, "%s", failed);
    }
    return 0;
}

int invoices_pdf(struct db *db, const struct principal *who, const char *id,
                 struct invoice_pdf_file *out, struct pd_error *err)
{
    return invoice_file(db, who, id, "pdf", false, invoice_pdf_render, "invoice PDF not drawn", out,
                        err);
}

int invoices_xml(struct db *db, const struct principal *who, const char *id,
                 struct invoice_pdf_file *out, struct pd_error *err)
{
    return invoice_file(db, who, id, "xml", true, facturx_xml, "invoice XML not written", out, err);
}
