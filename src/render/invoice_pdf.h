/*
 * render/invoice_pdf.h - an invoice or credit note as a PDF, in its own language.
 *
 * The document is the JSON frozen in the invoice at issue (service/checkout.c), so the
 * PDF of an invoice is the same every time it is downloaded. Text is laid out by pango
 * (accents, the euro sign, line breaking) on cairo's PDF surface, with DejaVu fonts.
 */
#ifndef PD_INVOICE_PDF_H
#define PD_INVOICE_PDF_H

#include <jansson.h>

#include "core/buf.h"

/* Renders doc into out (PDF bytes). Returns 0 or -1. */
int invoice_pdf_render(const json_t *doc, struct buf *out);

#endif
