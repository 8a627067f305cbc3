/* test_password.c - which passwords partnerd refuses (core/password), at the edges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/password.h"

static void test_verdicts(void **state)
{
    (void)state;
    static const struct {
        const char *password, *email, *company;
        enum password_verdict want;
    } cases[] = {
        {"password1234", NULL, NULL, PASSWORD_COMMON},
        {"Password1234!", NULL, NULL, PASSWORD_COMMON},
        {"2024password!!", NULL, NULL, PASSWORD_COMMON},
        {"123456789012", NULL, NULL, PASSWORD_COMMON},
        {"qwertyuiop12", NULL, NULL, PASSWORD_COMMON},
        {"iloveyou2026", NULL, NULL, PASSWORD_COMMON},
        {"aaaaaaaaaaaa", NULL, NULL, PASSWORD_COMMON},
        {"121212121212", NULL, NULL, PASSWORD_COMMON},
        {"abababababab", NULL, NULL, PASSWORD_COMMON},
        {"abcdefghijklm", NULL, NULL, PASSWORD_COMMON},
        {"9876543210987", NULL, NULL, PASSWORD_COMMON},
        {"730582619473", NULL, NULL, PASSWORD_OK},
        {"DRAGON-DRAGON", NULL, NULL, PASSWORD_COMMON},
        {"nora@northwind.example", "Nora@Northwind.example", NULL, PASSWORD_PERSONAL},
        {"my nora.admin pass", "nora.admin@x.example", NULL, PASSWORD_PERSONAL},
        {"noraadmin-2027", "nora.admin@x.example", NULL, PASSWORD_PERSONAL},
        {"fatou.admin-2027", "fatou.admin+12@fabrikam.example", NULL, PASSWORD_PERSONAL},
        {"I am diallo, hear me", "fatou.diallo@x.example", NULL, PASSWORD_PERSONAL},
        {"Northwind Traders 1", NULL, "Northwind Traders GmbH", PASSWORD_PERSONAL},
        {"contoso-rocks-27", NULL, "Contoso Conseil", PASSWORD_PERSONAL},
        {"twelve chars min", "nora@northwind.example", "Northwind Traders GmbH", PASSWORD_OK},
        {"correct horse battery", "ann@x.example", "ACME", PASSWORD_OK},
        {"Zoë's jardin d'hiver", NULL, NULL, PASSWORD_OK},
        {"a long enough password", "bob@x.example", "Bob SARL", PASSWORD_OK},
        {"staff password 9f3a2c", "ops@partnerd.example", NULL, PASSWORD_OK},
        {"partnerd-demo-2027", "admin@contoso.example", "Contoso Conseil", PASSWORD_OK},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        enum password_verdict got =
            password_judge(cases[i].password, cases[i].email, cases[i].company);
        if (got != cases[i].want)
            fail_msg("%s: got %d, want %d", cases[i].password, got, cases[i].want);
    }
}

static void test_list(void **state)
{
    (void)state;
    assert_true(password_listed("123456"));
    assert_true(password_listed("password"));
    assert_true(password_listed("dragon"));
    assert_true(password_listed("geekboy"));   /* the list's last line */
    assert_false(password_listed("geekbo"));   /* a line's start is not the line */
    assert_false(password_listed("geekboyz")); /* nor a longer one */
    assert_false(password_listed(""));
    assert_false(password_listed("correct horse battery staple 2027"));
    assert_false(password_listed("xq7-vault-lark"));
}

/* Lengths count characters, as the message says ("12 to 128 characters"), not bytes. */
static void test_length_counts_characters(void **state)
{
    (void)state;
    char s[PASSWORD_MAX_BYTES + 8] = "";
    assert_false(password_length_valid(NULL));
    assert_false(password_length_valid("eleven char"));
    assert_true(password_length_valid("twelve chars"));
    assert_false(password_length_valid("àéîôùç")); /* 6 characters, 12 bytes */
    assert_false(password_length_valid("été à noël")); /* 10 characters, 14 bytes */
    assert_true(password_length_valid("été à noël 27"));
    for (int i = 0; i < PASSWORD_MAX; i++)
        strcat(s, "€"); /* 128 characters, 384 bytes */
    assert_true(password_length_valid(s));
    strcat(s, "x");
    assert_false(password_length_valid(s));
    memset(s, 'a', PASSWORD_MAX);
    s[PASSWORD_MAX] = '\0';
    assert_true(password_length_valid(s));
    strcat(s, "a");
    assert_false(password_length_valid(s));
}

/* A long password in a script of two-byte letters is judged whole: the company's name at
 * its end, past 128 bytes, is found. */
static void test_long_password_judged_whole(void **state)
{
    (void)state;
    const char *greek = "καλημέρα σε όλους "
                        "τους φίλους μας "
                        "στο γραφείο της "
                        "αθήνας και του "
                        "πειραιά contoso";
    assert_true(strlen(greek) > 129);
    assert_true(password_length_valid(greek));
    assert_int_equal(password_judge(greek, "ana@example.com", "Contoso SARL"), PASSWORD_PERSONAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verdicts),
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_length_counts_characters),
        cmocka_unit_test(test_long_password_judged_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
