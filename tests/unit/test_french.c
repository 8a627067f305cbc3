/* test_french.c - a French partner never reads English (issue 17): every error of the
 * error table and every validation message of the catalog has a French wording of its
 * own, with no English word in it, and an error answer's field problems come out in
 * French for a French caller. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/msg.h"

/* Words that give English away; none is French. */
static const char *const english[] = {
    "the",     "must",   "not",     "is",    "are",    "be",   "valid", "characters", "number",
    "only",    "with",   "and",     "of",    "this",   "you",  "your",  "please",     "already",
    "should",  "cannot", "was",     "were",  "been",   "has",  "have",  "from",       "than",
    "between", "at",     "least",   "most",  "one",    "line", "field", "required",   "allowed",
    "unknown", "order",  "invalid", "wrong", "amount", NULL};

/* The first English word of text, or NULL. */
static const char *english_word(const char *text)
{
    static char word[64];
    for (const char *p = text; *p;) {
        while (*p && !isalpha((unsigned char)*p))
            p++;
        size_t n = 0;
        while (p[n] && (isalpha((unsigned char)p[n]) || (unsigned char)p[n] >= 0x80))
            n++;
        if (n == 0)
            break;
        snprintf(word, sizeof(word), "%.*s", (int)n, p);
        for (char *w = word; *w; w++)
            *w = (char)tolower((unsigned char)*w);
        for (int i = 0; english[i]; i++)
            if (strcmp(word, english[i]) == 0)
                return word;
        p += n;
    }
    return NULL;
}

/* Whether a key names something a partner reads as a problem: an error or a field's. */
static int is_problem(const char *key)
{
    return strncmp(key, "ERR_", 4) == 0 || strncmp(key, "FIELD_", 6) == 0;
}

static void test_every_error_and_field_problem_is_french(void **state)
{
    (void)state;
    int checked = 0;
    for (int id = 0; id < MSG__COUNT; id++) {
        const char *key = msg_key((enum msg_id)id);
        if (!is_problem(key) || strcmp(key, "ERR_OK") == 0)
            continue;
        const char *fr = msg_text((enum msg_id)id, "fr");
        const char *en = msg_text((enum msg_id)id, "en");
        if (strcmp(fr, en) == 0)
            fail_msg("%s has no French wording of its own: \"%s\"", key, fr);
        const char *w = english_word(fr);
        if (w)
            fail_msg("%s in French has the English word \"%s\": \"%s\"", key, w, fr);
        checked++;
    }
    assert_true(checked > 60);
}

static void test_every_status_answers_in_french(void **state)
{
    (void)state;
    for (int code = -1; code > -PD_E__COUNT; code--) {
        enum pd_status s = (enum pd_status)code;
        if (!pd_status_known(s))
            continue;
        const char *fr = pd_status_message(s, "fr");
        if (strcmp(fr, pd_status_message(s, "en")) == 0 || english_word(fr))
            fail_msg("%s is not French: \"%s\"", pd_status_code(s), fr);
    }
}

/* Field problems are stored by key and worded when the answer is written: in French for a
 * French caller, whatever the problem. */
static void test_field_problems_are_worded_for_the_caller(void **state)
{
    (void)state;
    for (int id = 0; id < MSG__COUNT; id++) {
        const char *key = msg_key((enum msg_id)id);
        if (strncmp(key, "FIELD_", 6) != 0)
            continue;
        const char *args[] = {"1", "200", "x", "y"};
        json_t *details = json_object();
        json_t *fields = json_object();
        json_object_set_new(fields, "f", pd_problem((enum msg_id)id, args, 4));
        json_object_set_new(details, "fields", fields);
        json_t *fr = pd_details_localized(details, "fr");
        const char *text = json_string_value(json_object_get(json_object_get(fr, "fields"), "f"));
        assert_non_null(text);
        if (english_word(text))
            fail_msg("%s comes out in English for a French caller: \"%s\"", key, text);
        json_decref(fr);
        json_decref(details);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_error_and_field_problem_is_french),
        cmocka_unit_test(test_every_status_answers_in_french),
        cmocka_unit_test(test_field_problems_are_worded_for_the_caller),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
