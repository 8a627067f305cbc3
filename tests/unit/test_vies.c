/* test_vies.c - reading VIES's answers, and what a check records as shown to people. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "service/settings.h"
#include "service/vies.h"

static void parse(long status, const char *body, struct vies_answer *a)
{
    vies_parse(status, body, body ? strlen(body) : 0, a);
}

static void test_answers(void **state)
{
    (void)state;
    struct vies_answer a;
    parse(200,
          "{\"countryCode\":\"DE\",\"vatNumber\":\"136695976\",\"requestDate\":\"2027-03-01\","
          "\"valid\":true,\"requestIdentifier\":\"WAPIAAAAW1\",\"name\":\"NORTHWIND GMBH\","
          "\"address\":\"BERLIN\"}",
          &a);
    assert_int_equal(a.verdict, VIES_VALID);
    assert_string_equal(a.consultation, "WAPIAAAAW1");
    assert_string_equal(a.name, "NORTHWIND GMBH");
    parse(200, "{\"valid\":false,\"name\":\"---\",\"address\":\"---\"}", &a);
    assert_int_equal(a.verdict, VIES_INVALID);
    assert_string_equal(a.name, "");
    parse(200, "{\"valid\":false,\"userError\":\"INVALID\"}", &a);
    assert_int_equal(a.verdict, VIES_INVALID);
    parse(200, "{\"isValid\":true,\"userError\":\"VALID\"}", &a);
    assert_int_equal(a.verdict, VIES_VALID);
    /* the ways VIES fails: never "invalid" */
    static const char *const down[] = {
        "{\"valid\":false,\"userError\":\"MS_UNAVAILABLE\"}",
        "{\"valid\":false,\"userError\":\"TIMEOUT\"}",
        "{\"valid\":false,\"userError\":\"MS_MAX_CONCURRENT_REQ\"}",
        "{\"actionSucceed\":false,\"errorWrappers\":[{\"error\":\"SERVICE_UNAVAILABLE\"}]}",
        "not json",
        "{}",
        "[]",
    };
    for (size_t i = 0; i < sizeof(down) / sizeof(down[0]); i++) {
        parse(200, down[i], &a);
        assert_int_equal(a.verdict, VIES_UNAVAILABLE);
    }
    parse(200, "{\"valid\":false,\"userError\":\"MS_UNAVAILABLE\"}", &a);
    assert_string_equal(a.error, "MS_UNAVAILABLE");
    parse(500, "{\"valid\":true}", &a);
    assert_int_equal(a.verdict, VIES_UNAVAILABLE);
    parse(0, NULL, &a);
    assert_int_equal(a.verdict, VIES_UNAVAILABLE);
    parse(400, "{\"actionSucceed\":false,\"errorWrappers\":[{\"error\":\"INVALID_INPUT\"}]}", &a);
    assert_int_equal(a.verdict, VIES_INVALID);
}

static void test_request_and_statuses(void **state)
{
    (void)state;
    char body[256];
    assert_true(vies_request_body("EL094012834", "FR11123456782", body, sizeof(body)));
    assert_string_equal(body, "{\"countryCode\":\"EL\",\"requesterMemberStateCode\":\"FR\","
                              "\"requesterNumber\":\"11123456782\",\"vatNumber\":\"094012834\"}");
    assert_true(vies_request_body("XI980780684", "GB980780684", body, sizeof(body)));
    assert_string_equal(body, "{\"countryCode\":\"XI\",\"vatNumber\":\"980780684\"}");
    assert_false(vies_request_body("DE136695976", NULL, body, 10));
    assert_true(vies_knows("EL094012834"));
    assert_true(vies_knows("XI980780684"));
    assert_false(vies_knows("GB980780684"));
    assert_false(vies_knows("CHE116281710"));
    assert_string_equal(vies_status_view("pending"), "unverified");
    assert_string_equal(vies_status_view("unverified"), "unverified");
    assert_string_equal(vies_status_view("valid"), "valid");
    assert_string_equal(vies_status_view("invalid"), "invalid");
    assert_string_equal(vies_status_view("not_checked"), "not_checked");
    static struct settings s; /* large */
    assert_string_equal(vies_initial_status(&s, "DE136695976"), "not_checked");
    s.vies_enabled = 1;
    assert_string_equal(vies_initial_status(&s, "DE136695976"), "pending");
    assert_string_equal(vies_initial_status(&s, "GB980780684"), "not_checked");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answers),
        cmocka_unit_test(test_request_and_statuses),
    };
    return cmocka_run_group_tests_name("vies", tests, NULL, NULL);
}
