/* fuzz_stripe_sig.c - Stripe-Signature headers and webhook bodies as anyone may send them:
 * the check never reads past what it was given, answers one of its four verdicts, accepts
 * only a header that holds the right HMAC, and accepts what Stripe's signing gives. The
 * input is "<header>\n<body>"; the time is taken from its first byte. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "core/stripe_sig.h"
#include "gateway/stripe.h"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

#define SECRET "whsec_fuzz"
#define T 1700000000LL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready)
        ready = crypto_init() == 0;
    if (size < 1)
        return 0;
    long long now = T + (long long)(int8_t)data[0] * 5; /* within and past the tolerance */
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    char *nl = memchr(text, '\n', size - 1);
    const char *header = text, *body = "";
    size_t body_len = 0;
    if (nl) {
        *nl = '\0';
        body = nl + 1;
        body_len = (size - 1) - (size_t)(nl + 1 - text);
    }
    /* the body as bytes: a NUL inside it must not shorten what is checked */
    char *raw = malloc(body_len + 1);
    memcpy(raw, body, body_len);
    raw[body_len] = '\0';

    enum stripe_sig_result r =
        stripe_sig_verify(header, raw, body_len, SECRET, now, STRIPE_SIG_TOLERANCE_S);
    CHECK(r == STRIPE_SIG_OK || r == STRIPE_SIG_MALFORMED || r == STRIPE_SIG_NO_MATCH ||
          r == STRIPE_SIG_TOO_OLD);
    if (r == STRIPE_SIG_OK) {
        CHECK(strlen(raw) == body_len);
        CHECK(strstr(header, "v1=") != NULL);
    }

    /* what Stripe's signing writes is accepted, for any body without a NUL */
    if (strlen(raw) == body_len) {
        char signed_header[STRIPE_SIG_HEADER_BYTES];
        stripe_sig_sign(SECRET, T, raw, signed_header, sizeof(signed_header));
        CHECK(stripe_sig_verify(signed_header, raw, body_len, SECRET, T, 300) == STRIPE_SIG_OK);
        CHECK(stripe_sig_verify(signed_header, raw, body_len, "whsec_other", T, 300) ==
              STRIPE_SIG_NO_MATCH);
    }

    /* the body read as an event and as an answer of Stripe: never a crash, a known verdict */
    struct stripe_event ev;
    enum stripe_event_status es = stripe_read_event(raw, body_len, &ev);
    CHECK(es == STRIPE_EVENT_SETTLES || es == STRIPE_EVENT_IGNORED || es == STRIPE_EVENT_MALFORMED);
    CHECK(memchr(ev.key, '\0', sizeof(ev.key)) &&
          memchr(ev.action_url, '\0', sizeof(ev.action_url)));
    struct stripe_result res;
    stripe_read_answer(200 + data[0] % 400, raw, body_len, &res);
    CHECK((unsigned)res.outcome <= STRIPE_REQUIRES_ACTION);
    CHECK(memchr(res.id, '\0', sizeof(res.id)) && memchr(res.code, '\0', sizeof(res.code)));
    /* a cancellation's reason is one partnerd knows, and only on a cancelled intent */
    CHECK((unsigned)res.cancel_reason <= GW_CANCEL_OTHER);
    CHECK(res.canceled || res.cancel_reason == GW_CANCEL_NONE);
    CHECK(!res.canceled || res.outcome == STRIPE_DECLINED);
    free(raw);
    free(text);
    return 0;
}
