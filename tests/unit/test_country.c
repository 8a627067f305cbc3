/* test_country.c - countries, their names, the EU and billing currencies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

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

/* Monaco is in France's VAT territory; every other country is its own. */
static void test_vat_territories(void **state)
{
    (void)state;
    assert_string_equal(country_vat_territory("MC"), "FR");
    assert_string_equal(country_vat_territory("FR"), "FR");
    assert_string_equal(country_vat_territory("DE"), "DE");
    assert_string_equal(country_vat_territory("CH"), "CH");
    assert_int_equal(vat_standard_rate(country_vat_territory("MC")), 2000);
}

/* Every assigned code has a French and an English name; the table is sorted (it is
 * searched by halves) and holds exactly the assigned codes. */
static void test_names(void **state)
{
    (void)state;
    static const struct {
        const char *code, *fr, *en;
    } cases[] = {
        {"FR", "France", "France"},
        {"DE", "Allemagne", "Germany"},
        {"GB", "Royaume-Uni", "United Kingdom"},
        {"US", "États-Unis", "United States"},
        {"BE", "Belgique", "Belgium"},
        {"CH", "Suisse", "Switzerland"},
        {"ES", "Espagne", "Spain"},
        {"IT", "Italie", "Italy"},
        {"NL", "Pays-Bas", "Netherlands"},
        {"GR", "Grèce", "Greece"},
        {"CI", "Côte d’Ivoire", "Côte d’Ivoire"},
        {"MA", "Maroc", "Morocco"},
        {"CA", "Canada", "Canada"},
        {"JP", "Japon", "Japan"},
        {"AD", "Andorre", "Andorra"},
        {"ZW", "Zimbabwe", "Zimbabwe"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_string_equal(country_name(cases[i].code, "fr"), cases[i].fr);
        assert_string_equal(country_name(cases[i].code, "en"), cases[i].en);
    }
    assert_string_equal(country_name("DE", NULL), "Allemagne"); /* French by default */
    assert_string_equal(country_name("DE", "de"), "Allemagne");
    assert_null(country_name("ZZ", "fr"));
    assert_null(country_name("XK", "en")); /* not assigned by ISO 3166-1 */
    assert_null(country_name("de", "fr"));
    assert_null(country_name("", "fr"));
    assert_null(country_name(NULL, "fr"));
    size_t valid = 0;
    for (int a = 'A'; a <= 'Z'; a++)
        for (int b = 'A'; b <= 'Z'; b++) {
            char code[3] = {(char)a, (char)b, '\0'};
            if (!country_valid(code))
                continue;
            valid++;
            assert_non_null(country_name(code, "fr"));
            assert_non_null(country_name(code, "en"));
            assert_string_not_equal(country_name(code, "fr"), code);
        }
    assert_int_equal(valid, country_names_count);
    for (size_t i = 1; i < country_names_count; i++)
        assert_true(strcmp(country_names[i - 1].code, country_names[i].code) < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_countries),
        cmocka_unit_test(test_currencies),
        cmocka_unit_test(test_vat_territories),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests_name("country", tests, NULL, NULL);
}
