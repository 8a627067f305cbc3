/*
 * bench_pdf.c - invoice PDFs per second, beside an empty cairo PDF page in the same run.
 *
 *   bench_pdf [SECONDS [ONLY]]   (default 5 per measurement; ONLY: empty, plain, facturx
 *                                 or threads measures that one alone, for a profiler)
 *
 * The invoice is a document as partnerd stores it at issue (service/invoice_document.c),
 * read back and rendered by render/invoice_pdf.c into memory, as
 * GET /api/v1/invoices/{id}/pdf does: a version 1 document (the plain PDF of before
 * e-invoicing) and the same invoice as a version 2 document, a Factur-X EN 16931 PDF/A-3
 * (the page, its CII XML, XMP, output intent and attachment). The baseline is the least
 * cairo can do: one blank A4 page on a PDF surface, also into memory. All run on one
 * thread, one after the other; a Factur-X invoice must stay above 500 a second.
 *
 * The server runs each connection on a thread of its own: a download is usually a page
 * drawn on a new thread, measured too ("a thread per download").
 *
 * Each rate is given twice: per second of the clock on the wall (PDFs/s), and per second
 * of the process's CPU time (CPU PDFs/s: what one core does, whatever the neighbours take
 * of the machine; the ratios are of those). The resident set size after each measurement
 * shows that rendering keeps no memory per document (render/text_cache.c is bounded).
 */
#include <cairo-pdf.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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

static double now_s(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The resident set size now, in KiB (0 if unknown). */
static long rss_kib(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL)
        return 0;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = 0;
    fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
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

struct download {
    struct buf *out;
    const char *doc;
    int rc;
};

static void *download(void *arg)
{
    struct download *d = arg;
    d->rc = invoice(d->out, d->doc);
    return NULL;
}

/* invoice(), on a thread of its own, as the server draws a download. */
static int invoice_on_a_thread(struct buf *out, const char *doc)
{
    struct download d = {.out = out, .doc = doc, .rc = -1};
    pthread_t t;
    if (pthread_create(&t, NULL, download, &d) != 0)
        return -1;
    pthread_join(t, NULL);
    return d.rc;
}

/* Renders for `seconds` of the process's CPU time (on a new thread each time if
 * threads); prints the rates and returns the rate per CPU second. */
static double measure(const char *label, double seconds, const char *doc, bool threads)
{
    struct buf out = {0};
    long n = 0;
    size_t bytes = 0;
    double wall = now_s(CLOCK_MONOTONIC);
    double start = now_s(CLOCK_PROCESS_CPUTIME_ID), end = start + seconds, t = start;
    while (t < end) {
        buf_reset(&out);
        int rc = !doc      ? empty_page(&out)
                 : threads ? invoice_on_a_thread(&out, doc)
                           : invoice(&out, doc);
        if (rc < 0) {
            fprintf(stderr, "bench_pdf: %s failed\n", label);
            exit(1);
        }
        bytes = out.len;
        n++;
        t = now_s(CLOCK_PROCESS_CPUTIME_ID);
    }
    wall = now_s(CLOCK_MONOTONIC) - wall;
    buf_free(&out);
    double rate = (double)n / (t - start);
    printf("%-40s %10.1f %12.1f %10zu %9ld", label, (double)n / wall, rate, bytes, rss_kib());
    return rate;
}

int main(int argc, char **argv)
{
    static const char *const targets[] = {"empty", "plain", "facturx", "threads"};
    double seconds = argc > 1 ? atof(argv[1]) : 5.0;
    const char *only = argc > 2 ? argv[2] : NULL;
    int which = -1;
    for (int i = 0; only && i < 4; i++)
        which = strcmp(only, targets[i]) == 0 ? i : which;
    if (seconds <= 0 || (only && which < 0)) {
        fprintf(stderr, "usage: bench_pdf [SECONDS [empty|plain|facturx|threads]]\n");
        return 2;
    }
    if (only) {
        measure(only, seconds, which == 0 ? NULL : which == 1 ? INVOICE : FACTURX, which == 3);
        printf("\n");
        return 0;
    }
    printf("%-40s %10s %12s %10s %9s %10s\n", "target", "PDFs/s", "CPU PDFs/s", "bytes", "RSS KiB",
           "vs empty");
    double base = measure("cairo empty A4 page", seconds, NULL, false);
    printf(" %10.2f\n", 1.0);
    double rate = measure("invoice PDF (cairo + pango)", seconds, INVOICE, false);
    printf(" %10.2f\n", rate / base);
    double fx = measure("Factur-X invoice (PDF/A-3 + XML)", seconds, FACTURX, false);
    printf(" %10.2f\n", fx / base);
    double fxt = measure("Factur-X, a thread per download", seconds, FACTURX, true);
    printf(" %10.2f\n", fxt / base);
    /* as much memory after as many documents again: nothing kept per document */
    long before = rss_kib();
    printf(" %10.2f\n", measure("Factur-X invoice, once more", seconds, FACTURX, false) / base);
    printf("# Factur-X vs plain invoice PDF: %.2f; Factur-X invoices per second on one core: %.0f, "
           "%.0f with a thread per download (must stay >= 500)\n",
           fx / rate, fx, fxt);
    printf("# resident set: %ld KiB, then %ld KiB after as many Factur-X invoices again\n", before,
           rss_kib());
    return 0;
}
