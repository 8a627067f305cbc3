/* test_api.c - the route table and the authorization table agree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "api/api.h"

static void test_every_route_has_a_rule(void **state)
{
    (void)state;
    assert_int_equal(api_check_routes(), 0);
}

static void test_routes_are_unique_and_well_formed(void **state)
{
    (void)state;
    for (const struct route *a = api_routes; a->method; a++) {
        assert_non_null(a->handler);
        assert_non_null(a->action);
        assert_true(a->pattern[0] == '/');
        for (const struct route *b = a + 1; b->method; b++)
            assert_false(strcmp(a->method, b->method) == 0 && strcmp(a->pattern, b->pattern) == 0);
    }
}

/* The portal's card form learns its gateway from a public route (issue 16). */
static void test_payment_gateway_route_is_public(void **state)
{
    (void)state;
    const struct route *found = NULL;
    for (const struct route *a = api_routes; a->method; a++)
        if (strcmp(a->method, "GET") == 0 && strcmp(a->pattern, "/api/v1/payment-gateway") == 0)
            found = a;
    assert_non_null(found);
    assert_string_equal(found->action, "payment_gateway.read");
}

/* The route of pattern under method, or NULL. */
static const struct route *route_of(const char *method, const char *pattern)
{
    for (const struct route *a = api_routes; a->method; a++)
        if (strcmp(a->method, method) == 0 && strcmp(a->pattern, pattern) == 0)
            return a;
    return NULL;
}

/* Whoever forgot their password is signed out: asking for a link and following it are
 * open to anyone. */
static void test_password_reset_routes_are_public(void **state)
{
    (void)state;
    const struct route *ask = route_of("POST", "/api/v1/password-resets");
    const struct route *set = route_of("POST", "/api/v1/password-resets/{token}");
    assert_non_null(ask);
    assert_non_null(set);
    assert_true(api_action_public(ask->action));
    assert_true(api_action_public(set->action));
    assert_false(api_action_public("me.password")); /* the signed-in change is not */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_route_has_a_rule),
        cmocka_unit_test(test_routes_are_unique_and_well_formed),
        cmocka_unit_test(test_payment_gateway_route_is_public),
        cmocka_unit_test(test_password_reset_routes_are_public),
    };
    return cmocka_run_group_tests_name("api", tests, NULL, NULL);
}
