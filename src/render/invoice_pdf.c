/*
 * render/invoice_pdf.c - one A4 page: seller, buyer, lines, totals, VAT, payment and the
 * mentions French law asks of an invoice (late-payment penalties, the 40 EUR recovery
 * indemnity, « Autoliquidation » for a reverse charge).
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

#define PAGE_W 595.28
#define PAGE_H 841.89
#define MARGIN 50.0

struct page {
    cairo_t *cr;
    const char *lang; /* "fr" or "en" */
    const char *currency;
};

static cairo_status_t write_buf(void *closure, const unsigned char *data, unsigned int length)
{
    buf_append(closure, data, length);
    return CAIRO_STATUS_SUCCESS;
}

/* Draws text at (x, y) within width (0: no wrapping); returns the height used. */
static double text(struct page *p, double x, double y, double width, const char *s, double size,
                   bool bold, bool right)
{
    PangoLayout *layout = pango_cairo_create_layout(p->cr);
    PangoFontDescription *font = pango_font_description_new();
    pango_font_description_set_family(font, "DejaVu Sans");
    pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
    pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(layout, font);
    if (width > 0) {
        pango_layout_set_width(layout, (int)(width * PANGO_SCALE));
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    }
    if (right)
        pango_layout_set_alignment(layout, PANGO_ALIGN_RIGHT);
    pango_layout_set_text(layout, s ? s : "", -1);
    int w, h;
    pango_layout_get_size(layout, &w, &h);
    cairo_move_to(p->cr, x, y);
    pango_cairo_show_layout(p->cr, layout);
    pango_font_description_free(font);
    g_object_unref(layout);
    return (double)h / PANGO_SCALE;
}

static const char *str(const char *s)
{
    return s ? s : "";
}

/* The wording of id in the document's language, holes filled. */
static const char *say(struct page *p, char *out, size_t n, enum msg_id id, const char *a0,
                       const char *a1)
{
    const char *const args[] = {a0, a1};
    return msg_format(out, n, id, p->lang, args, 2);
}

static const char *money(struct page *p, int64_t amount, char *out, size_t n)
{
    if (money_format(amount, p->currency, p->lang, out, n) < 0)
        snprintf(out, n, "%lld %s", (long long)amount, p->currency);
    return out;
}

static const char *long_date(struct page *p, const char *iso, char *out, size_t n)
{
    struct date d;
    if (date_parse(str(iso), &d) < 0)
        return iso;
    return date_format_long(d, p->lang, out, n);
}

/* A party's block (name, address lines, country, VAT ID); returns its height. */
static double party(struct page *p, double x, double y, double width, enum msg_id title,
                    const struct invoice_party *who)
{
    char line[400];
    double h = text(p, x, y, width, msg_text(title, p->lang), 8, true, false);
    h += text(p, x, y + h, width, str(who->name), 10, true, false);
    for (size_t i = 0; i < who->naddress; i++)
        h += text(p, x, y + h, width, who->address[i], 9, false, false);
    h += text(p, x, y + h, width, str(who->country), 9, false, false);
    if (*str(who->vat_id))
        h += text(p, x, y + h, width, say(p, line, sizeof(line), MSG_PDF_VAT_ID, who->vat_id, NULL),
                  9, false, false);
    if (*str(who->membership_id))
        h += text(p, x, y + h, width,
                  say(p, line, sizeof(line), MSG_PDF_MEMBERSHIP_ID, who->membership_id, NULL), 9,
                  false, false);
    if (*str(who->registration))
        h += text(p, x, y + h, width, who->registration, 8, false, false);
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

int invoice_pdf_render(const struct invoice_doc *doc, struct buf *out)
{
    cairo_surface_t *surface = cairo_pdf_surface_create_for_stream(write_buf, out, PAGE_W, PAGE_H);
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS)
        return -1;
    bool credit = strcmp(str(doc->type), "credit_note") == 0;
    struct page p = {.cr = cairo_create(surface),
                     .lang = msg_lang_tag(msg_lang(doc->lang)),
                     .currency = str(doc->currency)};
    char title[160], a[64], b[64], c[64], line[600];
    snprintf(title, sizeof(title), "%s %s",
             msg_text(credit ? MSG_PDF_CREDIT_NOTE : MSG_PDF_INVOICE, p.lang), str(doc->number));
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "partnerd");

    double y = MARGIN, col = (PAGE_W - 2 * MARGIN) / 2;
    double hs = party(&p, MARGIN, y, col - 10, MSG_PDF_SELLER, &doc->seller);
    double hb = party(&p, MARGIN + col, y, col, MSG_PDF_BILL_TO, &doc->buyer);
    y += (hs > hb ? hs : hb) + 20;

    y += text(&p, MARGIN, y, 0, title, 18, true, false) + 4;
    say(&p, line, sizeof(line), MSG_PDF_ISSUED_ON, long_date(&p, doc->issued_on, a, sizeof(a)),
        NULL);
    y += text(&p, MARGIN, y, 0, line, 9, false, false);
    if (*str(doc->due_on)) {
        say(&p, line, sizeof(line), MSG_PDF_DUE_ON, long_date(&p, doc->due_on, a, sizeof(a)), NULL);
        y += text(&p, MARGIN, y, 0, line, 9, false, false);
    }
    if (credit && *str(doc->credits_number)) {
        say(&p, line, sizeof(line), MSG_PDF_CANCELS_INVOICE, doc->credits_number, NULL);
        y += text(&p, MARGIN, y, 0, line, 9, true, false);
    }
    y += 14;

    /* the lines */
    double cx[] = {MARGIN, MARGIN + 200, MARGIN + 330, MARGIN + 370, MARGIN + 430};
    static const enum msg_id heads[] = {MSG_PDF_COLUMN_DESCRIPTION, MSG_PDF_COLUMN_SERVICE_PERIOD,
                                        MSG_PDF_COLUMN_QUANTITY, MSG_PDF_COLUMN_UNIT_PRICE,
                                        MSG_PDF_COLUMN_AMOUNT};
    for (int i = 0; i < 5; i++)
        text(&p, cx[i], y, i == 4 ? PAGE_W - MARGIN - cx[4] : cx[i + 1] - cx[i] - 4,
             msg_text(heads[i], p.lang), 8, true, i >= 3);
    y += 22;
    rule(&p, y - 4);
    for (size_t i = 0; i < doc->nlines; i++) {
        const struct invoice_line *l = &doc->lines[i];
        double h = text(&p, cx[0], y, cx[1] - cx[0] - 6, str(l->description), 9, false, false);
        if (*str(l->service_start)) {
            say(&p, line, sizeof(line), MSG_PDF_SERVICE_PERIOD,
                long_date(&p, l->service_start, a, sizeof(a)),
                long_date(&p, l->service_end, b, sizeof(b)));
            text(&p, cx[1], y, cx[2] - cx[1] - 6, line, 8, false, false);
        }
        snprintf(line, sizeof(line), "%lld", (long long)l->quantity);
        text(&p, cx[2], y, cx[3] - cx[2] - 4, line, 9, false, false);
        text(&p, cx[3], y, cx[4] - cx[3] - 4, money(&p, l->unit_price, a, sizeof(a)), 9, false,
             true);
        text(&p, cx[4], y, PAGE_W - MARGIN - cx[4], money(&p, l->amount, b, sizeof(b)), 9, false,
             true);
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
    for (size_t k = 0; k < 3; k++) {
        text(&p, MARGIN + 250, y, 150, totals[k].label, 10, totals[k].bold, false);
        text(&p, cx[4] - 30, y, PAGE_W - MARGIN - cx[4] + 30,
             money(&p, totals[k].amount, a, sizeof(a)), 10, totals[k].bold, true);
        y += 16;
    }
    if (*str(doc->tax_mention))
        y += text(&p, MARGIN, y + 4, PAGE_W - 2 * MARGIN, doc->tax_mention, 9, true, false) + 4;
    y += 14;

    /* payment */
    if (doc->has_wire) {
        y += text(&p, MARGIN, y, 0, msg_text(MSG_PDF_PAY_BY_WIRE, p.lang), 10, true, false);
        say(&p, line, sizeof(line), MSG_PDF_IBAN_BIC, str(doc->wire.iban), str(doc->wire.bic));
        y += text(&p, MARGIN, y, 0, line, 9, false, false);
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
    text(&p, MARGIN, PAGE_H - MARGIN - 40, PAGE_W - 2 * MARGIN,
         msg_text(MSG_PDF_LATE_PAYMENT, p.lang), 7.5, false, false);
    (void)y;

    cairo_show_page(p.cr);
    cairo_destroy(p.cr);
    cairo_surface_finish(surface);
    cairo_status_t st = cairo_surface_status(surface);
    cairo_surface_destroy(surface);
    return st == CAIRO_STATUS_SUCCESS ? 0 : -1;
}
