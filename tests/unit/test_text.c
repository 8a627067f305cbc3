/* test_text.c - the checks every user-supplied string goes through (core/text). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/text.h"

#define UTF8(s) text_utf8_valid(s, sizeof(s) - 1)

/* Well-formed UTF-8 per Unicode table 3-7, at each edge of each range. */
static void test_utf8(void **state)
{
    (void)state;
    assert_true(UTF8(""));
    assert_true(UTF8("Relevé de compte, 490,00 €"));
    assert_true(UTF8("a\0b"));           /* NUL is a character here; the caller decides */
    assert_true(UTF8("\xc2\x80"));       /* U+0080, the first two-byte character */
    assert_true(UTF8("\xe0\xa0\x80"));   /* U+0800 */
    assert_true(UTF8("\xed\x9f\xbf"));   /* U+D7FF, just below the surrogates */
    assert_true(UTF8("\xee\x80\x80"));   /* U+E000, just above them */
    assert_true(UTF8("\xf0\x90\x80\x80")); /* U+10000 */
    assert_true(UTF8("\xf4\x8f\xbf\xbf")); /* U+10FFFF, the last */

    assert_false(UTF8("\x80"));             /* a lone continuation byte */
    assert_false(UTF8("\xc0\xaf"));         /* overlong '/' */
    assert_false(UTF8("\xc1\xbf"));
    assert_false(UTF8("\xe0\x9f\xbf"));     /* overlong three-byte */
    assert_false(UTF8("\xed\xa0\x80"));     /* U+D800, a surrogate */
    assert_false(UTF8("\xf0\x8f\xbf\xbf")); /* overlong four-byte */
    assert_false(UTF8("\xf4\x90\x80\x80")); /* above U+10FFFF */
    assert_false(UTF8("\xf5\x80\x80\x80"));
    assert_false(UTF8("\xff"));
    assert_false(UTF8("\xe2\x82"));         /* cut short at the end */
    assert_false(UTF8("\xe2\x82\x41"));     /* a non-continuation inside */
    assert_false(UTF8("%PDF-\xff\xfe"));    /* binary is not text */
}

/* Cutting to fit: never inside a character. */
static void test_fit(void **state)
{
    (void)state;
    const char *s = "caf\xc3\xa9s \xe2\x82\xac"; /* "cafés €": 6 + 1 + 3 bytes */
    assert_int_equal(text_utf8_fit(s, strlen(s), 20), strlen(s)); /* it all fits */
    assert_int_equal(text_utf8_fit(s, strlen(s), 5), 5);  /* after "é" */
    assert_int_equal(text_utf8_fit(s, strlen(s), 4), 3);  /* "é" would be cut: before it */
    assert_int_equal(text_utf8_fit(s, strlen(s), 8), 7);  /* "€" would be cut */
    assert_int_equal(text_utf8_fit(s, strlen(s), 7), 7);
    assert_int_equal(text_utf8_fit("\x80\x80\x80", 3, 2), 0); /* nothing whole fits */
    assert_int_equal(text_utf8_fit("", 0, 0), 0);
}

static void test_line(void **state)
{
    (void)state;
    assert_true(text_line_valid("Facture introuvable", 200));
    assert_true(text_line_valid(" x ", 3));
    /* limits count characters, not bytes: 16 characters in 20 bytes */
    assert_true(text_line_valid("Société Générale", 16));
    assert_false(text_line_valid("Société Générale", 15));
    char e101[203] = "", e100[201] = "";
    for (int i = 0; i < 101; i++)
        strcat(e101, "é");
    for (int i = 0; i < 100; i++)
        strcat(e100, "é");
    assert_true(text_line_valid(e100, 100));
    assert_false(text_line_valid(e101, 100));
    assert_false(text_line_valid(NULL, 10));
    assert_false(text_line_valid("", 10));
    assert_false(text_line_valid("   ", 10));
    assert_false(text_line_valid("a\nb", 10));
    assert_false(text_line_valid("a\tb", 10));
    assert_false(text_line_valid("a\x7f", 10));
    assert_false(text_line_valid("caf\xc3", 10));
    assert_false(text_line_valid("\xed\xa0\x80", 10));
}

/* A text of several lines counts characters too: 10 000 "é" are 20 000 bytes. */
static void test_long(void **state)
{
    (void)state;
    static char e[2 * 10001 + 1];
    for (int i = 0; i < 10000; i++)
        memcpy(e + 2 * i, "é", 2);
    assert_true(text_long_valid(e, 10000));
    memcpy(e + 2 * 10000, "é", 2);
    assert_false(text_long_valid(e, 10000));
    assert_true(text_long_valid("Bonjour,\n\n\tmerci.", 20));
    assert_false(text_long_valid("", 10));
    assert_false(text_long_valid(NULL, 10));
    assert_false(text_long_valid("caf\xc3", 10));
}

static void test_email(void **state)
{
    (void)state;
    assert_true(text_email_valid("camille.martin@contoso.example"));
    assert_true(text_email_valid("a+tag@sub.domain.example"));
    assert_false(text_email_valid(NULL));
    assert_false(text_email_valid(""));
    assert_false(text_email_valid("no-at.example"));
    assert_false(text_email_valid("@contoso.example"));
    assert_false(text_email_valid("a@b@contoso.example"));
    assert_false(text_email_valid("a@localhost"));
    assert_false(text_email_valid("a@.example"));
    assert_false(text_email_valid("a@contoso..example"));
    assert_false(text_email_valid("a@contoso.example."));
    assert_false(text_email_valid("a b@contoso.example"));
    assert_false(text_email_valid("<a@contoso.example>"));
    char local[80];
    memset(local, 'x', 65);
    strcpy(local + 65, "@c.example");
    assert_false(text_email_valid(local)); /* a local part over 64 bytes */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_fit),
        cmocka_unit_test(test_line),
        cmocka_unit_test(test_long),
        cmocka_unit_test(test_email),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
