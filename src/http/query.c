/* query.c - the query-string parser (fuzzed by tests/fuzz/fuzz_query.c). */
#include "query.h"

#include <string.h>

#include "core/arena.h"
#include "core/text.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes s[0..n) into a fresh arena string, or NULL when malformed or not UTF-8. */
static char *decode(struct arena *a, const char *s, size_t n)
{
    char *out = arena_alloc(a, n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (i + 2 >= n)
                return NULL;
            int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0)
                return NULL;
            c = (char)(hi << 4 | lo);
            i += 2;
        }
        if (c == '\0')
            return NULL;
        out[o++] = c;
    }
    out[o] = '\0';
    /* every value is text: bytes that are not UTF-8 are no filter a row can match, and
     * PostgreSQL refuses to compare them with text */
    return text_utf8_valid(out, o) ? out : NULL;
}

int query_parse(struct arena *a, const char *qs, size_t len, struct query *q)
{
    q->count = 0;
    if (qs == NULL || len == 0)
        return 0;
    size_t i = 0;
    while (i <= len) {
        size_t end = i;
        while (end < len && qs[end] != '&')
            end++;
        if (end > i) { /* "a=1&&b=2" skips the empty pair */
            const char *eq = memchr(qs + i, '=', end - i);
            size_t nlen = eq ? (size_t)(eq - (qs + i)) : end - i;
            if (nlen == 0 || q->count == QUERY_MAX_PARAMS)
                return -1;
            char *name = decode(a, qs + i, nlen);
            char *value = eq ? decode(a, eq + 1, (size_t)(qs + end - eq - 1)) : decode(a, "", 0);
            if (name == NULL || value == NULL || *name == '\0')
                return -1;
            q->names[q->count] = name;
            q->values[q->count] = value;
            q->count++;
        }
        i = end + 1;
    }
    return 0;
}

const char *query_get(const struct query *q, const char *name)
{
    for (int i = 0; i < q->count; i++)
        if (strcmp(q->names[i], name) == 0)
            return q->values[i];
    return NULL;
}
