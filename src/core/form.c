/*
 * form.c - form-encoded request bodies (see form.h).
 */
#include "core/form.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void form_escape(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            buf_append(b, p, 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            buf_append(b, e, 3);
        }
    }
}

static void separator(struct buf *b)
{
    if (b->len > 0)
        buf_append(b, "&", 1);
}

void form_add(struct buf *b, const char *name, const char *value)
{
    if (value == NULL)
        return;
    separator(b);
    form_escape(b, name);
    buf_append(b, "=", 1);
    form_escape(b, value);
}

void form_add_int(struct buf *b, const char *name, int64_t value)
{
    char v[24];
    snprintf(v, sizeof(v), "%" PRId64, value);
    form_add(b, name, v);
}

void form_add_nested(struct buf *b, const char *parent, const char *child, const char *value)
{
    if (value == NULL)
        return;
    separator(b);
    form_escape(b, parent);
    buf_append(b, "[", 1);
    form_escape(b, child);
    buf_append(b, "]=", 2);
    form_escape(b, value);
}
