/*
 * core/cursor.c - page cursors: base64url of "c2.<scope>.<created_at>.<id>", and the limit.
 *
 * The base64url here is written by hand (RFC 4648 section 5, no padding) because it must
 * refuse what libsodium's decoder would quietly accept (padding, spaces, ignored
 * characters): a cursor has exactly one spelling, so a garbled one never names another row.
 */
#include "core/cursor.h"

#include <string.h>

#include "core/hash.h"

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The 6-bit value of a base64url character, or -1. */
static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

static bool id_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

static bool id_valid(const char *id, size_t len)
{
    if (len == 0 || len > CURSOR_ID_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!id_char((unsigned char)id[i]))
            return false;
    return true;
}

/* Appends v's decimal digits to out at *len. */
static void put_decimal(char *out, size_t *len, int64_t v)
{
    char digits[21];
    int nd = 0;
    do {
        digits[nd++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    while (nd > 0)
        out[(*len)++] = digits[--nd];
}

bool cursor_encode(const struct cursor_key *key, char *out, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    char plain[176];
    size_t idlen = strnlen(key->id, sizeof(key->id));
    if (key->created_at < 0 || !id_valid(key->id, idlen))
        return false;
    /* "c2." + 8 hex digits + "." + up to 19 digits + "." + id */
    plain[0] = 'c';
    plain[1] = '2';
    plain[2] = '.';
    size_t len = 3;
    for (int shift = 28; shift >= 0; shift -= 4)
        plain[len++] = hex[(key->scope >> shift) & 15];
    plain[len++] = '.';
    put_decimal(plain, &len, key->created_at);
    plain[len++] = '.';
    memcpy(plain + len, key->id, idlen);
    len += idlen;

    size_t need = (len * 4 + 2) / 3 + 1;
    if (n < need)
        return false;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        unsigned b = (unsigned char)plain[i] << 16;
        if (i + 1 < len)
            b |= (unsigned char)plain[i + 1] << 8;
        if (i + 2 < len)
            b |= (unsigned char)plain[i + 2];
        out[o++] = b64url[(b >> 18) & 63];
        out[o++] = b64url[(b >> 12) & 63];
        if (i + 1 < len)
            out[o++] = b64url[(b >> 6) & 63];
        if (i + 2 < len)
            out[o++] = b64url[b & 63];
    }
    out[o] = '\0';
    return true;
}

/* The value of a lowercase hex digit, or -1. */
static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

bool cursor_decode(const char *text, struct cursor_key *key)
{
    unsigned char plain[176];
    size_t tlen = text ? strnlen(text, CURSOR_TEXT_MAX) : 0;
    if (tlen == 0 || tlen >= CURSOR_TEXT_MAX || tlen % 4 == 1)
        return false;
    size_t len = 0;
    for (size_t i = 0; i < tlen; i += 4) {
        size_t chunk = tlen - i < 4 ? tlen - i : 4;
        unsigned b = 0;
        for (size_t j = 0; j < 4; j++) {
            int v = 0;
            if (j < chunk && (v = b64_value((unsigned char)text[i + j])) < 0)
                return false;
            b = b << 6 | (unsigned)v;
        }
        /* the bits past the last whole byte must be zero: one spelling per cursor */
        if ((chunk == 2 && (b & 0xFFFF)) || (chunk == 3 && (b & 0xFF)))
            return false;
        plain[len++] = (unsigned char)(b >> 16);
        if (chunk > 2)
            plain[len++] = (unsigned char)(b >> 8);
        if (chunk > 3)
            plain[len++] = (unsigned char)b;
    }
    if (len < 15 || memcmp(plain, "c2.", 3) != 0 || plain[11] != '.')
        return false;
    uint32_t scope = 0;
    for (size_t i = 3; i < 11; i++) {
        int v = hex_value(plain[i]);
        if (v < 0)
            return false;
        scope = scope << 4 | (uint32_t)v;
    }
    size_t p = 12;
    int64_t at = 0;
    size_t start = p;
    while (p < len && plain[p] >= '0' && plain[p] <= '9') {
        if (at > (INT64_MAX - (plain[p] - '0')) / 10)
            return false;
        at = at * 10 + (plain[p] - '0');
        p++;
    }
    /* digits, no leading zero but "0" itself, then a dot */
    if (p == start || p - start > 19 || (plain[start] == '0' && p - start > 1) || p >= len ||
        plain[p] != '.')
        return false;
    p++;
    if (!id_valid((const char *)plain + p, len - p))
        return false;
    key->scope = scope;
    key->created_at = at;
    memcpy(key->id, plain + p, len - p);
    key->id[len - p] = '\0';
    return true;
}

/* s with its 0 byte, after h: "ab" then "c" differs from "a" then "bc". */
static uint32_t fnv1a(uint32_t h, const char *s)
{
    return hash32(h, s, strlen(s) + 1);
}

uint32_t cursor_scope_path(const char *path)
{
    return fnv1a(HASH32_START, path ? path : "");
}

uint32_t cursor_scope_add(uint32_t scope, const char *name, const char *value)
{
    /* a sum of the parameters' own hashes: the same for any order */
    return scope + fnv1a(fnv1a(HASH32_START, name), value ? value : "");
}

bool page_limit_parse(const char *text, int *limit)
{
    if (text == NULL) {
        *limit = PAGE_LIMIT_DEFAULT;
        return true;
    }
    int v = 0;
    size_t n = strlen(text);
    if (n == 0 || n > 3)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        v = v * 10 + (text[i] - '0');
    }
    if (v < 1 || v > PAGE_LIMIT_MAX)
        return false;
    *limit = v;
    return true;
}

/* true when s[0..len) is 1..max - 1 characters, each in set. */
static bool part_valid(const char *s, size_t len, size_t max, const char *set)
{
    if (len == 0 || len >= max)
        return false;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '\0' || strchr(set, s[i]) == NULL)
            return false;
    return true;
}

#define GROUP_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"
#define KIND_CHARS "abcdefghijklmnopqrstuvwxyz_"
#define PRODUCT_CHARS "abcdefghijklmnopqrstuvwxyz0123456789-"

bool cursor_id_join(const struct cursor_group_key *k, char *id, size_t n)
{
    size_t g = strnlen(k->group, sizeof(k->group)), kd = strnlen(k->kind, sizeof(k->kind));
    size_t p = strnlen(k->product, sizeof(k->product));
    if (!part_valid(k->group, g, sizeof(k->group), GROUP_CHARS) ||
        !part_valid(k->kind, kd, sizeof(k->kind), KIND_CHARS) ||
        !part_valid(k->product, p, sizeof(k->product), PRODUCT_CHARS) || g + kd + p + 3 > n)
        return false;
    memcpy(id, k->group, g);
    id[g] = '-';
    memcpy(id + g + 1, k->kind, kd);
    id[g + 1 + kd] = '-';
    memcpy(id + g + kd + 2, k->product, p);
    id[g + kd + p + 2] = '\0';
    return true;
}

bool cursor_id_split(const char *id, struct cursor_group_key *k)
{
    const char *dash1 = strchr(id, '-');
    const char *dash2 = dash1 ? strchr(dash1 + 1, '-') : NULL;
    if (dash2 == NULL)
        return false;
    size_t g = (size_t)(dash1 - id), kd = (size_t)(dash2 - dash1 - 1), p = strlen(dash2 + 1);
    if (!part_valid(id, g, sizeof(k->group), GROUP_CHARS) ||
        !part_valid(dash1 + 1, kd, sizeof(k->kind), KIND_CHARS) ||
        !part_valid(dash2 + 1, p, sizeof(k->product), PRODUCT_CHARS))
        return false;
    memcpy(k->group, id, g);
    k->group[g] = '\0';
    memcpy(k->kind, dash1 + 1, kd);
    k->kind[kd] = '\0';
    memcpy(k->product, dash2 + 1, p);
    k->product[p] = '\0';
    return true;
}
