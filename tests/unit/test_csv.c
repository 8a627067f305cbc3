/* test_csv.c - reading uploaded CSV files: lines as an editor counts them, fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/csv.h"

static void test_lines(void **state)
{
    (void)state;
    char text[] = "header\r\nfirst\n\nthird\r\n\r\nlast";
    const char *want[] = {"header", "first", "", "third", "", "last"};
    char *cursor = text, *l;
    int n = 0;
    while ((l = csv_next_line(&cursor)) != NULL) {
        assert_true(n < 6);
        assert_string_equal(l, want[n]);
        n++;
    }
    assert_int_equal(n, 6); /* "last" without a newline still counts; blank lines too */
    char empty[] = "";
    cursor = empty;
    assert_null(csv_next_line(&cursor));
    char one[] = "only\n";
    cursor = one;
    assert_string_equal(csv_next_line(&cursor), "only");
    assert_null(csv_next_line(&cursor));
}

static void test_split(void **state)
{
    (void)state;
    char line[] = " 2027-06-23 , 588.00,EUR ,  RF18 5390 0754 7034 ";
    char *f[4];
    assert_int_equal(csv_split(line, f, 4), 4);
    assert_string_equal(f[0], "2027-06-23");
    assert_string_equal(f[1], "588.00");
    assert_string_equal(f[2], "EUR");
    assert_string_equal(f[3], "RF18 5390 0754 7034"); /* inner spaces stay */
    char more[] = "a,b,c,d,e";
    assert_int_equal(csv_split(more, f, 4), 5);
    char fewer[] = "a,,c";
    assert_int_equal(csv_split(fewer, f, 4), 3);
    assert_string_equal(f[1], "");
    char blank[] = "   ";
    assert_int_equal(csv_split(blank, f, 4), 1);
    assert_string_equal(f[0], "");
}

static void test_bom_and_quotes(void **state)
{
    (void)state;
    char bom[] = "\xEF\xBB\xBFkey\r\nAAAAA";
    assert_string_equal(csv_skip_bom(bom), "key\r\nAAAAA");
    char none[] = "key";
    assert_ptr_equal(csv_skip_bom(none), none);
    char quoted[] = "\"AAAAA-11111\"";
    assert_string_equal(csv_unquote(quoted), "AAAAA-11111");
    char inner[] = "\"a\"\"b\"";
    assert_string_equal(csv_unquote(inner), "a\"b");
    char empty[] = "\"\"";
    assert_string_equal(csv_unquote(empty), "");
    char lone[] = "\"a\"b\"";
    assert_string_equal(csv_unquote(lone), "\"a\"b\""); /* not one quoted field: as it is */
    char plain[] = "AAAAA";
    assert_string_equal(csv_unquote(plain), "AAAAA");
    char one[] = "\"";
    assert_string_equal(csv_unquote(one), "\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_bom_and_quotes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
