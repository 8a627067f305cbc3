/*
 * render/facturx_xml.c - the CII XML (UN/CEFACT Cross Industry Invoice, Factur-X profile
 * EN 16931) of an issued document.
 *
 * The idea: one pass over the frozen document, writing the elements in the order the
 * schema's sequences ask for. What goes where:
 *
 *   seller    name, legal form and registration (BT-33), SIREN (BT-30, scheme 0002),
 *             address, electronic address (BT-34), VAT ID (BT-31)
 *   buyer     membership ID (BT-46), name, SIREN when it has one (BT-47), address,
 *             electronic address (BT-49), VAT ID
 *   notes     the nature of the operation, the seller's VAT option (when VAT is charged),
 *             « Avoir partiel » on a partial credit note, the late-payment mentions
 *   lines     with their service period (BT-134/135), a credit note's too
 *   VAT       one breakdown: S (standard rate), AE (reverse charge, VATEX-EU-AE) or G
 *             (outside the EU, VATEX-EU-G), the exemption reason in the document's words
 *   payment   a wire invoice: SEPA credit transfer (58; 30, a credit transfer, in a currency
 *             other than the euro) to the IBAN/BIC, the RF reference as
 *             payment reference (BT-83) and the due date; a card invoice: card (48), paid
 *             at issue (prepaid = total, nothing due)
 *   credit    type 381, the invoice it credits (BT-25, BT-26)
 *
 * Amounts are positive on a credit note (its type says it is one) with the currency's
 * decimals; dates are format 102 (YYYYMMDD). Texts are escaped for XML.
 */
#include "render/facturx_xml.h"

#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "core/money.h"
#include "core/msg.h"
#include "core/xml_escape.h"

/* XML character data: " escaped too, control characters dropped. */
#define FX_TEXT (XML_ESCAPE_QUOT | XML_ESCAPE_DROP_CONTROLS)

struct out {
    struct buf *b;
    int exponent; /* the currency's decimals */
    const char *lang;
};

static const char *str(const char *s)
{
    return s ? s : "";
}

/* <tag>text</tag>, nothing when text is empty. */
static void el(struct out *o, const char *tag, const char *text)
{
    if (*str(text) == '\0')
        return;
    buf_printf(o->b, "<%s>", tag);
    xml_escape(o->b, text, FX_TEXT);
    buf_printf(o->b, "</%s>", tag);
}

/* An amount's magnitude in major units, <tag>490.00</tag>, naming its currency when
 * currency is not NULL. */
static void amount_in(struct out *o, const char *tag, int64_t minor, const char *currency)
{
    unsigned long long v = minor < 0 ? 0ULL - (unsigned long long)minor : (unsigned long long)minor;
    unsigned long long scale = 1;
    for (int i = 0; i < o->exponent; i++)
        scale *= 10;
    buf_printf(o->b, "<%s", tag);
    if (currency)
        buf_printf(o->b, " currencyID=\"%s\"", currency);
    if (o->exponent == 0)
        buf_printf(o->b, ">%llu</%s>", v, tag);
    else
        buf_printf(o->b, ">%llu.%0*llu</%s>", v / scale, o->exponent, v % scale, tag);
}

static void amount(struct out *o, const char *tag, int64_t minor)
{
    amount_in(o, tag, minor, NULL);
}

/* A date as format 102, from YYYY-MM-DD. */
static void date(struct out *o, const char *tag, const char *iso)
{
    const char *d = str(iso);
    if (strlen(d) != 10)
        return;
    buf_printf(o->b,
               "<%s><udt:DateTimeString format=\"102\">%.4s%.2s%.2s</udt:DateTimeString></%s>", tag,
               d, d + 5, d + 8, tag);
}

/* A date for people, in the document's language: "23 juin 2027" (out: 40 bytes). */
static const char *long_date(const struct out *o, const char *iso, char *out, size_t n)
{
    struct date d;
    if (date_parse(str(iso), &d) < 0)
        return str(iso);
    return date_format_long(d, o->lang, out, n);
}

static void note(struct out *o, const char *text, const char *subject)
{
    if (*str(text) == '\0')
        return;
    buf_puts(o->b, "<ram:IncludedNote>");
    el(o, "ram:Content", text);
    el(o, "ram:SubjectCode", subject);
    buf_puts(o->b, "</ram:IncludedNote>");
}

static void address(struct out *o, const struct invoice_party *p)
{
    static const char *const tags[] = {"ram:LineOne", "ram:LineTwo", "ram:LineThree"};
    size_t n = p->naddress;
    if (n > 0 && (*str(p->postal_code) || *str(p->city)))
        n--; /* the last printed line is "postal code city" */
    buf_puts(o->b, "<ram:PostalTradeAddress>");
    el(o, "ram:PostcodeCode", p->postal_code);
    for (size_t i = 0; i < n && i < 3; i++)
        el(o, tags[i], p->address[i]);
    el(o, "ram:CityName", p->city);
    el(o, "ram:CountryID", p->country);
    buf_puts(o->b, "</ram:PostalTradeAddress>");
}

/* A trade party: seller (with its registration text) or buyer (with its membership ID). */
static void party(struct out *o, const char *tag, const struct invoice_party *p)
{
    buf_printf(o->b, "<%s>", tag);
    el(o, "ram:ID", p->membership_id);
    el(o, "ram:Name", p->name);
    el(o, "ram:Description", p->registration);
    if (*str(p->siren)) {
        buf_puts(o->b, "<ram:SpecifiedLegalOrganization><ram:ID schemeID=\"0002\">");
        xml_escape(o->b, p->siren, FX_TEXT);
        buf_puts(o->b, "</ram:ID></ram:SpecifiedLegalOrganization>");
    }
    address(o, p);
    if (*str(p->address_scheme) && *str(p->address_id)) { /* BT-34, BT-49 */
        buf_puts(o->b, "<ram:URIUniversalCommunication><ram:URIID schemeID=\"");
        xml_escape(o->b, p->address_scheme, FX_TEXT);
        buf_puts(o->b, "\">");
        xml_escape(o->b, p->address_id, FX_TEXT);
        buf_puts(o->b, "</ram:URIID></ram:URIUniversalCommunication>");
    }
    if (*str(p->vat_id)) {
        buf_puts(o->b, "<ram:SpecifiedTaxRegistration><ram:ID schemeID=\"VA\">");
        xml_escape(o->b, p->vat_id, FX_TEXT);
        buf_puts(o->b, "</ram:ID></ram:SpecifiedTaxRegistration>");
    }
    buf_printf(o->b, "</%s>", tag);
}

/* The VAT category of a treatment, and its exemption reason code (NULL: none). */
static const char *category(const char *treatment, const char **reason_code)
{
    *reason_code = NULL;
    if (strcmp(str(treatment), "reverse_charge") == 0) {
        *reason_code = "VATEX-EU-AE";
        return "AE";
    }
    if (strcmp(str(treatment), "outside_eu") == 0) {
        *reason_code = "VATEX-EU-G";
        return "G";
    }
    return "S"; /* domestic, or the buyer's country's rate (eu_no_vat_id) */
}

/* <ram:ApplicableTradeTax> of a line (no amounts) or of the breakdown (amounts). */
static void tax(struct out *o, const struct invoice_doc *doc, bool breakdown)
{
    const char *code;
    const char *cat = category(doc->tax_treatment, &code);
    buf_puts(o->b, "<ram:ApplicableTradeTax>");
    if (breakdown)
        amount(o, "ram:CalculatedAmount", doc->tax_amount);
    buf_puts(o->b, "<ram:TypeCode>VAT</ram:TypeCode>");
    if (breakdown && code) {
        const char *reason = doc->tax_mention;
        if (*str(reason) == '\0')
            reason = msg_text(strcmp(cat, "AE") == 0 ? MSG_FACTURX_EXEMPT_AE : MSG_FACTURX_EXEMPT_G,
                              o->lang);
        el(o, "ram:ExemptionReason", reason);
    }
    if (breakdown)
        amount(o, "ram:BasisAmount", doc->subtotal);
    el(o, "ram:CategoryCode", cat);
    if (breakdown)
        el(o, "ram:ExemptionReasonCode", code);
    buf_printf(o->b, "<ram:RateApplicablePercent>%d.%02d</ram:RateApplicablePercent>",
               doc->tax_rate / 100, doc->tax_rate % 100);
    buf_puts(o->b, "</ram:ApplicableTradeTax>");
}

static void period(struct out *o, const char *start, const char *end)
{
    if (*str(start) == '\0' && *str(end) == '\0')
        return;
    buf_puts(o->b, "<ram:BillingSpecifiedPeriod>");
    date(o, "ram:StartDateTime", start);
    date(o, "ram:EndDateTime", end);
    buf_puts(o->b, "</ram:BillingSpecifiedPeriod>");
}

static void line(struct out *o, const struct invoice_doc *doc, size_t i)
{
    const struct invoice_line *l = &doc->lines[i];
    buf_printf(o->b,
               "<ram:IncludedSupplyChainTradeLineItem><ram:AssociatedDocumentLineDocument>"
               "<ram:LineID>%zu</ram:LineID></ram:AssociatedDocumentLineDocument>"
               "<ram:SpecifiedTradeProduct>",
               i + 1);
    el(o, "ram:Name", l->description);
    buf_puts(o->b, "</ram:SpecifiedTradeProduct><ram:SpecifiedLineTradeAgreement>"
                   "<ram:NetPriceProductTradePrice>");
    amount(o, "ram:ChargeAmount", l->unit_price);
    buf_printf(o->b,
               "</ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>"
               "<ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode=\"C62\">%lld"
               "</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>"
               "<ram:SpecifiedLineTradeSettlement>",
               (long long)(l->quantity < 0 ? -l->quantity : l->quantity));
    tax(o, doc, false);
    period(o, l->service_start, l->service_end);
    buf_puts(o->b, "<ram:SpecifiedTradeSettlementLineMonetarySummation>");
    amount(o, "ram:LineTotalAmount", l->amount);
    buf_puts(o->b, "</ram:SpecifiedTradeSettlementLineMonetarySummation>"
                   "</ram:SpecifiedLineTradeSettlement></ram:IncludedSupplyChainTradeLineItem>");
}

/* The notes (BT-21/22): nature of the operation, VAT option, partial credit, penalties. */
static void notes(struct out *o, const struct invoice_doc *doc, bool credit)
{
    char text[600], day[40];
    const char *const args[] = {doc->credits_number,
                                long_date(o, doc->credits_issued_on, day, sizeof(day))};
    note(o, msg_text(MSG_FACTURX_OPERATION, o->lang), "AAI");
    if (doc->tax_amount != 0)
        note(o,
             msg_text(strcmp(str(doc->vat_option), "debits") == 0 ? MSG_FACTURX_VAT_ON_DEBITS
                                                                  : MSG_FACTURX_VAT_ON_RECEIPTS,
                      o->lang),
             "TXD");
    if (credit)
        note(o,
             msg_format(text, sizeof(text),
                        doc->partial ? MSG_FACTURX_PARTIAL_CREDIT_OF : MSG_FACTURX_CREDIT_OF,
                        o->lang, args, 2),
             "AAI");
    if (!credit)
        note(o, msg_text(MSG_PDF_LATE_PAYMENT, o->lang), "PMD");
}

/* Payment means (BG-16) and terms (BT-9, BT-20). */
static void payment_means(struct out *o, const struct invoice_doc *doc)
{
    if (doc->has_wire) {
        buf_puts(o->b, "<ram:SpecifiedTradeSettlementPaymentMeans>");
        el(o, "ram:TypeCode", *str(doc->wire.means) ? doc->wire.means : "58");
        buf_puts(o->b, "<ram:PayeePartyCreditorFinancialAccount>");
        el(o, "ram:IBANID", doc->wire.iban);
        buf_puts(o->b, "</ram:PayeePartyCreditorFinancialAccount>");
        if (*str(doc->wire.bic)) {
            buf_puts(o->b, "<ram:PayeeSpecifiedCreditorFinancialInstitution>");
            el(o, "ram:BICID", doc->wire.bic);
            buf_puts(o->b, "</ram:PayeeSpecifiedCreditorFinancialInstitution>");
        }
        buf_puts(o->b, "</ram:SpecifiedTradeSettlementPaymentMeans>");
    } else if (doc->has_card) {
        buf_puts(o->b, "<ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>48</ram:TypeCode>");
        el(o, "ram:Information", doc->card.brand);
        if (*str(doc->card.last4)) {
            buf_puts(o->b, "<ram:ApplicableTradeSettlementFinancialCard>");
            el(o, "ram:ID", doc->card.last4);
            buf_puts(o->b, "</ram:ApplicableTradeSettlementFinancialCard>");
        }
        buf_puts(o->b, "</ram:SpecifiedTradeSettlementPaymentMeans>");
    }
}

static void payment_terms(struct out *o, const struct invoice_doc *doc, bool credit)
{
    char text[600], day[40];
    const char *args[2] = {NULL, NULL};
    enum msg_id id;
    if (credit) {
        id = MSG_FACTURX_TERMS_CREDIT;
        args[0] = doc->credits_number;
    } else if (doc->has_wire) {
        id = MSG_FACTURX_TERMS_WIRE;
        args[0] = long_date(o, doc->wire.due_on, day, sizeof(day));
        args[1] = doc->wire.reference;
    } else if (doc->has_card) {
        id = MSG_PDF_PAID_BY_CARD;
        args[0] = doc->card.brand;
        args[1] = doc->card.last4;
    } else {
        id = MSG_FACTURX_TERMS_DUE;
        args[0] = long_date(o, doc->due_on ? doc->due_on : doc->issued_on, day, sizeof(day));
    }
    buf_puts(o->b, "<ram:SpecifiedTradePaymentTerms>");
    el(o, "ram:Description", msg_format(text, sizeof(text), id, o->lang, args, 2));
    if (!credit && !doc->has_card)
        date(o, "ram:DueDateDateTime",
             doc->has_wire ? doc->wire.due_on : (doc->due_on ? doc->due_on : doc->issued_on));
    buf_puts(o->b, "</ram:SpecifiedTradePaymentTerms>");
}

static void totals(struct out *o, const struct invoice_doc *doc, bool credit)
{
    bool prepaid = !credit && doc->has_card; /* paid by card before the invoice was issued */
    buf_puts(o->b, "<ram:SpecifiedTradeSettlementHeaderMonetarySummation>");
    amount(o, "ram:LineTotalAmount", doc->subtotal);
    amount(o, "ram:TaxBasisTotalAmount", doc->subtotal);
    amount_in(o, "ram:TaxTotalAmount", doc->tax_amount, str(doc->currency));
    amount(o, "ram:GrandTotalAmount", doc->total);
    amount(o, "ram:TotalPrepaidAmount", prepaid ? doc->total : 0);
    amount(o, "ram:DuePayableAmount", prepaid ? 0 : doc->total);
    buf_puts(o->b, "</ram:SpecifiedTradeSettlementHeaderMonetarySummation>");
}

int facturx_xml(const struct invoice_doc *doc, struct buf *b)
{
    const struct currency *cur = money_currency(str(doc->currency));
    if (cur == NULL || doc->version < INVOICE_DOC_FACTURX)
        return -1;
    bool credit = strcmp(str(doc->type), "credit_note") == 0;
    struct out o = {.b = b, .exponent = cur->exponent, .lang = msg_lang_tag(msg_lang(doc->lang))};
    const struct invoice_line *first = doc->nlines ? &doc->lines[0] : NULL;

    buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<rsm:CrossIndustryInvoice "
                "xmlns:rsm=\"urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100\" "
                "xmlns:qdt=\"urn:un:unece:uncefact:data:standard:QualifiedDataType:100\" "
                "xmlns:ram=\"urn:un:unece:uncefact:data:standard:"
                "ReusableAggregateBusinessInformationEntity:100\" "
                "xmlns:udt=\"urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100\">\n"
                "<rsm:ExchangedDocumentContext>");
    /* BT-23, the French reform's billing framework: S1 services, S2 services already paid */
    buf_printf(b,
               "<ram:BusinessProcessSpecifiedDocumentContextParameter><ram:ID>%s</ram:ID>"
               "</ram:BusinessProcessSpecifiedDocumentContextParameter>",
               !credit && doc->has_card ? "S2" : "S1");
    buf_puts(b, "<ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:cen.eu:en16931:2017"
                "</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>"
                "</rsm:ExchangedDocumentContext>\n<rsm:ExchangedDocument>");
    el(&o, "ram:ID", doc->number);
    buf_printf(b, "<ram:TypeCode>%s</ram:TypeCode>", credit ? "381" : "380");
    date(&o, "ram:IssueDateTime", doc->issued_on);
    notes(&o, doc, credit);
    buf_puts(b, "</rsm:ExchangedDocument>\n<rsm:SupplyChainTradeTransaction>");
    for (size_t i = 0; i < doc->nlines; i++)
        line(&o, doc, i);

    buf_puts(b, "<ram:ApplicableHeaderTradeAgreement>");
    party(&o, "ram:SellerTradeParty", &doc->seller);
    party(&o, "ram:BuyerTradeParty", &doc->buyer);
    if (*str(doc->order_id)) {
        buf_puts(b, "<ram:SellerOrderReferencedDocument>");
        el(&o, "ram:IssuerAssignedID", doc->order_id);
        buf_puts(b, "</ram:SellerOrderReferencedDocument>");
    }
    /* BT-72: the services were supplied from the start of their period */
    buf_puts(b, "</ram:ApplicableHeaderTradeAgreement><ram:ApplicableHeaderTradeDelivery>"
                "<ram:ActualDeliverySupplyChainEvent>");
    date(&o, "ram:OccurrenceDateTime",
         first && *str(first->service_start) ? first->service_start : doc->issued_on);
    buf_puts(b, "</ram:ActualDeliverySupplyChainEvent></ram:ApplicableHeaderTradeDelivery>"
                "<ram:ApplicableHeaderTradeSettlement>");
    if (!credit && doc->has_wire)
        el(&o, "ram:PaymentReference", doc->wire.reference);
    el(&o, "ram:InvoiceCurrencyCode", doc->currency);
    if (!credit)
        payment_means(&o, doc);
    tax(&o, doc, true);
    if (first)
        period(&o, first->service_start, first->service_end);
    payment_terms(&o, doc, credit);
    totals(&o, doc, credit);
    if (credit && *str(doc->credits_number)) {
        buf_puts(b, "<ram:InvoiceReferencedDocument>");
        el(&o, "ram:IssuerAssignedID", doc->credits_number);
        if (*str(doc->credits_issued_on)) {
            const char *d = doc->credits_issued_on;
            buf_printf(b,
                       "<ram:FormattedIssueDateTime><qdt:DateTimeString format=\"102\">"
                       "%.4s%.2s%.2s</qdt:DateTimeString></ram:FormattedIssueDateTime>",
                       d, d + 5, d + 8);
        }
        buf_puts(b, "</ram:InvoiceReferencedDocument>");
    }
    buf_puts(b, "</ram:ApplicableHeaderTradeSettlement>\n</rsm:SupplyChainTradeTransaction>\n"
                "</rsm:CrossIndustryInvoice>\n");
    return 0;
}
