/* test_country.c - countries, the EU and billing currencies. */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_countries),
        cmocka_unit_test(test_currencies),
    };
    return cmocka_run_group_tests_name("country", tests, NULL, NULL);
}
