/*
 * xml_escape.c - text written into XML or HTML, its specials escaped.
 *
 * Dropping controls drops what XML 1.0 has no character for: the control bytes but tab
 * and line feed, and U+FFFE and U+FFFF (valid UTF-8, and accepted in a name, yet no
 * XML parser reads a document that holds one).
 */
#include "core/xml_escape.h"

void xml_escape(struct buf *b, const char *s, unsigned flags)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if ((flags & XML_ESCAPE_DROP_CONTROLS) && p[0] == 0xEF && p[1] == 0xBF &&
            (p[2] == 0xBE || p[2] == 0xBF))
            p += 2; /* U+FFFE, U+FFFF */
        else if (*p == '&')
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
