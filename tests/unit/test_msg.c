/* test_msg.c - the message catalog (core/msg): every text in every language, holes that
 * match, and the error table and field problems worded in the caller's language. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/error.h"
#include "core/msg.h"

/* A bit per hole {0}..{9} that text uses. */
static unsigned holes(const char *text)
{
    unsigned set = 0;
    for (const char *p = text; *p; p++)
        if (p[0] == '{' && p[1] >= '0' && p[1] <= '9' && p[2] == '}')
            set |= 1u << (p[1] - '0');
    return set;
}

static void test_every_message_in_every_language(void **state)
{
    (void)state;
    for (int id = 0; id < MSG__COUNT; id++) {
        const char *key = msg_key((enum msg_id)id);
        assert_true(key[0] != '\0');
        assert_int_equal(msg_find(key), id);
        unsigned want = holes(msg_text((enum msg_id)id, "fr"));
        for (int l = 0; l < LANG__COUNT; l++) {
            const char *text = msg_text((enum msg_id)id, msg_lang_tag((enum msg_lang)l));
            if (text[0] == '\0' || holes(text) != want)
                fail_msg("%s: empty, or other holes, in %s", key, msg_lang_tag((enum msg_lang)l));
        }
    }
    assert_int_equal(msg_find("NO_SUCH_MESSAGE"), -1);
}

static void test_languages(void **state)
{
    (void)state;
    assert_int_equal(msg_lang("en"), LANG_EN);
    assert_int_equal(msg_lang("en-GB"), LANG_EN);
    assert_int_equal(msg_lang("fr"), LANG_FR);
    assert_int_equal(msg_lang(NULL), LANG_FR);
    assert_int_equal(msg_lang("de"), LANG_FR);
    assert_string_equal(msg_text(MSG_FIELD_REQUIRED, "en"), "required");
    assert_string_equal(msg_text(MSG_FIELD_REQUIRED, "fr"), "obligatoire");
}

static void test_fill(void **state)
{
    (void)state;
    char out[64];
    const char *args[] = {"1", "36"};
    assert_string_equal(msg_fill(out, sizeof(out), "de {0} à {1}", args, 2), "de 1 à 36");
    assert_string_equal(msg_fill(out, sizeof(out), "{1} then {0}", args, 2), "36 then 1");
    assert_string_equal(msg_fill(out, sizeof(out), "hole {2}.", args, 2), "hole .");
    assert_string_equal(msg_fill(out, sizeof(out), "{kind, fr} {x}", NULL, 0), "{kind, fr} {x}");
    assert_string_equal(msg_fill(out, 6, "{0}{1}", args, 2), "136");
    assert_string_equal(msg_fill(out, 3, "abcdef", NULL, 0), "ab");
}

static void test_every_error_has_words(void **state)
{
    (void)state;
    int known = 0;
    for (int s = 0; s > -PD_E__COUNT; s--) {
        if (!pd_status_known((enum pd_status)s))
            continue;
        known++;
        const char *fr = pd_status_message((enum pd_status)s, "fr");
        const char *en = pd_status_message((enum pd_status)s, "en");
        assert_true(fr[0] != '\0' && en[0] != '\0');
        if (s != 0)
            assert_string_not_equal(fr, en);
    }
    assert_true(known >= 50);
    assert_string_equal(pd_status_code(PD_E_RENEWAL_NOT_OPEN), "renewal_not_open");
    assert_string_equal(pd_status_code((enum pd_status) - 129), "internal_error");
    /* the database failing is not a rule refusing */
    assert_true(pd_status_is_failure(PD_E_DB));
    assert_true(pd_status_is_failure(PD_E_DB_BUSY));
    assert_false(pd_status_is_failure(PD_E_RENEWAL_NOT_OPEN));
    assert_false(pd_status_is_failure(PD_E_NOT_FOUND));
}

static void test_field_problems_worded_when_written(void **state)
{
    (void)state;
    struct pd_error err = {0};
    pd_fail_field(&err, PD_E_INVALID_REQUEST, "company", MSG_FIELD_TEXT_LINE, "200");
    json_t *fr = pd_details_localized(err.details, "fr");
    json_t *en = pd_details_localized(err.details, "en");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(fr, "fields"), "company")),
        "de 1 à 200 caractères, sur une seule ligne");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(en, "fields"), "company")),
        "must be 1 to 200 characters on one line");
    json_decref(fr);
    json_decref(en);
    pd_error_clear(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_message_in_every_language),
        cmocka_unit_test(test_languages),
        cmocka_unit_test(test_fill),
        cmocka_unit_test(test_every_error_has_words),
        cmocka_unit_test(test_field_problems_worded_when_written),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
