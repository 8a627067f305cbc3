/*
 * xml_escape.h - text written into XML or HTML, its specials escaped.
 *
 * One helper for every renderer (e-mail HTML, pain.001, Factur-X, the PDF's XMP): & < >
 * are always escaped; each caller says what more its format needs, so every document
 * keeps the bytes it had.
 */
#ifndef PD_XML_ESCAPE_H
#define PD_XML_ESCAPE_H

#include "core/buf.h"

enum xml_escape_flag {
    XML_ESCAPE_QUOT = 1 << 0,          /* " as &quot; */
    XML_ESCAPE_APOS = 1 << 1,          /* ' as &apos; */
    XML_ESCAPE_APOS_NUMERIC = 1 << 2,  /* ' as &#39; (HTML 4 knows no &apos;) */
    XML_ESCAPE_DROP_CONTROLS = 1 << 3, /* control bytes but tab and line feed, and U+FFFE and
                                          U+FFFF, left out: no XML 1.0 character */
    XML_ESCAPE_LINE_BREAK = 1 << 4,    /* line feed as <br> (HTML) */
};

/* HTML text and attribute values: & < > " ' escaped, a line feed a <br>. */
#define XML_ESCAPE_HTML (XML_ESCAPE_QUOT | XML_ESCAPE_APOS_NUMERIC | XML_ESCAPE_LINE_BREAK)

/* Appends s (NULL: nothing) to b with & < > and the specials of flags (xml_escape_flag
 * ORed) escaped. */
void xml_escape(struct buf *b, const char *s, unsigned flags);

#endif
