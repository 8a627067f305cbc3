/*
 * render/facturx_xml.h - an issued invoice or credit note as Factur-X EN 16931 CII XML.
 *
 * The XML is the legal invoice of the e-invoicing reform: it says in structured data what
 * the PDF shows (render/invoice_pdf.c), from the same frozen document, so it is the same
 * bytes every time. It validates against the Factur-X 1.0x EN 16931 schema and business
 * rules (tests/e2e/facturx.test.mjs runs xmllint and the Schematron on it).
 */
#ifndef PD_RENDER_FACTURX_XML_H
#define PD_RENDER_FACTURX_XML_H

#include "core/buf.h"
#include "render/invoice_pdf.h"

/* Appends the factur-x.xml of doc (a version 2 document) to out. 0, or -1 when doc cannot
 * be one (an unknown currency, a version 1 document). */
int facturx_xml(const struct invoice_doc *doc, struct buf *out);

#endif
