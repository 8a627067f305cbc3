/*
 * render/invoice_pdf.h - an invoice or credit note as a PDF, in its own language.
 *
 * What the PDF shows is a struct invoice_doc: the document frozen in the invoice at issue
 * (service/invoice_document.c builds it then and reads it back for every download), so
 * the PDF of an invoice is the same every time it is downloaded. The labels around it
 * ("Facture", "Total HT", the late-payment mention...) come from the message catalog in
 * the document's language. Text is laid out by pango (accents, the euro sign, line
 * breaking) on cairo's PDF surface, with DejaVu fonts.
 *
 * A document of version 2 or later (issued since e-invoicing, issue 15) is drawn as a
 * Factur-X EN 16931 invoice: the page carries the reform's mentions (SIRENs, the nature of
 * the operation, the seller's VAT option, « Avoir partiel »), and the PDF is made PDF/A-3
 * with its CII XML attached (render/facturx_xml.c, render/pdfa.c). A version 1 document,
 * issued before, is drawn as it always was. Either way the bytes depend on the document
 * alone: its creation date is its issue date.
 */
#ifndef PD_INVOICE_PDF_H
#define PD_INVOICE_PDF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define INVOICE_ADDRESS_LINES 16
#define INVOICE_LINES 8

/* The document versions: 1 before e-invoicing, 2 a Factur-X EN 16931 invoice. */
#define INVOICE_DOC_PLAIN 1
#define INVOICE_DOC_FACTURX 2

/* The seller or the buyer. Strings are borrowed (see struct invoice_doc); NULL or empty
 * for a field a party does not have. */
struct invoice_party {
    const char *name;
    const char *address[INVOICE_ADDRESS_LINES];
    size_t naddress;
    const char *country;
    const char *vat_id;
    const char *membership_id; /* the buyer's */
    const char *registration;  /* the seller's legal form and registration */
    /* version 2: */
    const char *siren;              /* SIREN (legal registration, scheme 0002), or NULL */
    const char *postal_code, *city; /* the address's last line, apart */
    const char *country_name;       /* the country's name in the document's language, or
                                       NULL (a document issued before names: the code) */
    /* the electronic address invoices reach the party at (BT-34, BT-49): scheme "0225"
     * (the French e-invoicing directory, by SIREN) or "EM" (an email); NULL when the
     * document was issued before the reform's addresses */
    const char *address_scheme, *address_id;
};

/* One line: amounts in minor units of the document's currency, negative on a credit note. */
struct invoice_line {
    const char *description;
    int64_t quantity, unit_price, amount;
    const char *service_start, *service_end; /* YYYY-MM-DD; NULL on a version 1 credit note */
};

/* An invoice or a credit note as issued. Every string is borrowed from whoever filled the
 * struct (the issuing use case's buffers, or the stored document it was read from) and
 * lives as long as that owner. */
struct invoice_doc {
    int version;           /* INVOICE_DOC_PLAIN or INVOICE_DOC_FACTURX */
    const char *type;      /* "invoice" or "credit_note" */
    const char *number;    /* 2027-000123, AV2027-000004 */
    const char *issued_on; /* YYYY-MM-DD */
    const char *due_on;    /* NULL on a credit note */
    const char *lang;      /* "fr" or "en": the buyer's, at issue */
    const char *currency;
    struct invoice_party seller, buyer;
    struct invoice_line lines[INVOICE_LINES];
    size_t nlines;
    int64_t subtotal, tax_amount, total;
    int tax_rate;               /* basis points */
    const char *tax_treatment;  /* domestic, reverse_charge, eu_no_vat_id, outside_eu */
    const char *tax_mention;    /* the VAT mention in the document's language, or NULL */
    const char *credits_number; /* a credit note: the number of the invoice it credits */
    /* version 2: */
    const char *credits_issued_on; /* a credit note: the issue date of that invoice */
    bool partial;                  /* a credit note for part of that invoice */
    const char *vat_option;        /* the seller's: "debits" or "receipts" */
    const char *order_id;
    bool has_wire; /* pay by wire: */
    struct {
        const char *iban, *bic, *reference, *due_on;
        /* the payment means code (BT-81, UNTDID 4461): "58" a SEPA credit transfer (euros),
         * "30" a credit transfer in another currency; NULL in a document frozen before it
         * was kept, drawn as 58 as it always was */
        const char *means;
    } wire;
    bool has_card; /* paid by card: */
    struct {
        const char *brand, *last4;
    } card;
};

/* Renders doc into out (PDF bytes; PDF/A-3 Factur-X from version 2 on). Returns 0 or -1. */
int invoice_pdf_render(const struct invoice_doc *doc, struct buf *out);

#endif
