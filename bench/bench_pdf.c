/*
 * bench_pdf.c - invoice PDFs per second, beside an empty cairo PDF page in the same run.
 *
 *   bench_pdf [SECONDS]     (default 5 per measurement)
 *
 * The invoice is a document as partnerd stores it at issue (service/invoice_document.c),
 * read back and rendered by render/invoice_pdf.c into memory, as
 * GET /api/v1/invoices/{id}/pdf does: a version 1 document (the plain PDF of before
 * e-invoicing) and the same invoice as a version 2 document, a Factur-X EN 16931 PDF/A-3
 * (the page, its CII XML, XMP, output intent and attachment). The baseline is the least
 * cairo can do: one blank A4 page on a PDF surface, also into memory. All run on one
 * thread, one after the other; a Factur-X invoice must stay above 500 a second.
 */
#include <cairo-pdf.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/buf.h"
#include "render/invoice_pdf.h"
#include "service/invoice_document.h"

static const char INVOICE[] =
    "{\"type\":\"invoice\",\"number\":\"2027-000123\",\"issued_on\":\"2027-06-23\","
    "\"due_on\":\"2027-06-23\",\"lang\":\"fr\",\"currency\":\"EUR\","
    "\"seller\":{\"name\":\"Partnerd Programme SAS\",\"address\":[\"10 rue de la Paix\","
    "\"75002 Paris\"],\"country\":\"FR\",\"vat_id\":\"FR32123456789\","
    "\"registration\":\"SAS au capital de 50 000 EUR - RCS Paris 123 456 789\"},"
    "\"buyer\":{\"name\":\"Contoso Conseil SARL\",\"address\":[\"1 rue de la Paix\","
    "\"75002 Paris\"],\"country\":\"FR\",\"vat_id\":\"FR40303265045\","
    "\"membership_id\":\"1435994\"},"
    "\"lines\":[{\"description\":\"Abonnement au Microsoft Action Pack\",\"quantity\":1,"
    "\"unit_price\":49000,\"amount\":49000,\"service_start\":\"2027-06-23\","
    "\"service_end\":\"2028-06-22\"}],"
    "\"subtotal\":49000,\"tax_rate\":2000,\"tax_amount\":9800,\"total\":58800,"
    "\"tax_treatment\":\"domestic\",\"tax_mention\":null,\"credits_number\":null,"
    "\"order_id\":\"ord_bench\",\"paid_by\":{\"brand\":\"visa\",\"last4\":\"4242\"}}";

/* The same invoice issued since e-invoicing: version 2, with the SIRENs and the VAT option. */
static const char FACTURX[] =
    "{\"version\":2,\"vat_option\":\"receipts\",\"credits_issued_on\":null,\"partial\":false,"
    "\"type\":\"invoice\",\"number\":\"2027-000123\",\"issued_on\":\"2027-06-23\","
    "\"due_on\":\"2027-06-23\",\"lang\":\"fr\",\"currency\":\"EUR\","
    "\"seller\":{\"name\":\"Partnerd Programme SAS\",\"address\":[\"10 rue de la Paix\","
    "\"75002 Paris\"],\"country\":\"FR\",\"vat_id\":\"FR32123456789\","
    "\"registration\":\"SAS au capital de 50 000 EUR - RCS Paris 123 456 789\","
    "\"siren\":\"123456789\",\"postal_code\":\"75002\",\"city\":\"Paris\"},"
    "\"buyer\":{\"name\":\"Contoso Conseil SARL\",\"address\":[\"1 rue de la Paix\","
    "\"75002 Paris\"],\"country\":\"FR\",\"vat_id\":\"FR40303265045\","
    "\"membership_id\":\"1435994\",\"siren\":\"303265045\",\"postal_code\":\"75002\","
    "\"city\":\"Paris\"},"
    "\"lines\":[{\"description\":\"Abonnement au Microsoft Action Pack\",\"quantity\":1,"
    "\"unit_price\":49000,\"amount\":49000,\"service_start\":\"2027-06-23\","
    "\"service_end\":\"2028-06-22\"}],"
    "\"subtotal\":49000,\"tax_rate\":2000,\"tax_amount\":9800,\"total\":58800,"
    "\"tax_treatment\":\"domestic\",\"tax_mention\":null,\"credits_number\":null,"
    "\"order_id\":\"ord_bench\",\"paid_by\":{\"brand\":\"visa\",\"last4\":\"4242\"}}";

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static cairo_status_t write_buf(void *closure, const unsigned char *data, unsigned int length)
{
    buf_append(closure, data, length);
    return CAIRO_STATUS_SUCCESS;
}

static int empty_page(struct buf *out)
{
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(write_buf, out, 595.28, 841.89);
    cairo_t *cr = cairo_create(s);
    cairo_show_page(cr);
    cairo_destroy(cr);
    cairo_surface_finish(s);
    int rc = cairo_surface_status(s) == CAIRO_STATUS_SUCCESS ? 0 : -1;
    cairo_surface_destroy(s);
    return rc;
}

/* What the API does for one download: read the stored text, draw it. */
static int invoice(struct buf *out, const char *text)
{
    struct invoice_doc doc;
    json_t *keep;
    if (invoice_document_thaw(text, &doc, &keep) < 0)
        return -1;
    int rc = invoice_pdf_render(&doc, out);
    json_decref(keep);
    return rc;
}

/* Renders for `seconds`; prints and returns the rate. */
static double measure(const char *label, double seconds, const char *doc)
{
    struct buf out = {0};
    long n = 0;
    size_t bytes = 0;
    double start = now_s(), end = start + seconds, t = start;
    while (t < end) {
        buf_reset(&out);
        if ((doc ? invoice(&out, doc) : empty_page(&out)) < 0) {
            fprintf(stderr, "bench_pdf: %s failed\n", label);
            exit(1);
        }
        bytes = out.len;
        n++;
        t = now_s();
    }
    buf_free(&out);
    double rate = (double)n / (t - start);
    printf("%-34s %12.1f %10zu", label, rate, bytes);
    return rate;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 5.0;
    if (seconds <= 0) {
        fprintf(stderr, "usage: bench_pdf [SECONDS]\n");
        return 2;
    }
    printf("%-34s %12s %10s %10s\n", "target", "PDFs/s", "bytes", "vs empty");
    double base = measure("cairo empty A4 page", seconds, NULL);
    printf(" %10.2f\n", 1.0);
    double rate = measure("invoice PDF (cairo + pango)", seconds, INVOICE);
    printf(" %10.2f\n", rate / base);
    double fx = measure("Factur-X invoice (PDF/A-3 + XML)", seconds, FACTURX);
    printf(" %10.2f\n", fx / base);
    printf("# Factur-X vs plain invoice PDF: %.2f; Factur-X invoices per second on one core: %.0f "
           "(must stay >= 500)\n",
           fx / rate, fx);
    return 0;
}
