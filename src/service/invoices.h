/*
 * service/invoices.h - a partner's invoices and credit notes, and their PDFs.
 *
 * Reading only: invoices are issued by the payment use cases (service/invoice_issue.c).
 * An organisation sees its own; another's is not found.
 */
#ifndef PD_SERVICE_INVOICES_H
#define PD_SERVICE_INVOICES_H

#include <jansson.h>

#include "service/page.h"
#include "core/buf.h"
#include "core/error.h"
#include "service/principal.h"

struct db;

/* A PDF (or its Factur-X XML) to download. */
struct invoice_pdf_file {
    struct buf bytes;  /* owner: the caller, buf_free() */
    char filename[64]; /* invoice-2027-000123.pdf, credit_note-AV2027-000004.pdf (.xml) */
};

/* The query string of the list of invoices (NULL: not given). */
struct invoices_query {
    struct page_in page;
    const char *number;    /* an invoice or credit note number, exactly */
    const char *from, *to; /* created between these days (YYYY-MM-DD), both included */
};

/* A page of the organisation's invoices and credit notes, newest first, amounts in lang. */
int invoices_list_json(struct db *db, const struct principal *who, const struct invoices_query *in,
                       const char *lang, json_t **items, char next[CURSOR_TEXT_MAX],
                       struct pd_error *err);

/* One invoice or credit note of the organisation. */
int invoices_get(struct db *db, const struct principal *who, const char *id, const char *lang,
                 json_t **out, struct pd_error *err);

/* The PDF of an invoice or credit note of the organisation, drawn from the document
 * frozen at issue (the same every time), in the language it was issued in. */
int invoices_pdf(struct db *db, const struct principal *who, const char *id,
                 struct invoice_pdf_file *out, struct pd_error *err);

/* The Factur-X XML (CII, EN 16931) of an invoice or credit note of the organisation, the
 * very file its PDF carries; PD_E_E_INVOICE_UNAVAILABLE for a document issued before
 * e-invoicing (version 1), which has none. */
int invoices_xml(struct db *db, const struct principal *who, const char *id,
                 struct invoice_pdf_file *out, struct pd_error *err);

#endif
