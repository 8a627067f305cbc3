/*
 * service/invoice_issue.c - numbering an invoice or credit note and freezing its document.
 *
 * The invoice row keeps the figures (for lists, revenue and refunds); the document keeps
 * what the PDF shows, in the buyer's language as it was at issue: the seller from the
 * settings, the buyer from the organisation, the offer's name, the VAT mention, and how
 * the invoice is paid (wire instructions, or the card it was paid by). A credit note is the
 * same order with negative amounts, naming the invoice it credits.
 *
 * Every document issued now is a version 2 document, drawn as a Factur-X invoice
 * (render/invoice_pdf.h): it also keeps the SIRENs, the postal code and city apart, the
 * seller's VAT option, and for a credit note the date of the invoice it credits, whether
 * it credits all of it or part of it, and the service period it credits (all the
 * invoice's period, or for a refund the days of the term it pays back).
 * Since issue 17 and the reform's addresses it also keeps each country's name in the
 * document's language and each party's electronic address (BT-34, BT-49).
 */
#include "service/invoice_issue.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/country.h"
#include "core/crypto.h"
#include "core/date.h"
#include "core/fault.h"
#include "core/money.h"
#include "service/audit.h"
#include "service/invoice_document.h"
#include "service/orders.h"
#include "service/pricing.h"
#include "core/roles.h"
#include "store/counters.h"
#include "store/users.h"

/* The seller of the settings; its address lines are cut out of address (n bytes). Its
 * last line ("75002 Paris") is also cut into postal code and city, in place (m bytes). */
static void seller_of(const struct settings *set, char *address, size_t n, char *place, size_t m,
                      struct invoice_party *p)
{
    char *save = NULL;
    snprintf(address, n, "%s", set->seller_address);
    p->name = set->seller_name;
    for (char *l = strtok_r(address, "|", &save); l && p->naddress < INVOICE_ADDRESS_LINES;
         l = strtok_r(NULL, "|", &save))
        p->address[p->naddress++] = l;
    p->country = set->seller_country;
    p->vat_id = set->seller_vat_id;
    p->registration = set->seller_registration;
    p->siren = set->seller_siren[0] ? set->seller_siren : NULL;
    snprintf(place, m, "%s", p->naddress ? p->address[p->naddress - 1] : "");
    char *space = strchr(place, ' ');
    if (space && strpbrk(place, "0123456789") && strpbrk(place, "0123456789") < space) {
        *space = '\0';
        p->postal_code = place;
        p->city = space + 1;
    } else {
        p->city = place;
    }
}

/* The buyer b; its last address line ("postal code city") is written into city (n bytes). */
static void buyer_of(const struct buyer *b, char *city, size_t n, struct invoice_party *p)
{
    p->name = b->legal_name;
    p->address[p->naddress++] = b->line1;
    if (b->line2[0])
        p->address[p->naddress++] = b->line2;
    snprintf(city, n, "%s %s", b->postal_code, b->city);
    p->address[p->naddress++] = city;
    p->country = b->country;
    p->vat_id = b->vat_id[0] ? b->vat_id : NULL;
    p->membership_id = b->membership_id;
    p->siren = b->siren[0] ? b->siren : NULL;
    p->postal_code = b->postal_code;
    p->city = b->city;
}

/* The electronic address invoices reach a party at (BT-34, BT-49), as the reform wants it:
 * its SIREN in the French e-invoicing directory (scheme 0225) when it has one, else an
 * email (EM): the seller's mail.from, the buyer's first billing admin (else global admin). */
static void electronic_address(struct invoice_party *p, const char *email)
{
    if (p->siren && p->siren[0]) {
        p->address_scheme = "0225";
        p->address_id = p->siren;
    } else if (email && email[0]) {
        p->address_scheme = "EM";
        p->address_id = email;
    }
}

/* The bare address of "Name <a@b>" or "a@b", into out (n bytes). */
static const char *bare_email(const char *from, char *out, size_t n)
{
    const char *lt = strchr(from, '<'), *gt = lt ? strchr(lt, '>') : NULL;
    if (lt && gt)
        snprintf(out, n, "%.*s", (int)(gt - lt - 1), lt + 1);
    else
        snprintf(out, n, "%s", from);
    return out;
}

/* The email of the organisation's oldest billing admin that is active, else of its oldest
 * active global admin, into out (n bytes); empty when none. */
static int buyer_email(struct db *db, const char *partner_id, char *out, size_t n)
{
    int rc = users_billing_contact(db, partner_id, out, n);
    return rc < 0 ? rc : 0;
}

/* The service period a credit note that credits the whole of invoice credits credits: the
 * invoice's own (a refund, which credits part of it, says the days it pays back:
 * invoice_credit). The dates are written into start and end (11 bytes each); empty when the
 * invoice has none. */
static int credited_period(struct db *db, const struct invoice_row *credits, char *start, char *end)
{
    struct invoice_row row;
    struct invoice_doc doc;
    char *text = NULL;
    json_t *keep = NULL;
    start[0] = end[0] = '\0';
    int rc = invoices_find(db, credits->id, &row, &text);
    if (rc <= 0)
        return rc < 0 ? rc : PD_E_NOT_FOUND;
    if (invoice_document_thaw(text, &doc, &keep) == 0 && doc.nlines > 0 &&
        doc.lines[0].service_start && doc.lines[0].service_end) {
        snprintf(start, 11, "%s", doc.lines[0].service_start);
        snprintf(end, 11, "%s", doc.lines[0].service_end);
    }
    json_decref(keep);
    free(text);
    return 0;
}

/* s, or NULL when it is empty. */
static const char *or_null(const char *s)
{
    return s[0] ? s : NULL;
}

int invoice_draft(struct db *db, const struct settings *set, const struct order_row *o,
                  const struct invoice_row *credits, const char *due_on, const char *service_start,
                  const char *service_end, struct invoice_draft *d)
{
    memset(d, 0, sizeof(*d));
    d->set = set;
    d->o = o;
    d->credit = credits != NULL;
    if (credits)
        d->credits = *credits;
    snprintf(d->due_on, sizeof(d->due_on), "%s", due_on ? due_on : "");
    snprintf(d->start, sizeof(d->start), "%s", service_start ? service_start : "");
    snprintf(d->end, sizeof(d->end), "%s", service_end ? service_end : "");
    int rc = pricing_buyer(db, o->partner_id, &d->buyer);
    if (rc >= 0 && credits && service_start == NULL)
        rc = credited_period(db, credits, d->start, d->end);
    if (rc >= 0 && buyer_email(db, o->partner_id, d->buyer_mail, sizeof(d->buyer_mail)) < 0)
        rc = PD_E_INTERNAL;
    if (rc < 0)
        return rc;
    d->lang = msg_lang_tag(msg_lang(d->buyer.locale)); /* the buyer's, "fr" by default */
    d->name = orders_offer_name(db, o->offer_code, d->lang);
    id_new("inv", d->id, sizeof(d->id));
    return 0;
}

void invoice_draft_drop(struct invoice_draft *d)
{
    json_decref(d->name);
    d->name = NULL;
}

/* The series of d's number in year: "invoice:2027", or "credit_note:2027" (n bytes). */
static const char *series_of(const struct invoice_draft *d, int year, char *series, size_t n)
{
    snprintf(series, n, "%s:%d", d->credit ? "credit_note" : "invoice", year);
    return series;
}

/* Number seq of the year's series, 2027-000001 or AV2027-000001, into number (n bytes):
 * false should it not fit (a year of four digits and a million invoices fit). */
static bool number_format(bool credit, int year, int64_t seq, char *number, size_t n)
{
    int len = snprintf(number, n, credit ? "AV%d-%06lld" : "%d-%06lld", year, (long long)seq);
    return len > 0 && (size_t)len < n;
}

/* Issues draft d on today as number seq of its series: its document frozen, its row
 * written (and added to its month, or to sums), audited; d is dropped. */
static int issue_numbered(struct db *db, struct invoice_draft *d, struct date today, int64_t seq,
                          struct month_sums *sums, struct invoice_issued *out)
{
    const struct settings *set = d->set;
    const struct order_row *o = d->o;
    const struct invoice_row *credits = d->credit ? &d->credits : NULL;
    bool credit = d->credit;
    int64_t sign = credit ? -1 : 1;
    const char *due_on = or_null(d->due_on);
    const char *service_start = or_null(d->start), *service_end = or_null(d->end);
    const char *lang = d->lang;
    struct invoice_row v;
    char address[sizeof(set->seller_address)], place[sizeof(set->seller_address)];
    char city[sizeof(d->buyer.postal_code) + sizeof(d->buyer.city)];
    memset(&v, 0, sizeof(v));
    if (!number_format(credit, today.year, seq, v.number, sizeof(v.number))) {
        invoice_draft_drop(d);
        return PD_E_INTERNAL;
    }
    snprintf(v.id, sizeof(v.id), "%s", d->id);
    snprintf(v.type, sizeof(v.type), "%s", credit ? "credit_note" : "invoice");
    snprintf(v.partner_id, sizeof(v.partner_id), "%s", o->partner_id);
    snprintf(v.order_id, sizeof(v.order_id), "%s", o->id);
    snprintf(v.credits_invoice_id, sizeof(v.credits_invoice_id), "%s", credit ? credits->id : "");
    date_format(today, v.issued_on);
    snprintf(v.due_on, sizeof(v.due_on), "%s", d->due_on);
    snprintf(v.currency, sizeof(v.currency), "%s", o->currency);
    v.subtotal = sign * o->subtotal;
    v.tax_rate = o->tax_rate;
    v.tax_amount = sign * o->tax_amount;
    v.total = sign * o->total;
    snprintf(v.tax_treatment, sizeof(v.tax_treatment), "%s", o->tax_treatment);
    snprintf(v.lang, sizeof(v.lang), "%s", lang);

    struct invoice_doc doc = {.version = INVOICE_DOC_FACTURX,
                              .type = v.type,
                              .number = v.number,
                              .issued_on = v.issued_on,
                              .due_on = due_on,
                              .lang = lang,
                              .currency = o->currency,
                              .nlines = 1,
                              .subtotal = v.subtotal,
                              .tax_amount = v.tax_amount,
                              .total = v.total,
                              .tax_rate = v.tax_rate,
                              .tax_treatment = v.tax_treatment,
                              .tax_mention = pricing_tax_mention(v.tax_treatment, lang),
                              .credits_number = credit ? credits->number : NULL,
                              .credits_issued_on = credit ? credits->issued_on : NULL,
                              .partial = credit && o->total != credits->total,
                              .vat_option = set->seller_vat_option,
                              .order_id = o->id};
    doc.lines[0] = (struct invoice_line){.description = json_string_value(d->name),
                                         .quantity = 1,
                                         .unit_price = sign * o->unit_amount,
                                         .amount = sign * o->subtotal,
                                         .service_start = service_start,
                                         .service_end = service_end};
    seller_of(set, address, sizeof(address), place, sizeof(place), &doc.seller);
    buyer_of(&d->buyer, city, sizeof(city), &doc.buyer);
    doc.seller.country_name = country_name(doc.seller.country, lang);
    doc.buyer.country_name = country_name(doc.buyer.country, lang);
    char seller_email[sizeof(set->mail_from)];
    electronic_address(&doc.seller, bare_email(set->mail_from, seller_email, sizeof(seller_email)));
    electronic_address(&doc.buyer, d->buyer_mail);
    /* a wire invoice says how to pay it; a card invoice, the card it was paid by */
    if (!credit && strcmp(o->payment_method, "wire") == 0 && due_on && o->due_on[0]) {
        doc.has_wire = true;
        doc.wire.iban = set->bank_iban;
        doc.wire.bic = set->bank_bic;
        doc.wire.reference = o->wire_reference;
        doc.wire.due_on = o->due_on;
        /* SEPA moves euros only: a transfer in another currency is an international one */
        doc.wire.means = strcmp(o->currency, "EUR") == 0 ? "58" : "30";
    }
    if (!credit && strcmp(o->payment_method, "card") == 0) {
        doc.has_card = true;
        doc.card.brand = o->card_brand;
        doc.card.last4 = o->card_last4;
    }
    char *text = invoice_document_freeze(&doc);
    invoice_draft_drop(d);
    if (text == NULL)
        return PD_E_INTERNAL;
    int rc = invoices_insert(db, &v, service_start, service_end, text, clock_now(), sums);
    free(text);
    if (rc == 0)
        rc = audit(db, NULL, NULL, o->partner_id, credit ? "credit_note.issued" : "invoice.issued",
                   "invoice", v.id,
                   json_pack("{s:s, s:s, s:I}", "number", v.number, "order_id", o->id, "total",
                             (json_int_t)v.total));
    if (rc == 0) {
        snprintf(out->id, sizeof(out->id), "%s", v.id);
        snprintf(out->number, sizeof(out->number), "%s", v.number);
    }
    return rc;
}

/* The date of invoices just numbered from year's series: today, read once the series' row
 * is locked (counters_take), so never before the date of an invoice numbered before them,
 * whose transaction read its date before it committed and let the lock go; 31 December of
 * year should the year have turned while the lock was awaited, the numbers being that
 * year's. */
static struct date numbered_on(int year)
{
    struct date on = clock_today();
    return on.year == year ? on : (struct date){.year = year, .month = 12, .day = 31};
}

int invoice_drafts_issue(struct db *db, struct invoice_draft *const *d, int n,
                         struct invoice_issued *out)
{
    /* dated the day they are numbered, not the day they were drafted: an invoice another
     * transaction numbered in between (a Buy while a renewal batch settles, on PostgreSQL)
     * has a lower number, and a French series is chronological, so it must not be dated
     * after them (past midnight, it would be) */
    struct date today = clock_today(); /* the year of the series */
    struct month_sums sums = {0};      /* a batch's, added to their months at its end */
    int rc = 0, i = 0;
    while (rc >= 0 && i < n) {
        /* the drafts of one series in a row take their numbers in one statement */
        char series[32], next[32];
        int k = 1;
        int64_t last = 0;
        series_of(d[i], today.year, series, sizeof(series));
        while (i + k < n &&
               strcmp(series_of(d[i + k], today.year, next, sizeof(next)), series) == 0)
            k++;
        if ((rc = counters_take(db, series, k, &last)) < 0)
            break;
        fault_pause("invoice.counter_taken"); /* tests: the year turns while it is awaited */
        struct date on = numbered_on(today.year);
        for (int j = 0; rc >= 0 && j < k; j++, i++)
            rc = issue_numbered(db, d[i], on, last - k + 1 + j, n > 1 ? &sums : NULL, &out[i]);
    }
    for (; i < n; i++) /* those a failure left */
        invoice_draft_drop(d[i]);
    return rc >= 0 ? invoices_add_sums(db, &sums) : rc;
}

int invoice_issue(struct db *db, const struct settings *set, const struct order_row *o,
                  const struct invoice_row *credits, const char *due_on, const char *service_start,
                  const char *service_end, struct invoice_issued *out)
{
    struct invoice_draft *d = malloc(sizeof(*d));
    if (d == NULL)
        return PD_E_INTERNAL;
    int rc = invoice_draft(db, set, o, credits, due_on, service_start, service_end, d);
    if (rc >= 0)
        rc = invoice_drafts_issue(db, &d, 1, out);
    else
        invoice_draft_drop(d);
    free(d);
    return rc;
}

int invoice_credit(struct db *db, const struct order_row *o, int64_t subtotal,
                   const char *service_start, const char *service_end, char *credit_id, size_t n,
                   int64_t *total)
{
    struct settings set;
    struct invoice_row inv;
    struct invoice_issued issued;
    struct order_row part = *o; /* the same order, for the amount credited */
    int rc = invoices_find(db, o->invoice_id, &inv, NULL);
    if (rc <= 0)
        return rc < 0 ? rc : PD_E_NOT_FOUND;
    part.unit_amount = part.subtotal = subtotal;
    if (money_apply_rate(part.subtotal, part.tax_rate, &part.tax_amount) < 0 ||
        money_add(part.subtotal, part.tax_amount, &part.total) < 0)
        return PD_E_OVERFLOW;
    *total = part.total;
    if ((rc = settings_load(db, &set)) < 0)
        return rc;
    rc = invoice_issue(db, &set, &part, &inv, NULL, service_start, service_end, &issued);
    if (rc == 0)
        snprintf(credit_id, n, "%s", issued.id);
    return rc;
}
