/* test_stripe_sig.c - Stripe-Signature checking: the table of headers a receiver meets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/crypto.h"
#include "core/stripe_sig.h"

#define SECRET "whsec_test_secret"
#define BODY "{\"id\":\"evt_1\",\"object\":\"event\"}"
/* HMAC-SHA256(SECRET, "1700000000." BODY), computed apart with Python's hmac module */
#define GOOD "0c8670ed117751cc551a20e35839447075c42800ea3cf3e8a2fbda99cd1e6edd"
#define OTHER "5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd"
#define T 1700000000LL

struct row {
    const char *name;
    const char *header;
    const char *body;
    const char *secret;
    long long now;
    enum stripe_sig_result want;
};

static const struct row rows[] = {
    {"one good v1", "t=1700000000,v1=" GOOD, BODY, SECRET, T, STRIPE_SIG_OK},
    {"good v1 beside a v0 (Stripe's documented header form)",
     "t=1700000000,v1=" GOOD ",v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39",
     BODY, SECRET, T, STRIPE_SIG_OK},
    {"the secret being rolled: the old one's v1 first", "t=1700000000,v1=" OTHER ",v1=" GOOD, BODY,
     SECRET, T, STRIPE_SIG_OK},
    {"spaces after the commas", "t=1700000000, v1=" GOOD, BODY, SECRET, T, STRIPE_SIG_OK},
    {"items in another order", "v1=" GOOD ",t=1700000000", BODY, SECRET, T, STRIPE_SIG_OK},
    {"299 s late", "t=1700000000,v1=" GOOD, BODY, SECRET, T + 299, STRIPE_SIG_OK},
    {"300 s late: the tolerance still holds", "t=1700000000,v1=" GOOD, BODY, SECRET, T + 300,
     STRIPE_SIG_OK},
    {"301 s late: a replay", "t=1700000000,v1=" GOOD, BODY, SECRET, T + 301, STRIPE_SIG_TOO_OLD},
    {"a day late", "t=1700000000,v1=" GOOD, BODY, SECRET, T + 86400, STRIPE_SIG_TOO_OLD},
    {"301 s ahead of our clock", "t=1700000000,v1=" GOOD, BODY, SECRET, T - 301,
     STRIPE_SIG_TOO_OLD},
    {"Stripe's documented example header, not our secret", "t=1492774577,v1=" OTHER, BODY, SECRET,
     1492774577LL, STRIPE_SIG_NO_MATCH},
    {"another secret", "t=1700000000,v1=" GOOD, BODY, "whsec_other", T, STRIPE_SIG_NO_MATCH},
    {"body changed by one byte", "t=1700000000,v1=" GOOD, "{\"id\":\"evt_2\",\"object\":\"event\"}",
     SECRET, T, STRIPE_SIG_NO_MATCH},
    {"timestamp changed", "t=1700000001,v1=" GOOD, BODY, SECRET, T, STRIPE_SIG_NO_MATCH},
    {"signature in capitals",
     "t=1700000000,v1=0C8670ED117751CC551A20E35839447075C42800EA3CF3E8A2FBDA99CD1E6EDD", BODY,
     SECRET, T, STRIPE_SIG_NO_MATCH},
    {"signature cut short", "t=1700000000,v1=0c8670ed117751cc551a20e3583944", BODY, SECRET, T,
     STRIPE_SIG_NO_MATCH},
    {"only a v0", "t=1700000000,v0=" GOOD, BODY, SECRET, T, STRIPE_SIG_MALFORMED},
    {"no timestamp", "v1=" GOOD, BODY, SECRET, T, STRIPE_SIG_MALFORMED},
    {"timestamp not a number", "t=17000x0000,v1=" GOOD, BODY, SECRET, T, STRIPE_SIG_MALFORMED},
    {"negative timestamp", "t=-1,v1=" GOOD, BODY, SECRET, T, STRIPE_SIG_MALFORMED},
    {"empty header", "", BODY, SECRET, T, STRIPE_SIG_MALFORMED},
    {"no header", NULL, BODY, SECRET, T, STRIPE_SIG_MALFORMED},
    {"empty secret", "t=1700000000,v1=" GOOD, BODY, "", T, STRIPE_SIG_MALFORMED},
    {"a lone comma", ",", BODY, SECRET, T, STRIPE_SIG_MALFORMED},
};

static void test_table(void **state)
{
    (void)state;
    int failed = 0;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct row *r = &rows[i];
        enum stripe_sig_result got = stripe_sig_verify(r->header, r->body, strlen(r->body),
                                                       r->secret, r->now, STRIPE_SIG_TOLERANCE_S);
        if (got != r->want) {
            print_error("%s: %s, want %s\n", r->name, stripe_sig_result_name(got),
                        stripe_sig_result_name(r->want));
            failed++;
        }
    }
    assert_int_equal(failed, 0);
}

/* A body with a NUL inside is refused, even when its text up to the NUL is signed. */
static void test_nul_in_body(void **state)
{
    (void)state;
    char body[64];
    memcpy(body, BODY "\0tail", sizeof(BODY) + 5);
    assert_int_equal(stripe_sig_verify("t=1700000000,v1=" GOOD, body, sizeof(BODY) + 4, SECRET, T,
                                       STRIPE_SIG_TOLERANCE_S),
                     STRIPE_SIG_MALFORMED);
    assert_int_equal(stripe_sig_verify("t=1700000000,v1=" GOOD, body, sizeof(BODY) - 1, SECRET, T,
                                       STRIPE_SIG_TOLERANCE_S),
                     STRIPE_SIG_OK);
}

/* What sign() writes, verify() accepts; and it is the independent vector above. */
static void test_sign_round_trip(void **state)
{
    (void)state;
    char header[STRIPE_SIG_HEADER_BYTES];
    stripe_sig_sign(SECRET, T, BODY, header, sizeof(header));
    assert_string_equal(header, "t=1700000000,v1=" GOOD);
    stripe_sig_sign(SECRET, 1492774577LL, "{}", header, sizeof(header));
    assert_string_equal(
        header, "t=1492774577,v1=53140ab8fa70c511cc40d5c9198af7dde7bbaee877038c056d8250c3bd3b2e11");
    assert_int_equal(stripe_sig_verify(header, "{}", 2, SECRET, 1492774577LL + 10, 300),
                     STRIPE_SIG_OK);
}

int main(void)
{
    if (crypto_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_nul_in_body),
        cmocka_unit_test(test_sign_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
