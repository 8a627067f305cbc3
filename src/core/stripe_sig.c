/*
 * stripe_sig.c - Stripe-Signature checking (see stripe_sig.h).
 *
 * The header is split on commas into key=value items; the first t= gives the time, every
 * v1= is a candidate. Candidates are compared in constant time against the one expected
 * HMAC, all of them, so the answer's timing does not tell which one was close.
 */
#include "core/stripe_sig.h"

#include <stdio.h>
#include <string.h>

#include "core/crypto.h"

#define SIG_HEX ((size_t)2 * HMAC_SHA256_BYTES)

static void expected_hex(const char *secret, const char *t, const char *payload,
                         char out[SIG_HEX + 1])
{
    unsigned char mac[HMAC_SHA256_BYTES];
    const char *parts[] = {t, ".", payload};
    hmac_sha256(secret, strlen(secret), parts, 3, mac);
    bytes_hex(mac, sizeof(mac), out);
    secret_wipe(mac, sizeof(mac));
}

/* Parses the digits of [s, e) as a time; 0 when they are not 1 to 12 digits. */
static int parse_time(const char *s, const char *e, long long *t, char text[16])
{
    size_t n = (size_t)(e - s);
    if (n == 0 || n > 12)
        return 0;
    long long v = 0;
    for (const char *p = s; p < e; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        v = v * 10 + (*p - '0');
    }
    memcpy(text, s, n);
    text[n] = '\0';
    *t = v;
    return 1;
}

enum stripe_sig_result stripe_sig_verify(const char *header, const char *payload, size_t len,
                                         const char *secret, long long now, long tolerance_s)
{
    if (header == NULL || payload == NULL || secret == NULL || *secret == '\0' ||
        strlen(payload) != len)
        return STRIPE_SIG_MALFORMED;
    long long t = 0;
    char t_text[16] = "";
    int have_t = 0, candidates = 0, matched = 0;
    char want[SIG_HEX + 1] = "";
    const char *p = header;
    /* first pass: the time (the HMAC needs it before any v1 can be checked) */
    while (*p) {
        const char *end = strchr(p, ',');
        if (end == NULL)
            end = p + strlen(p);
        while (p < end && *p == ' ')
            p++;
        if (!have_t && end - p > 2 && p[0] == 't' && p[1] == '=') {
            if (!parse_time(p + 2, end, &t, t_text))
                return STRIPE_SIG_MALFORMED;
            have_t = 1;
        }
        p = *end ? end + 1 : end;
    }
    if (!have_t)
        return STRIPE_SIG_MALFORMED;
    expected_hex(secret, t_text, payload, want);
    for (p = header; *p;) {
        const char *end = strchr(p, ',');
        if (end == NULL)
            end = p + strlen(p);
        while (p < end && *p == ' ')
            p++;
        if (end - p > 3 && memcmp(p, "v1=", 3) == 0) {
            candidates++;
            char got[SIG_HEX + 1];
            size_t n = (size_t)(end - p - 3);
            if (n == SIG_HEX) {
                memcpy(got, p + 3, n);
                got[n] = '\0';
                matched |= secret_equal(got, want);
            }
        }
        p = *end ? end + 1 : end;
    }
    secret_wipe(want, sizeof(want));
    if (candidates == 0)
        return STRIPE_SIG_MALFORMED;
    if (!matched)
        return STRIPE_SIG_NO_MATCH;
    long long age = now - t;
    if (age > tolerance_s || -age > tolerance_s)
        return STRIPE_SIG_TOO_OLD;
    return STRIPE_SIG_OK;
}

void stripe_sig_sign(const char *secret, long long t, const char *payload, char *out, size_t n)
{
    char t_text[24], hex[SIG_HEX + 1];
    snprintf(t_text, sizeof(t_text), "%lld", t);
    expected_hex(secret, t_text, payload, hex);
    snprintf(out, n, "t=%s,v1=%s", t_text, hex);
}

const char *stripe_sig_result_name(enum stripe_sig_result r)
{
    static const char *const names[] = {"ok", "malformed", "no_match", "too_old"};
    return (unsigned)r <= STRIPE_SIG_TOO_OLD ? names[r] : "malformed";
}
