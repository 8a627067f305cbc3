/* test_card.c - card checks and RF creditor references. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/card.h"
#include "core/country.h"

static void test_luhn_and_brands(void **state)
{
    (void)state;
    char d[24];
    static const char *good[] = {"4242 4242 4242 4242", "4000-0000-0000-0002", "4000000000009995",
                                 "4000000000000119",    "5555555555554444",    "378282246310005",
                                 "2223003122003222"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_true(card_digits(good[i], d, sizeof(d)));
        assert_true(card_luhn_ok(d));
    }
    assert_true(card_digits("4242424242424241", d, sizeof(d)));
    assert_false(card_luhn_ok(d));
    assert_false(card_digits("4242 4242 4242 424x", d, sizeof(d)));
    assert_false(card_digits("42424242", d, sizeof(d)));
    assert_false(card_digits("42424242424242424242", d, sizeof(d)));
    assert_false(card_digits(NULL, d, sizeof(d)));
    card_digits("4242424242424242", d, sizeof(d));
    assert_string_equal(card_brand(d), "visa");
    card_digits("5555555555554444", d, sizeof(d));
    assert_string_equal(card_brand(d), "mastercard");
    card_digits("2223003122003222", d, sizeof(d));
    assert_string_equal(card_brand(d), "mastercard");
    card_digits("378282246310005", d, sizeof(d));
    assert_string_equal(card_brand(d), "amex");
    card_digits("6011111111111117", d, sizeof(d));
    assert_string_equal(card_brand(d), "card");
}

static void test_card_numbers_in_text(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        bool pan;
    } cases[] = {
        {"4242 4242 4242 4242", true},
        {"4242424242424242", true},
        {"card: 4000-0025-0000-3155 please", true},
        {"378282246310005", true},              /* amex, 15 digits */
        {"{\"n\":\"5555555555554444\"}", true}, /* inside JSON text */
        {"4242 4242 4242 4241", false},         /* Luhn fails */
        {"+33 1 23 45 67 89", false},           /* a phone number: too short */
        {"424242424242", false},                /* 12 digits */
        {"42424242424242424242", false},        /* 20 digits: not a card */
        {"4242  4242 4242 4242", false},        /* two spaces split the run */
        {"ord_4242424242424242", false},        /* part of an id */
        {"4242424242424242x", false},
        {"", false},
        {"RF18539007547034", false}, /* a creditor reference */
        {"18539007547034", true},    /* the same digits alone pass Luhn */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (card_pan_in(cases[i].text) != cases[i].pan)
            fail_msg("card_pan_in(\"%s\") should be %d", cases[i].text, cases[i].pan);
    assert_false(card_pan_in(NULL));
}

static void test_expiry(void **state)
{
    (void)state;
    struct date today = {2027, 6, 30};
    assert_true(card_not_expired(6, 2027, today)); /* valid through the end of its month */
    assert_false(card_not_expired(5, 2027, today));
    assert_true(card_not_expired(1, 2028, today));
    assert_false(card_not_expired(12, 2026, today));
    assert_false(card_not_expired(13, 2028, today));
    assert_false(card_not_expired(0, 2028, today));
}

static void test_rf_references(void **state)
{
    (void)state;
    char out[32];
    /* ISO 11649's own example */
    assert_true(rf_reference("539007547034", out, sizeof(out)));
    assert_string_equal(out, "RF18539007547034");
    assert_true(rf_reference_valid("RF18 5390 0754 7034"));
    assert_false(rf_reference_valid("RF19539007547034"));
    assert_true(rf_reference("ORD7K2M9QX", out, sizeof(out)));
    assert_true(rf_reference_valid(out));
    assert_false(rf_reference("", out, sizeof(out)));
    assert_false(rf_reference("has space", out, sizeof(out)));
    assert_false(rf_reference("1234567890123456789012", out, sizeof(out)));
    assert_false(rf_reference_valid("XX18539007547034"));
    assert_false(rf_reference_valid(NULL));
    assert_false(rf_reference_valid("RF18 5390-0754 7034"));
    assert_false(rf_reference_valid("RF18 5390 0754 7034 0000 0000 0000 0000 0000 0000 0000 00"));
    /* as references are kept and compared: no spaces, capitals; cut to fit */
    rf_compact("rf18 5390 0754 7034", out, sizeof(out));
    assert_string_equal(out, "RF18539007547034");
    rf_compact("rf18\t5390\n0754 7034\r\n", out, sizeof(out)); /* pasted from a statement */
    assert_string_equal(out, "RF18539007547034");
    rf_compact("rf47 unknown 0001", out, 8);
    assert_string_equal(out, "RF47UNK");
    rf_compact(NULL, out, sizeof(out));
    assert_string_equal(out, "");
}

static void test_vat_rates(void **state)
{
    (void)state;
    assert_int_equal(vat_standard_rate("FR"), 2000);
    assert_int_equal(vat_standard_rate("DE"), 1900);
    assert_int_equal(vat_standard_rate("HU"), 2700);
    assert_int_equal(vat_standard_rate("FI"), 2550);
    assert_int_equal(vat_standard_rate("GB"), -1);
    assert_int_equal(vat_standard_rate("US"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_luhn_and_brands),
        cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_card_numbers_in_text),
        cmocka_unit_test(test_rf_references),
        cmocka_unit_test(test_vat_rates),
    };
    return cmocka_run_group_tests_name("card", tests, NULL, NULL);
}
