/*
 * test_cursor.c - page cursors and the limit parameter (core/cursor.h).
 *
 * Every key a row can have survives a round trip, its scope with it; everything else a client
 * might send (a cursor of an older format, padding, a changed character, a negative or
 * overflowing time, an id with a quote in it) is refused rather than read as a place. A
 * list's scope is the same for its filters in any order, and differs for any other.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/cursor.h"

static void round_trips(void **state)
{
    (void)state;
    static const struct cursor_key keys[] = {
        {0, "a", 0},
        {1, "par_0123456789abcdefghjk", 0xffffffffu},
        {1, "par_0123456789abcdefghjk", 0x0000000fu},
        {1790000000, "ord_zzzzzzzzzzzzzzzzzzzz", 0},
        {INT64_MAX, "x", 0},
        {42, "A-b_C", 0},
        {7, "ab", 0}, /* plain lengths 6, 7, 8: every tail of base64 */
        {7, "abc", 0},
        {7, "abcd", 0},
        {123, "012345678901234567890123456789012345678901234567890123456789012", 0}, /* 63 */
        {INT64_MAX,
         "0123456789012345678901234567890123456789012345678901234567890123456789"
         "01234567890123456789012345678901234567890123456",
         0xdeadbeefu}, /* 127: the longest */
    };
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        char text[CURSOR_TEXT_MAX];
        struct cursor_key back = {0};
        assert_true(cursor_encode(&keys[i], text, sizeof(text)));
        /* opaque and URL-safe: nothing a query string must escape */
        assert_int_equal(strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                      "0123456789-_"),
                         strlen(text));
        assert_true(cursor_decode(text, &back));
        assert_true(back.created_at == keys[i].created_at);
        assert_string_equal(back.id, keys[i].id);
        assert_true(back.scope == keys[i].scope);
    }
}

static void known_spelling(void **state)
{
    (void)state;
    struct cursor_key k = {1700000000, "ord_1", 0x0123abcdu};
    char text[CURSOR_TEXT_MAX];
    assert_true(cursor_encode(&k, text, sizeof(text)));
    /* base64url("c2.0123abcd.1700000000.ord_1") */
    assert_string_equal(text, "YzIuMDEyM2FiY2QuMTcwMDAwMDAwMC5vcmRfMQ");
}

static void refuses_keys_no_row_has(void **state)
{
    (void)state;
    char text[CURSOR_TEXT_MAX];
    struct cursor_key neg = {-1, "a", 0}, empty = {5, "", 0}, quote = {5, "a'b", 0};
    struct cursor_key dot = {5, "a.b", 0};
    assert_false(cursor_encode(&neg, text, sizeof(text)));
    assert_false(cursor_encode(&empty, text, sizeof(text)));
    assert_false(cursor_encode(&quote, text, sizeof(text)));
    assert_false(cursor_encode(&dot, text, sizeof(text)));
    struct cursor_key ok = {5, "a", 0}, longest = {5, "", 0};
    assert_false(cursor_encode(&ok, text, 4));  /* too small a buffer */
    memset(longest.id, 'a', CURSOR_ID_MAX + 1); /* 128 characters, no NUL: one too many */
    assert_false(cursor_encode(&longest, text, sizeof(text)));
}

static void refuses_garbled(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "Y",                                        /* one character: no whole byte */
        "YzIuMDEyM2FiY2QuMTcwMDAwMDAwMC5vcmRfMQ==", /* padding */
        "YzIuMDEyM2FiY2QuMTcwMDAwMDAwMC5vcmRfMR",   /* stray bits after the last byte */
        "YzIuMDEyM2FiY2QuMTcwMDAwMDAwMC5vcmRfMQ ",  /* space */
        "YzIuMDEyM2FiY2QuMTcwMDAwMDAwMC5vcmRfMQ+",  /* the other alphabet */
        "1700000000.ord_1",                         /* the audit log's old plain cursor */
        "YzEuMTcwMDAwMDAwMC5vcmRfMQ", /* "c1.1700000000.ord_1": the first version, without a scope
                                       */
        "YzMuMDEyM2FiY2QuMTcwMDAwMDAwMC5vcmRfMQ", /* "c3.0123abcd.1700000000.ord_1": another version
                                                   */
        "YzIuMDEyM2FiYy4xNzAwMDAwMDAwLm9yZF8x",   /* "c2.0123abc.1700000000.ord_1": a scope of 7
                                                     digits */
        "YzIuMDEyM0FCQ0QuMTcwMDAwMDAwMC5vcmRfMQ", /* "c2.0123ABCD.1700000000.ord_1": a scope in
                                                     capitals */
        "YzIuMDEyM2FiY2cuMTcwMDAwMDAwMC5vcmRfMQ", /* "c2.0123abcg.1700000000.ord_1": a scope not hex
                                                   */
        "YzIuMDEyM2FiY2QuLm9yZF8x",               /* "c2.0123abcd..ord_1": no time */
        "YzIuMDEyM2FiY2QuMDEyLm9yZF8x",           /* "c2.0123abcd.012.ord_1": a leading zero */
        "YzIuMDEyM2FiY2QuLTEub3JkXzE",            /* "c2.0123abcd.-1.ord_1": a negative time */
        "YzIuMDEyM2FiY2QuMTIz",                   /* "c2.0123abcd.123": no id */
        "YzIuMDEyM2FiY2QuMTIzLg",                 /* "c2.0123abcd.123.": an empty id */
        "YzIuMDEyM2FiY2QuMTIzLmEnYg",             /* "c2.0123abcd.123.a'b": a quote */
        "YzIuMDEyM2FiY2QuOTIyMzM3MjAzNjg1NDc3NTgwOC5h", /* "c2.0123abcd.9223372036854775808.a":
                                                           overflow */
        "YzIuMDEyM2FiY2QuMTIzLmEAYg",                   /* "c2.0123abcd.123.a\\0b": a NUL */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct cursor_key k;
        if (cursor_decode(bad[i], &k))
            fail_msg("accepted \"%s\"", bad[i]);
    }
    assert_false(cursor_decode(NULL, &(struct cursor_key){0}));
    char longer[CURSOR_TEXT_MAX + 8];
    memset(longer, 'A', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    assert_false(cursor_decode(longer, &(struct cursor_key){0}));
}

static void limits(void **state)
{
    (void)state;
    struct {
        const char *text;
        bool ok;
        int value;
    } cases[] = {
        {NULL, true, PAGE_LIMIT_DEFAULT},
        {"1", true, 1},
        {"50", true, 50},
        {"200", true, 200},
        {"0", false, 0},
        {"201", false, 0},
        {"1000", false, 0},
        {"-5", false, 0},
        {"+5", false, 0},
        {" 5", false, 0},
        {"5 ", false, 0},
        {"5x", false, 0},
        {"", false, 0},
        {"99999999999999999999", false, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int v = -1;
        bool ok = page_limit_parse(cases[i].text, &v);
        if (ok != cases[i].ok)
            fail_msg("limit \"%s\": %s", cases[i].text ? cases[i].text : "(none)",
                     ok ? "accepted" : "refused");
        if (ok)
            assert_int_equal(v, cases[i].value);
    }
}

/* The id of a cursor in a list of groups: "<group>-<kind>-<product>", one spelling, the
 * last line shown named by its own key (not by how many lines came before it). */
static void group_ids(void **state)
{
    (void)state;
    static const struct {
        const char *id;
        bool ok;
        const char *group, *kind, *product;
    } cases[] = {
        {"ptn_abc-software_key-windows-server", true, "ptn_abc", "software_key", "windows-server"},
        {"ptn_abc-resource-a", true, "ptn_abc", "resource", "a"},
        {"P_0-k-x-", true, "P_0", "k", "x-"}, /* dashes past the second belong to the product */
        {"ptn_abc-software_key--", true, "ptn_abc", "software_key", "-"},
        {"ptn_0123456789abcdefghjkmnpqrst-cloud_subscription-"
         "abcdefghijklmnopqrstuvwxyz0123456789-abcdefghij",
         true, "ptn_0123456789abcdefghjkmnpqrst", "cloud_subscription",
         "abcdefghijklmnopqrstuvwxyz0123456789-abcdefghij"}, /* 31 + 18 + 47: the longest */
        {"ptn_abc-3", false, NULL, NULL, NULL},              /* the old "<group>-<shown>" */
        {"ptn_abc-0", false, NULL, NULL, NULL},
        {"ptn_abc", false, NULL, NULL, NULL},
        {"ptn_abc-software_key", false, NULL, NULL, NULL}, /* no product */
        {"ptn_abc-software_key-", false, NULL, NULL, NULL},
        {"-software_key-x", false, NULL, NULL, NULL},    /* no group */
        {"ptn_abc--x", false, NULL, NULL, NULL},         /* no kind */
        {"ptn_abc-Software-x", false, NULL, NULL, NULL}, /* a kind is lower case */
        {"ptn_abc-kind1-x", false, NULL, NULL, NULL},    /* and letters only */
        {"ptn_abc-software_key-Windows", false, NULL, NULL, NULL},
        {"ptn_abc-software_key-a_b", false, NULL, NULL, NULL},
        {"ptn_0123456789abcdefghjkmnpqrstu-k-x", false, NULL, NULL, NULL}, /* group of 32 */
        {"ptn_abc-k-abcdefghijklmnopqrstuvwxyz0123456789-abcdefghijk", false, NULL, NULL,
         NULL}, /* product of 48 */
        {"ptn_abc-abcdefghijklmnopqrstuvwxyz_abcdef-x", false, NULL, NULL, NULL}, /* kind 32 */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cursor_group_key k;
        memset(&k, 0, sizeof(k));
        bool ok = cursor_id_split(cases[i].id, &k);
        if (ok != cases[i].ok)
            fail_msg("\"%s\": %s", cases[i].id, ok ? "accepted" : "refused");
        if (!ok)
            continue;
        assert_string_equal(k.group, cases[i].group);
        assert_string_equal(k.kind, cases[i].kind);
        assert_string_equal(k.product, cases[i].product);
        /* spelled back the same, and through a whole cursor */
        char id[CURSOR_ID_MAX + 1], text[CURSOR_TEXT_MAX];
        assert_true(cursor_id_join(&k, id, sizeof(id)));
        assert_string_equal(id, cases[i].id);
        struct cursor_key c = {1700000000, "", 0}, back;
        memcpy(c.id, id, strlen(id) + 1);
        assert_true(cursor_encode(&c, text, sizeof(text)));
        assert_true(cursor_decode(text, &back));
        assert_string_equal(back.id, cases[i].id);
    }
    /* what no line can have is never spelled */
    static const struct cursor_group_key bad[] = {
        {"", "resource", "a"},        {"ptn-a", "resource", "a"}, {"ptn_a", "", "a"},
        {"ptn_a", "res-ource", "a"},  {"ptn_a", "resource", ""},  {"ptn_a", "resource", "A"},
        {"ptn_a", "resource", "a.b"},
    };
    char id[CURSOR_ID_MAX + 1];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (cursor_id_join(&bad[i], id, sizeof(id)))
            fail_msg("joined \"%s\"", id);
    struct cursor_group_key ok = {"ptn_a", "resource", "kit"};
    char exact[19]; /* "ptn_a-resource-kit" and its NUL */
    assert_false(cursor_id_join(&ok, exact, sizeof(exact) - 1)); /* no room */
    assert_true(cursor_id_join(&ok, exact, sizeof(exact)));
    assert_string_equal(exact, "ptn_a-resource-kit");
}

static void scopes(void **state)
{
    (void)state;
    uint32_t path = cursor_scope_path("/api/v1/admin/orders");
    uint32_t ab =
        cursor_scope_add(cursor_scope_add(path, "status", "confirmed"), "from", "2026-01-01");
    uint32_t ba =
        cursor_scope_add(cursor_scope_add(path, "from", "2026-01-01"), "status", "confirmed");
    assert_true(ab == ba); /* the filters' order does not matter */
    assert_true(path != cursor_scope_path("/api/v1/admin/wire-transfers"));
    assert_true(path != cursor_scope_path("/api/v1/admin/orders/x"));
    assert_true(ab != cursor_scope_add(path, "status", "confirmed")); /* one filter fewer */
    assert_true(cursor_scope_add(path, "status", "confirmed") !=
                cursor_scope_add(path, "status", "cancelled")); /* another value */
    assert_true(cursor_scope_add(path, "status", "") != path);  /* an empty filter */
    assert_true(cursor_scope_add(path, "a", "bc") != cursor_scope_add(path, "ab", "c"));
    assert_true(cursor_scope_path(NULL) == cursor_scope_path(""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trips),
        cmocka_unit_test(known_spelling),
        cmocka_unit_test(refuses_keys_no_row_has),
        cmocka_unit_test(refuses_garbled),
        cmocka_unit_test(limits),
        cmocka_unit_test(group_ids),
        cmocka_unit_test(scopes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
