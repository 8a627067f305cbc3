/* test_country.c - countries, the EU, billing currencies and VAT ID formats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/country.h"

static void test_countries(void **state)
{
    (void)state;
    assert_true(country_valid("FR"));
    assert_true(country_valid("ZW")); /* the last of the list */
    assert_true(country_valid("AD")); /* the first */
    assert_false(country_valid("ZZ"));
    assert_false(country_valid("XK")); /* not assigned by ISO 3166-1 */
    assert_false(country_valid("fr"));
    assert_false(country_valid("FRA"));
    assert_false(country_valid(""));
    assert_false(country_valid(NULL));
    assert_true(country_in_eu("SK"));
    assert_true(country_in_eu("AT"));
    assert_false(country_in_eu("GB"));
    assert_false(country_in_eu("CH"));
    assert_false(country_in_eu("ZW"));
}

static void test_currencies(void **state)
{
    (void)state;
    assert_string_equal(country_currency("FR"), "EUR");
    assert_string_equal(country_currency("BG"), "EUR"); /* euro since 2026 */
    assert_string_equal(country_currency("SE"), "EUR"); /* EU outside the euro area */
    assert_string_equal(country_currency("MC"), "EUR");
    assert_string_equal(country_currency("GB"), "GBP");
    assert_string_equal(country_currency("US"), "USD");
    assert_string_equal(country_currency("JP"), "USD");
}

static void test_vat_ids(void **state)
{
    (void)state;
    char out[40];
    static const struct {
        const char *country, *in, *want;
    } good[] = {
        {"FR", "FR 40 303 265 045", "FR40303265045"}, {"FR", "fr4a303265045", "FR4A303265045"},
        {"DE", "DE123456789", "DE123456789"},        {"GR", "EL123456789", "EL123456789"},
        {"AT", "ATU12345678", "ATU12345678"},        {"NL", "NL123456789B01", "NL123456789B01"},
        {"ES", "ESX1234567X", "ESX1234567X"},        {"BE", "BE0123.456.789", "BE0123456789"},
        {"RO", "RO12", "RO12"},                      {"SE", "SE123456789001", "SE123456789001"},
        {"IE", "IE1234567WA", "IE1234567WA"},        {"GB", "GB123456789", "GB123456789"},
        {"US", "12-3456789", "123456789"},
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_true(vat_id_normalise(good[i].country, good[i].in, out, sizeof(out)));
        assert_string_equal(out, good[i].want);
    }
    static const struct {
        const char *country, *in;
    } bad[] = {
        {"FR", "FR123"},         {"FR", "DE123456789"},   {"DE", "DE12345678"},
        {"GR", "GR123456789"},   {"AT", "AT12345678"},    {"NL", "NL123456789A01"},
        {"SE", "SE123456789002"}, {"FR", "FR40303265045!"}, {"FR", ""},
        {"FR", "F"},             {"US", "1"},             {"ZW", "Z/W"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(vat_id_normalise(bad[i].country, bad[i].in, out, sizeof(out)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_countries),
        cmocka_unit_test(test_currencies),
        cmocka_unit_test(test_vat_ids),
    };
    return cmocka_run_group_tests_name("country", tests, NULL, NULL);
}
