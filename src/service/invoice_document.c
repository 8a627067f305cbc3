/*
 * service/invoice_document.c - an invoice's frozen document, to and from its stored text.
 *
 * The stored text is JSON with these keys (sorted, compact):
 *
 *   type, number, issued_on, due_on|null, lang, currency, order_id,
 *   seller {name, address[], country, vat_id, registration},
 *   buyer {name, address[], country, vat_id|null, membership_id},
 *   lines [{description, quantity, unit_price, amount, service_start|null,
 *           service_end|null}],
 *   subtotal, tax_rate, tax_amount, total, tax_treatment, tax_mention|null,
 *   credits_number|null,
 *   payment_instructions {iban, bic, reference, due_on}   (an invoice paid by wire)
 *   paid_by {brand, last4}                                 (an invoice paid by card)
 *
 * A document issued since e-invoicing (version 2, a Factur-X invoice) has these keys too:
 *
 *   version (2), vat_option (debits|receipts), credits_issued_on|null, partial (bool),
 *   seller and buyer {siren|null, postal_code, city, country_name,
 *                     electronic_address {scheme, id}}
 *
 * and a credit note's lines have their service period. country_name (the country's name
 * in the document's language, issue 17) and electronic_address (BT-34/BT-49) came later:
 * a version 2 document without them shows its countries as codes and has no electronic
 * addresses in its XML, as when it was issued. A text without "version" is a
 * version 1 document and is drawn as before (render/invoice_pdf.h).
 *
 * Amounts are integers in minor units, negative on a credit note. Freezing writes exactly
 * this; thawing reads it back, and a missing or mistyped key reads as empty, as the PDF
 * always drew it.
 */
#include "service/invoice_document.h"

#include <string.h>

#include "core/error.h"

/* A string or NULL (JSON null). */
static json_t *maybe(const char *s)
{
    return s ? json_string(s) : json_null();
}

static const char *text_or_empty(const char *s)
{
    return s ? s : "";
}

static json_t *address_json(const struct invoice_party *p)
{
    json_t *lines = json_array();
    for (size_t i = 0; i < p->naddress; i++)
        json_array_append_new(lines, json_string(text_or_empty(p->address[i])));
    return lines;
}

/* The keys a version 2 document adds to a party. */
static json_t *party_v2(json_t *o, int version, const struct invoice_party *p)
{
    if (o && version >= INVOICE_DOC_FACTURX) {
        json_object_set_new(o, "siren", maybe(p->siren && p->siren[0] ? p->siren : NULL));
        json_object_set_new(o, "postal_code", json_string(text_or_empty(p->postal_code)));
        json_object_set_new(o, "city", json_string(text_or_empty(p->city)));
        if (p->country_name && p->country_name[0])
            json_object_set_new(o, "country_name", json_string(p->country_name));
        if (p->address_scheme && p->address_scheme[0] && p->address_id && p->address_id[0])
            json_object_set_new(o, "electronic_address",
                                json_pack("{s:s, s:s}", "scheme", p->address_scheme, "id",
                                          p->address_id));
    }
    return o;
}

static json_t *seller_json(const struct invoice_party *p, int version)
{
    return party_v2(json_pack("{s:s, s:o, s:s, s:s, s:s}", "name", text_or_empty(p->name),
                              "address", address_json(p), "country", text_or_empty(p->country),
                              "vat_id", text_or_empty(p->vat_id), "registration",
                              text_or_empty(p->registration)),
                    version, p);
}

static json_t *buyer_json(const struct invoice_party *p, int version)
{
    return party_v2(json_pack("{s:s, s:o, s:s, s:o, s:s}", "name", text_or_empty(p->name),
                              "address", address_json(p), "country", text_or_empty(p->country),
                              "vat_id", maybe(p->vat_id && p->vat_id[0] ? p->vat_id : NULL),
                              "membership_id", text_or_empty(p->membership_id)),
                    version, p);
}

static json_t *lines_json(const struct invoice_doc *doc)
{
    json_t *lines = json_array();
    for (size_t i = 0; i < doc->nlines; i++) {
        const struct invoice_line *l = &doc->lines[i];
        json_array_append_new(
            lines, json_pack("{s:s, s:I, s:I, s:I, s:o, s:o}", "description",
                             text_or_empty(l->description), "quantity", (json_int_t)l->quantity,
                             "unit_price", (json_int_t)l->unit_price, "amount",
                             (json_int_t)l->amount, "service_start", maybe(l->service_start),
                             "service_end", maybe(l->service_end)));
    }
    return lines;
}

char *invoice_document_freeze(const struct invoice_doc *doc)
{
    json_t *d = json_pack(
        "{s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:o, s:s, s:I, s:i, s:I, s:I, s:s, s:o, s:o, s:o}",
        "type", text_or_empty(doc->type), "number", text_or_empty(doc->number), "issued_on",
        text_or_empty(doc->issued_on), "due_on", maybe(doc->due_on), "lang",
        text_or_empty(doc->lang), "seller", seller_json(&doc->seller, doc->version), "buyer",
        buyer_json(&doc->buyer, doc->version), "lines", lines_json(doc), "currency",
        text_or_empty(doc->currency), "subtotal", (json_int_t)doc->subtotal, "tax_rate",
        doc->tax_rate, "tax_amount", (json_int_t)doc->tax_amount, "total", (json_int_t)doc->total,
        "tax_treatment", text_or_empty(doc->tax_treatment), "tax_mention", maybe(doc->tax_mention),
        "credits_number", maybe(doc->credits_number), "order_id", maybe(doc->order_id));
    if (d == NULL)
        return NULL;
    if (doc->version >= INVOICE_DOC_FACTURX) {
        json_object_set_new(d, "version", json_integer(doc->version));
        json_object_set_new(d, "vat_option", json_string(text_or_empty(doc->vat_option)));
        json_object_set_new(d, "credits_issued_on", maybe(doc->credits_issued_on));
        json_object_set_new(d, "partial", json_boolean(doc->partial));
    }
    if (doc->has_wire)
        json_object_set_new(d, "payment_instructions",
                            json_pack("{s:s, s:s, s:s, s:s, s:s*}", "iban",
                                      text_or_empty(doc->wire.iban), "bic",
                                      text_or_empty(doc->wire.bic), "reference",
                                      text_or_empty(doc->wire.reference), "due_on",
                                      text_or_empty(doc->wire.due_on), "means", doc->wire.means));
    if (doc->has_card)
        json_object_set_new(d, "paid_by",
                            json_pack("{s:s, s:s}", "brand", text_or_empty(doc->card.brand),
                                      "last4", text_or_empty(doc->card.last4)));
    char *text = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(d);
    return text;
}

/* The string at key, or NULL. */
static const char *get(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int64_t get_int(const json_t *o, const char *key)
{
    return (int64_t)json_integer_value(json_object_get(o, key));
}

static void thaw_party(const json_t *o, struct invoice_party *p)
{
    size_t i;
    json_t *l;
    p->name = get(o, "name");
    json_array_foreach(json_object_get(o, "address"), i, l)
    {
        if (p->naddress < INVOICE_ADDRESS_LINES)
            p->address[p->naddress++] = json_string_value(l);
    }
    p->country = get(o, "country");
    p->vat_id = get(o, "vat_id");
    p->membership_id = get(o, "membership_id");
    p->registration = get(o, "registration");
    p->siren = get(o, "siren");
    p->postal_code = get(o, "postal_code");
    p->city = get(o, "city");
    p->country_name = get(o, "country_name");
    p->address_scheme = get(json_object_get(o, "electronic_address"), "scheme");
    p->address_id = get(json_object_get(o, "electronic_address"), "id");
}

int invoice_document_thaw(const char *text, struct invoice_doc *doc, json_t **keep)
{
    json_t *d = json_loads(text ? text : "", 0, NULL);
    memset(doc, 0, sizeof(*doc));
    *keep = NULL;
    if (!json_is_object(d)) {
        json_decref(d);
        return PD_E_INTERNAL;
    }
    doc->version = json_is_integer(json_object_get(d, "version")) ? (int)get_int(d, "version")
                                                                  : INVOICE_DOC_PLAIN;
    doc->vat_option = get(d, "vat_option");
    doc->credits_issued_on = get(d, "credits_issued_on");
    doc->partial = json_is_true(json_object_get(d, "partial"));
    doc->type = get(d, "type");
    doc->number = get(d, "number");
    doc->issued_on = get(d, "issued_on");
    doc->due_on = get(d, "due_on");
    doc->lang = get(d, "lang");
    doc->currency = get(d, "currency");
    doc->order_id = get(d, "order_id");
    thaw_party(json_object_get(d, "seller"), &doc->seller);
    thaw_party(json_object_get(d, "buyer"), &doc->buyer);
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(d, "lines"), i, l)
    {
        if (doc->nlines == INVOICE_LINES)
            break;
        struct invoice_line *line = &doc->lines[doc->nlines++];
        line->description = get(l, "description");
        line->quantity = get_int(l, "quantity");
        line->unit_price = get_int(l, "unit_price");
        line->amount = get_int(l, "amount");
        line->service_start = get(l, "service_start");
        line->service_end = get(l, "service_end");
    }
    doc->subtotal = get_int(d, "subtotal");
    doc->tax_rate = (int)get_int(d, "tax_rate");
    doc->tax_amount = get_int(d, "tax_amount");
    doc->total = get_int(d, "total");
    doc->tax_treatment = get(d, "tax_treatment");
    doc->tax_mention = get(d, "tax_mention");
    doc->credits_number = get(d, "credits_number");
    const json_t *wire = json_object_get(d, "payment_instructions");
    if ((doc->has_wire = json_is_object(wire))) {
        doc->wire.iban = get(wire, "iban");
        doc->wire.bic = get(wire, "bic");
        doc->wire.reference = get(wire, "reference");
        doc->wire.due_on = get(wire, "due_on");
        doc->wire.means = get(wire, "means");
    }
    const json_t *card = json_object_get(d, "paid_by");
    if ((doc->has_card = json_is_object(card))) {
        doc->card.brand = get(card, "brand");
        doc->card.last4 = get(card, "last4");
    }
    *keep = d;
    return 0;
}
