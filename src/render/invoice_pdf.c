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

#define PAGE_W 595.28
#define PAGE_H 841.89
#define MARGIN 50.0

struct page {
    cairo_t *cr;
    bool en;
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

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static const char *money(struct page *p, json_int_t amount, char *out, size_t n)
{
    if (money_format((int64_t)amount, p->currency, p->en ? "en" : "fr", out, n) < 0)
        snprintf(out, n, "%lld %s", (long long)amount, p->currency);
    return out;
}

static const char *long_date(struct page *p, const char *iso, char *out, size_t n)
{
    struct date d;
    if (date_parse(iso, &d) < 0)
        return iso;
    return date_format_long(d, p->en ? "en" : "fr", out, n);
}

/* A party's block (name, address lines, country, VAT ID); returns its height. */
static double party(struct page *p, double x, double y, double width, const char *title,
                    const json_t *who)
{
    char line[400];
    double h = text(p, x, y, width, title, 8, true, false);
    h += text(p, x, y + h, width, str(who, "name"), 10, true, false);
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(who, "address"), i, l) h +=
        text(p, x, y + h, width, json_string_value(l), 9, false, false);
    h += text(p, x, y + h, width, str(who, "country"), 9, false, false);
    if (*str(who, "vat_id")) {
        snprintf(line, sizeof(line), "%s %s", p->en ? "VAT ID:" : "N° TVA :", str(who, "vat_id"));
        h += text(p, x, y + h, width, line, 9, false, false);
    }
    if (*str(who, "membership_id")) {
        snprintf(line, sizeof(line), "%s %s", p->en ? "Membership ID:" : "ID d'adhésion :",
                 str(who, "membership_id"));
        h += text(p, x, y + h, width, line, 9, false, false);
    }
    if (*str(who, "registration"))
        h += text(p, x, y + h, width, str(who, "registration"), 8, false, false);
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

int invoice_pdf_render(const json_t *doc, struct buf *out)
{
    cairo_surface_t *surface = cairo_pdf_surface_create_for_stream(write_buf, out, PAGE_W, PAGE_H);
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS)
        return -1;
    bool credit = strcmp(str(doc, "type"), "credit_note") == 0;
    struct page p = {.cr = cairo_create(surface), .en = strcmp(str(doc, "lang"), "en") == 0,
                     .currency = str(doc, "currency")};
    char title[160], a[64], b[64], c[64], line[600];
    const char *kind = credit ? (p.en ? "Credit note" : "Avoir") : (p.en ? "Invoice" : "Facture");
    snprintf(title, sizeof(title), "%s %s", kind, str(doc, "number"));
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "partnerd");

    double y = MARGIN, col = (PAGE_W - 2 * MARGIN) / 2;
    double hs = party(&p, MARGIN, y, col - 10, p.en ? "SELLER" : "VENDEUR",
                      json_object_get(doc, "seller"));
    double hb = party(&p, MARGIN + col, y, col, p.en ? "BILL TO" : "FACTURÉ À",
                      json_object_get(doc, "buyer"));
    y += (hs > hb ? hs : hb) + 20;

    y += text(&p, MARGIN, y, 0, title, 18, true, false) + 4;
    snprintf(line, sizeof(line), "%s %s", p.en ? "Issued on" : "Date d'émission :",
             long_date(&p, str(doc, "issued_on"), a, sizeof(a)));
    y += text(&p, MARGIN, y, 0, line, 9, false, false);
    if (*str(doc, "due_on")) {
        snprintf(line, sizeof(line), "%s %s", p.en ? "Due on" : "Date d'échéance :",
                 long_date(&p, str(doc, "due_on"), a, sizeof(a)));
        y += text(&p, MARGIN, y, 0, line, 9, false, false);
    }
    if (credit && *str(doc, "credits_number")) {
        snprintf(line, sizeof(line), p.en ? "Cancels invoice %s" : "Annule la facture n° %s",
                 str(doc, "credits_number"));
        y += text(&p, MARGIN, y, 0, line, 9, true, false);
    }
    y += 14;

    /* the lines */
    double cx[] = {MARGIN, MARGIN + 200, MARGIN + 330, MARGIN + 370, MARGIN + 430};
    const char *heads_fr[] = {"Désignation", "Période de service", "Qté", "Prix unitaire HT",
                              "Montant HT"};
    const char *heads_en[] = {"Description", "Service period", "Qty", "Unit price excl. VAT",
                              "Amount excl. VAT"};
    for (int i = 0; i < 5; i++)
        text(&p, cx[i], y, i == 4 ? PAGE_W - MARGIN - cx[4] : cx[i + 1] - cx[i] - 4,
             p.en ? heads_en[i] : heads_fr[i], 8, true, i >= 3);
    y += 22;
    rule(&p, y - 4);
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(doc, "lines"), i, l) {
        double h = text(&p, cx[0], y, cx[1] - cx[0] - 6, str(l, "description"), 9, false, false);
        if (*str(l, "service_start")) {
            snprintf(line, sizeof(line), "%s – %s",
                     long_date(&p, str(l, "service_start"), a, sizeof(a)),
                     long_date(&p, str(l, "service_end"), b, sizeof(b)));
            text(&p, cx[1], y, cx[2] - cx[1] - 6, line, 8, false, false);
        }
        snprintf(line, sizeof(line), "%lld", (long long)json_integer_value(json_object_get(l, "quantity")));
        text(&p, cx[2], y, cx[3] - cx[2] - 4, line, 9, false, false);
        text(&p, cx[3], y, cx[4] - cx[3] - 4,
             money(&p, json_integer_value(json_object_get(l, "unit_price")), a, sizeof(a)), 9,
             false, true);
        text(&p, cx[4], y, PAGE_W - MARGIN - cx[4],
             money(&p, json_integer_value(json_object_get(l, "amount")), b, sizeof(b)), 9, false,
             true);
        y += (h > 24 ? h : 24) + 4;
    }
    rule(&p, y);
    y += 8;

    /* totals */
    json_int_t rate = json_integer_value(json_object_get(doc, "tax_rate"));
    char rate_text[32];
    snprintf(rate_text, sizeof(rate_text), "%lld%s%02lld %%", (long long)(rate / 100),
             p.en ? "." : ",", (long long)(rate % 100));
    struct {
        const char *label;
        json_int_t amount;
        bool bold;
    } totals[] = {
        {p.en ? "Total excl. VAT" : "Total HT", json_integer_value(json_object_get(doc, "subtotal")), false},
        {NULL, json_integer_value(json_object_get(doc, "tax_amount")), false},
        {p.en ? "Total incl. VAT" : "Total TTC", json_integer_value(json_object_get(doc, "total")), true},
    };
    snprintf(c, sizeof(c), "%s (%s)", p.en ? "VAT" : "TVA", rate_text);
    totals[1].label = c;
    for (size_t k = 0; k < 3; k++) {
        text(&p, MARGIN + 250, y, 150, totals[k].label, 10, totals[k].bold, false);
        text(&p, cx[4] - 30, y, PAGE_W - MARGIN - cx[4] + 30,
             money(&p, totals[k].amount, a, sizeof(a)), 10, totals[k].bold, true);
        y += 16;
    }
    if (*str(doc, "tax_mention"))
        y += text(&p, MARGIN, y + 4, PAGE_W - 2 * MARGIN, str(doc, "tax_mention"), 9, true, false) + 4;
    y += 14;

    /* payment */
    const json_t *wire = json_object_get(doc, "payment_instructions");
    const json_t *card = json_object_get(doc, "paid_by");
    if (json_is_object(wire)) {
        y += text(&p, MARGIN, y, 0, p.en ? "Pay by bank transfer" : "Règlement par virement", 10,
                  true, false);
        snprintf(line, sizeof(line), "IBAN : %s    BIC : %s", str(wire, "iban"), str(wire, "bic"));
        y += text(&p, MARGIN, y, 0, line, 9, false, false);
        snprintf(line, sizeof(line), "%s %s", p.en ? "Payment reference (required):"
                                                   : "Référence de paiement (obligatoire) :",
                 str(wire, "reference"));
        y += text(&p, MARGIN, y, 0, line, 9, true, false);
        snprintf(line, sizeof(line), "%s %s", p.en ? "To be received by" : "À recevoir au plus tard le",
                 long_date(&p, str(wire, "due_on"), a, sizeof(a)));
        y += text(&p, MARGIN, y, 0, line, 9, false, false);
    } else if (json_is_object(card)) {
        snprintf(line, sizeof(line), p.en ? "Paid by card (%s ending %s)."
                                          : "Payée par carte (%s se terminant par %s).",
                 str(card, "brand"), str(card, "last4"));
        y += text(&p, MARGIN, y, 0, line, 9, false, false);
    }

    /* legal mentions */
    const char *legal =
        p.en ? "Late payment: penalties at three times the French legal interest rate from the "
               "day after the due date, plus a fixed indemnity of 40 EUR for recovery costs "
               "(articles L441-10 and D441-5 of the French commercial code). No discount for "
               "early payment."
             : "Retard de paiement : pénalités au taux de trois fois le taux d'intérêt légal "
               "dès le lendemain de l'échéance, et indemnité forfaitaire pour frais de "
               "recouvrement de 40 € (articles L441-10 et D441-5 du code de commerce). Pas "
               "d'escompte pour paiement anticipé.";
    text(&p, MARGIN, PAGE_H - MARGIN - 40, PAGE_W - 2 * MARGIN, legal, 7.5, false, false);
    (void)y;

    cairo_show_page(p.cr);
    cairo_destroy(p.cr);
    cairo_surface_finish(surface);
    cairo_status_t st = cairo_surface_status(surface);
    cairo_surface_destroy(surface);
    return st == CAIRO_STATUS_SUCCESS ? 0 : -1;
}
