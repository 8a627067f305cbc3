/*
 * render/invoice_pdf.c - one A4 page: seller, buyer, lines, totals, VAT, payment and the
 * mentions French law asks of an invoice (late-payment penalties, the 40 EUR recovery
 * indemnity, « Autoliquidation » for a reverse charge).
 *
 * A version 2 document (render/invoice_pdf.h) adds the reform's mentions: the SIRENs, the
 * nature of the operation, the seller's VAT option, « Avoir partiel » and the date of the
 * invoice a credit note credits; its amounts are drawn on one line whatever their width
 * (a true minus sign, no-break spaces, wider columns); and the page is then made a
 * Factur-X PDF/A-3 (render/pdfa.c) carrying its XML (render/facturx_xml.c). A version 1
 * document is drawn as it always was.
 */
#include "render/invoice_pdf.h"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "core/money.h"
#include "core/msg.h"
#include "core/sepa.h"
#include "render/facturx_xml.h"
#include "render/pdfa.h"
#include "render/text_cache.h"

#define PAGE_W 595.28
#define PAGE_H 841.89
#define MARGIN 50.0

struct page {
    cairo_t *cr;
    struct text_cache *texts; /* pango's state, for this page (render/text_cache.h) */
    const char *lang;         /* "fr" or "en" */
    const char *currency;
    bool v2; /* a Factur-X document: amounts never wrap */
};

static cairo_status_t write_buf(void *closure, const unsigned char *data, unsigned int length)
{
    buf_append(closure, data, length);
    return CAIRO_STATUS_SUCCESS;
}

/* Draws s in DejaVu Sans of size, bold or not, at (x, y) within width (0: no wrapping)
 * aligned right or left; returns the height used. keep: s is the same on many documents
 * (a label, a legal mention, the seller's block), its layout is kept for the next pages. */
static double draw_text(struct page *p, double x, double y, double width, const char *s,
                        double size, bool bold, bool right, bool keep)
{
    PangoLayout *layout = text_cache_layout(p->texts, s, size, bold, width, right, keep);
    int w, h;
    pango_layout_get_size(layout, &w, &h);
    cairo_move_to(p->cr, x, y);
    pango_cairo_show_layout(p->cr, layout);
    return (double)h / PANGO_SCALE;
}

/* A text of this document alone (its number, dates, buyer, amounts). */
static double text(struct page *p, double x, double y, double width, const char *s, double size,
                   bool bold, bool right)
{
    return draw_text(p, x, y, width, s, size, bold, right, false);
}

/* A text found on many documents: a label, a legal mention, the seller's block. */
static double label(struct page *p, double x, double y, double width, const char *s, double size,
                    bool bold, bool right)
{
    return draw_text(p, x, y, width, s, size, bold, right, true);
}

static const char *str(const char *s)
{
    return s ? s : "";
}

/* Draws an amount on one line, its right edge at x + width, whatever its length. */
static void amount_text(struct page *p, double x, double width, double y, const char *s,
                        double size, bool bold)
{
    if (!p->v2) { /* as version 1 documents were drawn */
        text(p, x, y, width, s, size, bold, true);
        return;
    }
    PangoLayout *layout = text_cache_layout(p->texts, s, size, bold, 0, false, false);
    int w, h;
    pango_layout_get_size(layout, &w, &h);
    cairo_move_to(p->cr, x + width - (double)w / PANGO_SCALE, y);
    pango_cairo_show_layout(p->cr, layout);
}

/* The wording of id in the document's language, holes filled. */
static const char *say(struct page *p, char *out, size_t n, enum msg_id id, const char *a0,
                       const char *a1)
{
    const char *const args[] = {a0, a1};
    return msg_format(out, n, id, p->lang, args, 2);
}

/* An amount for people. Version 2 draws amounts on one line (amount_text), so their
 * no-break spaces become plain ones there: a no-break space is a glyph outside cairo's
 * WinAnsi font subsets, and would cost each font a second, composite subset (half the
 * time of drawing an invoice). A credit note's minus is U+2212, the true minus sign. */
static const char *money(struct page *p, int64_t amount, char *out, size_t n)
{
    if (money_format(amount, p->currency, p->lang, out, n) < 0)
        snprintf(out, n, "%lld %s", (long long)amount, p->currency);
    if (!p->v2)
        return out;
    char *w = out;
    for (const char *r = out; *r;) { /* U+00A0, U+202F -> ' ' (in place: never longer) */
        size_t skip = strncmp(r, "\xc2\xa0", 2) == 0       ? 2
                      : strncmp(r, "\xe2\x80\xaf", 3) == 0 ? 3
                                                           : 0;
        if (skip) {
            r += skip;
            *w++ = ' ';
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    if (out[0] == '-' && strlen(out) + 3 < n) {
        memmove(out + 3, out + 1, strlen(out));
        memcpy(out, "\xe2\x88\x92", 3);
    }
    return out;
}

static const char *long_date(struct page *p, const char *iso, char *out, size_t n)
{
    struct date d;
    if (date_parse(str(iso), &d) < 0)
        return iso;
    return date_format_long(d, p->lang, out, n);
}

/* A party's block (name, address lines, country, VAT ID); returns its height. The country
 * is named when the document froze its name, else drawn as its code, as it was issued.
 * keep: the party is on many documents (the seller), its texts' layouts are kept. */
static double party(struct page *p, double x, double y, double width, enum msg_id title,
                    const struct invoice_party *who, bool keep)
{
    char line[400];
    double h = label(p, x, y, width, msg_text(title, p->lang), 8, true, false);
    h += draw_text(p, x, y + h, width, str(who->name), 10, true, false, keep);
    for (size_t i = 0; i < who->naddress; i++)
        h += draw_text(p, x, y + h, width, who->address[i], 9, false, false, keep);
    h += draw_text(p, x, y + h, width,
                   *str(who->country_name) ? who->country_name : str(who->country), 9, false, false,
                   keep);
    if (*str(who->vat_id))
        h += draw_text(p, x, y + h, width,
                       say(p, line, sizeof(line), MSG_PDF_VAT_ID, who->vat_id, NULL), 9, false,
                       false, keep);
    if (*str(who->membership_id))
        h += draw_text(p, x, y + h, width,
                       say(p, line, sizeof(line), MSG_PDF_MEMBERSHIP_ID, who->membership_id, NULL),
                       9, false, false, keep);
    if (p->v2 && *str(who->siren))
        h += draw_text(p, x, y + h, width,
                       say(p, line, sizeof(line), MSG_FACTURX_SIREN, who->siren, NULL), 9, false,
                       false, keep);
    if (*str(who->registration))
        h += draw_text(p, x, y + h, width, who->registration, 8, false, false, keep);
    return h;
}

static void rule(struct page *p, double y)
{
    cairo_set_source_rgb(p->cr, 0.6, 0.6, 0.6);
    cairo_set_line_width(p->cr, 0.5);
    cairo_move_to(p->cr, MARGIN, y);
    cairo_line_to(p->cr, PAGE_W - MARGIN, y);
    cairo_stroke(p->cr);
    cairo_set_source_rgb(p->cr, 0, 0, 0);
}

/* The title: « Facture 2027-000123 », « Avoir AV2027-000004 », « Avoir partiel ... ». */
static const char *title_of(const struct invoice_doc *doc, const char *lang, char *out, size_t n)
{
    bool credit = strcmp(str(doc->type), "credit_note") == 0;
    enum msg_id kind = !credit ? MSG_PDF_INVOICE
                       : doc->version >= INVOICE_DOC_FACTURX && doc->partial
                           ? MSG_FACTURX_PARTIAL_CREDIT_NOTE
                           : MSG_PDF_CREDIT_NOTE;
    snprintf(out, n, "%s %s", msg_text(kind, lang), str(doc->number));
    return out;
}

/* The reference of a credit note to its invoice: version 2 names the invoice's date and
 * says whether all of it or part of it is credited. */
static double credit_reference(struct page *p, const struct invoice_doc *doc, double y)
{
    char line[600], a[64];
    if (!p->v2) {
        say(p, line, sizeof(line), MSG_PDF_CANCELS_INVOICE, doc->credits_number, NULL);
    } else {
        say(p, line, sizeof(line),
            doc->partial ? MSG_FACTURX_PARTIAL_CREDIT_OF : MSG_FACTURX_CREDIT_OF,
            doc->credits_number, long_date(p, doc->credits_issued_on, a, sizeof(a)));
    }
    return text(p, MARGIN, y, 0, line, 9, true, false);
}

/* The reform's mentions under the dates: the nature of the operation, the VAT option. */
static double mentions(struct page *p, const struct invoice_doc *doc, double y)
{
    double h = label(p, MARGIN, y, 0, msg_text(MSG_FACTURX_OPERATION, p->lang), 9, false, false);
    if (doc->tax_amount != 0)
        h += label(p, MARGIN, y + h, 0,
                   msg_text(strcmp(str(doc->vat_option), "debits") == 0
                                ? MSG_FACTURX_VAT_ON_DEBITS
                                : MSG_FACTURX_VAT_ON_RECEIPTS,
                            p->lang),
                   9, false, false);
    return h;
}

/* Draws the page with cairo into out. */
static int draw(const struct invoice_doc *doc, struct buf *out)
{
    cairo_surface_t *surface = cairo_pdf_surface_create_for_stream(write_buf, out, PAGE_W, PAGE_H);
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS)
        return -1;
    bool credit = strcmp(str(doc->type), "credit_note") == 0;
    struct page p = {.cr = cairo_create(surface),
                     .lang = msg_lang_tag(msg_lang(doc->lang)),
                     .currency = str(doc->currency),
                     .v2 = doc->version >= INVOICE_DOC_FACTURX};
    p.texts = text_cache_take(p.cr);
    if (p.texts == NULL) {
        cairo_destroy(p.cr);
        cairo_surface_destroy(surface);
        return -1;
    }
    char title[160], a[64], b[64], c[64], line[600];
    title_of(doc, p.lang, title, sizeof(title));
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "partnerd");
    /* the document's date, not the download's: the same bytes at every download */
    snprintf(line, sizeof(line), "%.10sT00:00:00Z", str(doc->issued_on));
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, line);

    double y = MARGIN, col = (PAGE_W - 2 * MARGIN) / 2;
    double hs = party(&p, MARGIN, y, col - 10, MSG_PDF_SELLER, &doc->seller, true);
    double hb = party(&p, MARGIN + col, y, col, MSG_PDF_BILL_TO, &doc->buyer, false);
    y += (hs > hb ? hs : hb) + 20;

    y += text(&p, MARGIN, y, 0, title, 18, true, false) + 4;
    say(&p, line, sizeof(line), MSG_PDF_ISSUED_ON, long_date(&p, doc->issued_on, a, sizeof(a)),
        NULL);
    y += text(&p, MARGIN, y, 0, line, 9, false, false);
    if (*str(doc->due_on)) {
        say(&p, line, sizeof(line), MSG_PDF_DUE_ON, long_date(&p, doc->due_on, a, sizeof(a)), NULL);
        y += text(&p, MARGIN, y, 0, line, 9, false, false);
    }
    if (credit && *str(doc->credits_number))
        y += credit_reference(&p, doc, y);
    if (p.v2)
        y += mentions(&p, doc, y);
    y += 14;

    /* the lines; version 2 leaves the amounts more room */
    static const double v1[] = {MARGIN, MARGIN + 200, MARGIN + 330, MARGIN + 370, MARGIN + 430};
    static const double v2[] = {MARGIN, MARGIN + 170, MARGIN + 300, MARGIN + 330, MARGIN + 412};
    const double *cx = p.v2 ? v2 : v1;
    static const enum msg_id heads[] = {MSG_PDF_COLUMN_DESCRIPTION, MSG_PDF_COLUMN_SERVICE_PERIOD,
                                        MSG_PDF_COLUMN_QUANTITY, MSG_PDF_COLUMN_UNIT_PRICE,
                                        MSG_PDF_COLUMN_AMOUNT};
    for (int i = 0; i < 5; i++)
        label(&p, cx[i], y, i == 4 ? PAGE_W - MARGIN - cx[4] : cx[i + 1] - cx[i] - 4,
              msg_text(heads[i], p.lang), 8, true, i >= 3);
    y += 22;
    rule(&p, y - 4);
    for (size_t i = 0; i < doc->nlines; i++) {
        const struct invoice_line *l = &doc->lines[i];
        double h = label(&p, cx[0], y, cx[1] - cx[0] - 6, str(l->description), 9, false, false);
        if (*str(l->service_start)) {
            say(&p, line, sizeof(line), p.v2 ? MSG_FACTURX_SERVICE_PERIOD : MSG_PDF_SERVICE_PERIOD,
                long_date(&p, l->service_start, a, sizeof(a)),
                long_date(&p, l->service_end, b, sizeof(b)));
            double hp = text(&p, cx[1], y, cx[2] - cx[1] - 6, line, 8, false, false);
            h = p.v2 && hp > h ? hp : h;
        }
        snprintf(line, sizeof(line), "%lld", (long long)l->quantity);
        label(&p, cx[2], y, cx[3] - cx[2] - 4, line, 9, false, false);
        amount_text(&p, cx[3], cx[4] - cx[3] - 4, y, money(&p, l->unit_price, a, sizeof(a)), 9,
                    false);
        amount_text(&p, cx[4], PAGE_W - MARGIN - cx[4], y, money(&p, l->amount, b, sizeof(b)), 9,
                    false);
        y += (h > 24 ? h : 24) + 4;
    }
    rule(&p, y);
    y += 8;

    /* totals */
    char units[24], hundredths[8];
    snprintf(units, sizeof(units), "%lld", (long long)(doc->tax_rate / 100));
    snprintf(hundredths, sizeof(hundredths), "%02lld", (long long)(doc->tax_rate % 100));
    struct {
        const char *label;
        int64_t amount;
        bool bold;
    } totals[] = {
        {msg_text(MSG_PDF_TOTAL_EXCL_VAT, p.lang), doc->subtotal, false},
        {say(&p, c, sizeof(c), MSG_PDF_VAT_RATE, units, hundredths), doc->tax_amount, false},
        {msg_text(MSG_PDF_TOTAL_INCL_VAT, p.lang), doc->total, true},
    };
    double tx = p.v2 ? MARGIN + 230 : MARGIN + 250, ax = p.v2 ? cx[4] - 40 : cx[4] - 30;
    for (size_t k = 0; k < 3; k++) {
        label(&p, tx, y, 150, totals[k].label, 10, totals[k].bold, false);
        amount_text(&p, ax, PAGE_W - MARGIN - ax, y, money(&p, totals[k].amount, a, sizeof(a)), 10,
                    totals[k].bold);
        y += 16;
    }
    if (*str(doc->tax_mention))
        y += label(&p, MARGIN, y + 4, PAGE_W - 2 * MARGIN, doc->tax_mention, 9, true, false) + 4;
    y += 14;

    /* payment */
    if (doc->has_wire) {
        y += label(&p, MARGIN, y, 0, msg_text(MSG_PDF_PAY_BY_WIRE, p.lang), 10, true, false);
        char iban[48];
        sepa_iban_print(str(doc->wire.iban), iban, sizeof(iban));
        say(&p, line, sizeof(line), MSG_PDF_IBAN_BIC, iban, str(doc->wire.bic));
        y += label(&p, MARGIN, y, 0, line, 9, false, false);
        say(&p, line, sizeof(line), MSG_PDF_PAYMENT_REFERENCE, str(doc->wire.reference), NULL);
        y += text(&p, MARGIN, y, 0, line, 9, true, false);
        say(&p, line, sizeof(line), MSG_PDF_RECEIVE_BY,
            long_date(&p, doc->wire.due_on, a, sizeof(a)), NULL);
        y += text(&p, MARGIN, y, 0, line, 9, false, false);
    } else if (doc->has_card) {
        say(&p, line, sizeof(line), MSG_PDF_PAID_BY_CARD, str(doc->card.brand),
            str(doc->card.last4));
        y += text(&p, MARGIN, y, 0, line, 9, false, false);
    }

    /* legal mentions */
    label(&p, MARGIN, PAGE_H - MARGIN - 40, PAGE_W - 2 * MARGIN,
          msg_text(MSG_PDF_LATE_PAYMENT, p.lang), 7.5, false, false);
    (void)y;

    cairo_show_page(p.cr);
    cairo_destroy(p.cr);
    cairo_surface_finish(surface); /* writes the fonts out: the page's, until then */
    cairo_status_t st = cairo_surface_status(surface);
    cairo_surface_destroy(surface);
    text_cache_give(p.texts);
    return st == CAIRO_STATUS_SUCCESS ? 0 : -1;
}

int invoice_pdf_render(const struct invoice_doc *doc, struct buf *out)
{
    if (doc->version < INVOICE_DOC_FACTURX)
        return draw(doc, out);
    struct buf xml = {0};
    char title[160];
    size_t base = out->len;
    int rc = facturx_xml(doc, &xml);
    if (rc == 0)
        rc = draw(doc, out);
    if (rc == 0) {
        struct pdfa_doc d = {
            .title = title_of(doc, msg_lang_tag(msg_lang(doc->lang)), title, sizeof(title)),
            .lang = msg_lang_tag(msg_lang(doc->lang)),
            .date = doc->issued_on,
            .file_name = "factur-x.xml",
            .file_desc = "Factur-X EN 16931 invoice",
            .file_bytes = xml.data,
            .file_len = xml.len,
            .fx_type = "INVOICE",
            .fx_conformance = "EN 16931"};
        rc = pdfa_finish(out, base, &d);
    }
    buf_free(&xml);
    return rc;
}
