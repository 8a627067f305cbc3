/*
 * xml_escape.c - text written into XML or HTML, its specials escaped.
 */
#include "core/xml_escape.h"

void xml_escape(struct buf *b, const char *s, unsigned flags)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '&')
            buf_puts(b, "&amp;");
        else if (*p == '<')
            buf_puts(b, "&lt;");
        else if (*p == '>')
            buf_puts(b, "&gt;");
        else if (*p == '"' && (flags & XML_ESCAPE_QUOT))
            buf_puts(b, "&quot;");
        else if (*p == '\'' && (flags & XML_ESCAPE_APOS))
            buf_puts(b, "&apos;");
        else if (*p == '\'' && (flags & XML_ESCAPE_APOS_NUMERIC))
            buf_puts(b, "&#39;");
        else if (*p == '\n' && (flags & XML_ESCAPE_LINE_BREAK))
            buf_puts(b, "<br>");
        else if (*p >= 0x20 || *p == '\t' || *p == '\n' || !(flags & XML_ESCAPE_DROP_CONTROLS))
            buf_append(b, p, 1);
    }
}
