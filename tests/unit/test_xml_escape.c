/* test_xml_escape.c - what each renderer's flags escape, keep and drop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/xml_escape.h"

#define PAIN001 (XML_ESCAPE_QUOT | XML_ESCAPE_APOS)
#define FACTURX (XML_ESCAPE_QUOT | XML_ESCAPE_DROP_CONTROLS)
#define XMP XML_ESCAPE_DROP_CONTROLS

static void test_table(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        unsigned flags;
        const char *want;
    } rows[] = {
        {"", 0, ""},
        {NULL, XML_ESCAPE_HTML, ""},
        {"Smith & Sons <LLC>", 0, "Smith &amp; Sons &lt;LLC&gt;"},
        {"&amp;", PAIN001, "&amp;amp;"}, /* an entity in the text is text */
        {"l'\"été\"", 0, "l'\"été\""},
        {"l'\"été\"", PAIN001, "l&apos;&quot;été&quot;"},
        {"l'\"été\"", XML_ESCAPE_HTML, "l&#39;&quot;été&quot;"},
        {"l'\"été\"", FACTURX, "l'&quot;été&quot;"},
        {"l'\"été\"", XMP, "l'\"été\""},
        {"a\nb\tc", XML_ESCAPE_HTML, "a<br>b\tc"},
        {"a\nb\tc", FACTURX, "a\nb\tc"},
        {"a\x01"
         "b\rc\x1f"
         "d\x7f",
         XMP, "abcd\x7f"},
        {"a\x01"
         "b\rc",
         FACTURX, "abc"},
        {"a\x01"
         "b\rc",
         PAIN001,
         "a\x01"
         "b\rc"},
        {"€ <", XML_ESCAPE_HTML, "€ &lt;"},
        /* U+FFFE and U+FFFF are no XML character: a Factur-X or XMP parser refuses them */
        {"A\xEF\xBF\xBE"
         "B\xEF\xBF\xBF"
         "C\xEF\xBF\xBD",
         FACTURX, "ABC\xEF\xBF\xBD"},
        {"A\xEF\xBF\xBF"
         "B",
         XMP, "AB"},
        {"A\xEF\xBF\xBF", PAIN001, "A\xEF\xBF\xBF"},
        {"\xEF\xBF", FACTURX, "\xEF\xBF"}, /* cut short: no byte read past the end */
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct buf b = {0};
        xml_escape(&b, rows[i].in, rows[i].flags);
        const char *got = b.data ? b.data : "";
        if (strcmp(got, rows[i].want) != 0)
            fail_msg("row %zu: \"%s\", want \"%s\"", i, got, rows[i].want);
        buf_free(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
    };
    return cmocka_run_group_tests_name("xml_escape", tests, NULL, NULL);
}
