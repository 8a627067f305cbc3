/* test_money.c - minor units, VAT rounding and fr/en formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "core/money.h"

#define NNBSP "\xE2\x80\xAF"
#define NBSP "\xC2\xA0"

static void test_currency_exponents(void **state)
{
    (void)state;
    assert_int_equal(money_currency("EUR")->exponent, 2);
    assert_int_equal(money_currency("USD")->exponent, 2);
    assert_int_equal(money_currency("GBP")->exponent, 2);
    assert_int_equal(money_currency("JPY")->exponent, 0);
    assert_int_equal(money_currency("KWD")->exponent, 3);
    assert_int_equal(money_currency("TND")->exponent, 3);
    assert_null(money_currency("eur"));
    assert_null(money_currency("XXX"));
    assert_null(money_currency(NULL));
}

static void test_rate_rounds_half_up(void **state)
{
    (void)state;
    static const struct {
        int64_t amount;
        int32_t rate;
        int64_t want;
    } cases[] = {
        {49000, 2000, 9800}, /* 490,00 at 20 % */
        {12345, 2000, 2469}, /* 2469.0 */
        {12347, 2000, 2469}, /* 2469.4 down */
        {12348, 2000, 2470}, /* 2469.6 up */
        {5, 1000, 1},        /* 0.5: half goes up */
        {4, 1250, 1},        /* 0.5 */
        {9, 550, 0},         /* 0.495 */
        {10, 550, 1},        /* 0.55 */
        {-5, 1000, -1},      /* a credit note mirrors its invoice */
        {-12348, 2000, -2470},
        {0, 2000, 0},
        {49000, 0, 0},       /* reverse charge */
        {100, 10000, 100},
        {1, 1, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t got = -999;
        assert_int_equal(money_apply_rate(cases[i].amount, cases[i].rate, &got), 0);
        assert_int_equal(got, cases[i].want);
    }
}

static void test_rate_and_sum_overflow(void **state)
{
    (void)state;
    int64_t out;
    assert_int_equal(money_apply_rate(INT64_MAX, 2000, &out), PD_E_OVERFLOW);
    assert_int_equal(money_apply_rate(INT64_MIN, 2000, &out), PD_E_OVERFLOW);
    assert_int_equal(money_apply_rate(100, -1, &out), PD_E_OVERFLOW);
    assert_int_equal(money_apply_rate(INT64_MAX / 10000, 10000, &out), 0);
    assert_int_equal(money_add(INT64_MAX, 1, &out), PD_E_OVERFLOW);
    assert_int_equal(money_add(INT64_MIN, -1, &out), PD_E_OVERFLOW);
    assert_int_equal(money_add(40, 2, &out), 0);
    assert_int_equal(out, 42);
}

static void test_format(void **state)
{
    (void)state;
    static const struct {
        int64_t amount;
        const char *cur, *lang, *want;
    } cases[] = {
        {49000, "EUR", "fr", "490,00" NBSP "€"},
        {123456, "EUR", "fr", "1" NNBSP "234,56" NBSP "€"},
        {123456, "EUR", "en", "€1,234.56"},
        {-123456, "EUR", "fr", "-1" NNBSP "234,56" NBSP "€"},
        {-123456, "EUR", "en", "-€1,234.56"},
        {0, "EUR", "fr", "0,00" NBSP "€"},
        {5, "EUR", "en", "€0.05"},
        {-5, "EUR", "en", "-€0.05"},
        {100000000, "USD", "en", "$1,000,000.00"},
        {100000000, "USD", "fr", "1" NNBSP "000" NNBSP "000,00" NBSP "$US"},
        {99999, "GBP", "en", "£999.99"},
        {1235, "JPY", "en", "¥1,235"},
        {1235, "JPY", "fr", "1" NNBSP "235" NBSP "JPY"},
        {1234567, "KWD", "en", "KWD" NBSP "1,234.567"},
        {1234567, "KWD", "fr", "1" NNBSP "234,567" NBSP "KWD"},
        {1, "KWD", "en", "KWD" NBSP "0.001"},
        {123456, "EUR", "de", "1" NNBSP "234,56" NBSP "€"}, /* unknown language: French */
    };
    char out[64];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(money_format(cases[i].amount, cases[i].cur, cases[i].lang, out,
                                      sizeof(out)), 0);
        assert_string_equal(out, cases[i].want);
    }
}

static void test_format_extremes_and_errors(void **state)
{
    (void)state;
    char out[64], tiny[4];
    assert_int_equal(money_format(INT64_MIN, "EUR", "en", out, sizeof(out)), 0);
    assert_string_equal(out, "-€92,233,720,368,547,758.08");
    assert_int_equal(money_format(INT64_MAX, "JPY", "fr", out, 48), 0);
    assert_int_equal(money_format(100, "XXX", "fr", out, sizeof(out)), PD_E_UNKNOWN_CURRENCY);
    assert_int_equal(money_format(123456, "EUR", "en", tiny, sizeof(tiny)), PD_E_OVERFLOW);
}

/* Amounts typed in major units (a bank statement): exact, at most the currency's
 * decimals, nothing else accepted. */
static void test_parse_major(void **state)
{
    (void)state;
    const struct currency *eur = money_currency("EUR"), *jpy = money_currency("JPY"),
                          *kwd = money_currency("KWD");
    struct {
        const struct currency *cur;
        const char *text;
        int rc;
        int64_t want;
    } rows[] = {
        {eur, "588.00", 0, 58800}, {eur, "588,00", 0, 58800}, {eur, "588", 0, 58800},
        {eur, "588.5", 0, 58850},  {eur, "0.01", 0, 1},       {eur, "0", 0, 0},
        {eur, "588.001", -1, 0},   {eur, "588.", -1, 0},      {eur, ".50", -1, 0},
        {eur, "-5.00", -1, 0},     {eur, "+5", -1, 0},        {eur, "1 000.00", -1, 0},
        {eur, "5e3", -1, 0},       {eur, "", -1, 0},          {eur, "12,34.5", -1, 0},
        {jpy, "1500", 0, 1500},    {jpy, "1500.0", -1, 0},    {kwd, "1.234", 0, 1234},
        {kwd, "1.2", 0, 1200},     {kwd, "1.2345", -1, 0},
        {eur, "92233720368547758.07", 0, INT64_MAX},
        {eur, "92233720368547758.08", -1, 0}, /* one past int64 */
        {eur, "99999999999999999999", -1, 0},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        int64_t got = 0;
        int rc = money_parse_major(rows[i].text, rows[i].cur, &got);
        if (rc != rows[i].rc || (rc == 0 && got != rows[i].want))
            fail_msg("%s %s: rc %d got %lld, want rc %d %lld", rows[i].cur->code, rows[i].text, rc,
                     (long long)got, rows[i].rc, (long long)rows[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_currency_exponents),
        cmocka_unit_test(test_rate_rounds_half_up),
        cmocka_unit_test(test_rate_and_sum_overflow),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_extremes_and_errors),
        cmocka_unit_test(test_parse_major),
    };
    return cmocka_run_group_tests_name("money", tests, NULL, NULL);
}
