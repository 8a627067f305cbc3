/* test_http_client.c - who is calling: the language picked from Accept-Language, and the
 * path as the access log shows it (bearer secrets in a path never reach the log). The
 * client's address behind trusted proxies is tested end to end (tests/e2e/proxy.test.mjs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "http/client.h"

static void test_language(void **state)
{
    (void)state;
    static const struct {
        const char *accept;
        const char *want;
    } rows[] = {
        {NULL, "fr"},
        {"", "fr"},
        {"en", "en"},
        {"EN-gb", "en"},
        {"en-US,en;q=0.9", "en"},
        {"fr-FR,fr;q=0.9,en;q=0.8", "fr"},
        {"de-DE, en;q=0.5", "en"}, /* the first one partnerd speaks */
        {"de, es", "fr"},          /* none: the program owner's language */
        {"eng", "fr"},             /* not "en" */
        {"french", "fr"},
        {"enx,en", "en"},
        {" ,, en", "en"},
        {"*", "fr"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const char *got = http_language(rows[i].accept);
        if (strcmp(got, rows[i].want) != 0)
            fail_msg("Accept-Language \"%s\": %s, want %s", rows[i].accept ? rows[i].accept : "(none)",
                     got, rows[i].want);
    }
}

static void test_path_for_log(void **state)
{
    (void)state;
    char out[512];
    static const struct {
        const char *path;
        const char *want;
    } rows[] = {
        {NULL, "-"},
        {"/api/v1/partners", "/api/v1/partners"},
        {"/api/v1/orders/ord_01HZX4", "/api/v1/orders/ord_01HZX4"},
        /* an invitation token (43 characters of base64url) */
        {"/invitations/Zk3hS0_dP-q8uV2nWmXy7bR4tLcA9eJfGiHoKpNsQwE",
         "/invitations/-redacted-"},
        {"/api/v1/invitations/Zk3hS0_dP-q8uV2nWmXy7bR4tLcA9eJfGiHoKpNsQwE/accept",
         "/api/v1/invitations/-redacted-/accept"},
        /* 64 hex characters: a secret too; 31 characters: not */
        {"/x/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "/x/-redacted-"},
        {"/x/0123456789abcdef0123456789abcde", "/x/0123456789abcdef0123456789abcde"},
        /* long, but not a token: a dot is not base64url */
        {"/x/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.pdf",
         "/x/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.pdf"},
        {"/", "/"},
        {"//a//", "//a//"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const char *got = http_path_for_log(rows[i].path, out, sizeof(out));
        if (strcmp(got, rows[i].want) != 0)
            fail_msg("path \"%s\": \"%s\", want \"%s\"", rows[i].path ? rows[i].path : "(null)",
                     got, rows[i].want);
    }
}

/* A path longer than the log keeps is cut, never overflows, and is still redacted. */
static void test_long_path_is_cut(void **state)
{
    (void)state;
    char path[4096], out[128];
    memset(path, 'a', sizeof(path) - 1);
    path[0] = '/';
    path[sizeof(path) - 1] = '\0';
    http_path_for_log(path, out, sizeof(out));
    assert_true(strlen(out) < sizeof(out));
    assert_string_equal(http_path_for_log(path, out, sizeof(out)), "/-redacted-");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_language),
        cmocka_unit_test(test_path_for_log),
        cmocka_unit_test(test_long_path_is_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
