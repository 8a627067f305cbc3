/*
 * service/invoice_document.h - the document frozen in an invoice at issue.
 *
 * What an invoice shows (seller, buyer, lines, totals, mentions, payment, language) is
 * fixed the day it is issued: a later change of the seller's address or the partner's
 * name never changes an invoice already sent. The document is kept with the invoice as
 * JSON text, the same text since the first invoice partnerd issued, so every stored
 * document stays readable; it is rendered from a struct invoice_doc
 * (render/invoice_pdf.h).
 */
#ifndef PD_SERVICE_INVOICE_DOCUMENT_H
#define PD_SERVICE_INVOICE_DOCUMENT_H

#include <jansson.h>

#include "render/invoice_pdf.h"

/* The text to store for doc: compact JSON, keys sorted (malloc'd; owner: caller, free()),
 * or NULL when out of memory. */
char *invoice_document_freeze(const struct invoice_doc *doc);

/* Reads a stored document text into *doc. Its strings live in *keep, which the caller
 * releases with json_decref() once done with doc. 0, or PD_E_INTERNAL when the text is not
 * a document. */
int invoice_document_thaw(const char *text, struct invoice_doc *doc, json_t **keep);

#endif
