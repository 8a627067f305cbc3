/* test_subscription.c - the lifecycle rules at every boundary (SPEC section 3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/subscription.h"

static struct date D(const char *s)
{
    struct date d = {0, 0, 0};
    assert_int_equal(date_parse(s, &d), 0);
    return d;
}

/* A paid subscription of the reference page: started 2026-06-23, expires 2027-06-22. */
static struct sub_facts june(void)
{
    struct sub_facts f = {.paid = true, .member = true, .window_days = 30};
    f.starts_on = D("2026-06-23");
    f.expires_on = date_term_end(f.starts_on, 12);
    return f;
}

static void check(const struct sub_facts *f, const char *day, enum sub_state state,
                  enum sub_reason reason)
{
    struct date today = D(day);
    struct sub_renewal r = sub_renewal_on(f, today);
    if (sub_state_on(f, today) != state || r.reason != reason)
        fail_msg("%s: state %s (want %s), reason %s (want %s)", day,
                 sub_state_name(sub_state_on(f, today)), sub_state_name(state),
                 sub_reason_name(r.reason) ? sub_reason_name(r.reason) : "ok",
                 sub_reason_name(reason) ? sub_reason_name(reason) : "ok");
    assert_int_equal(r.eligible, reason == SUB_OK);
}

static void test_reference_example(void **state)
{
    (void)state;
    struct sub_facts f = june();
    char s[DATE_STRLEN];
    assert_string_equal(date_format(f.expires_on, s), "2027-06-22");
    check(&f, "2026-06-23", SUB_ACTIVE, SUB_RENEWAL_NOT_OPEN);
    check(&f, "2027-06-21", SUB_ACTIVE, SUB_RENEWAL_NOT_OPEN);
    check(&f, "2027-06-22", SUB_ACTIVE, SUB_RENEWAL_NOT_OPEN); /* expiry day: not yet */
    check(&f, "2027-06-23", SUB_RENEWAL_WINDOW, SUB_OK);       /* the day after */
    check(&f, "2027-07-01", SUB_RENEWAL_WINDOW, SUB_OK);
    check(&f, "2027-07-22", SUB_RENEWAL_WINDOW, SUB_OK);       /* window day 30 */
    check(&f, "2027-07-23", SUB_LAPSED, SUB_RENEWAL_WINDOW_CLOSED); /* day 31 */
    check(&f, "2028-01-01", SUB_LAPSED, SUB_RENEWAL_WINDOW_CLOSED);
    struct sub_renewal r = sub_renewal_on(&f, D("2027-06-22"));
    assert_string_equal(date_format(r.opens_on, s), "2027-06-23");
    assert_string_equal(date_format(r.closes_on, s), "2027-07-22");
}

static void test_leap_day_and_month_end_starts(void **state)
{
    (void)state;
    struct sub_facts f = june();
    f.starts_on = D("2028-02-29");
    f.expires_on = date_term_end(f.starts_on, 12);
    check(&f, "2029-02-28", SUB_ACTIVE, SUB_RENEWAL_NOT_OPEN);
    check(&f, "2029-03-01", SUB_RENEWAL_WINDOW, SUB_OK);
    check(&f, "2029-03-30", SUB_RENEWAL_WINDOW, SUB_OK); /* 28 Feb + 30 */
    check(&f, "2029-03-31", SUB_LAPSED, SUB_RENEWAL_WINDOW_CLOSED);

    f.starts_on = D("2027-01-31");
    f.expires_on = date_term_end(f.starts_on, 12);
    check(&f, "2028-01-30", SUB_ACTIVE, SUB_RENEWAL_NOT_OPEN);
    check(&f, "2028-01-31", SUB_RENEWAL_WINDOW, SUB_OK);
    check(&f, "2028-02-29", SUB_RENEWAL_WINDOW, SUB_OK); /* day 30 of a leap February */
    check(&f, "2028-03-01", SUB_LAPSED, SUB_RENEWAL_WINDOW_CLOSED);

    f.starts_on = D("2027-12-31"); /* across a year end */
    f.expires_on = date_term_end(f.starts_on, 12);
    check(&f, "2028-12-30", SUB_ACTIVE, SUB_RENEWAL_NOT_OPEN);
    check(&f, "2028-12-31", SUB_RENEWAL_WINDOW, SUB_OK);
    check(&f, "2029-01-29", SUB_RENEWAL_WINDOW, SUB_OK);
    check(&f, "2029-01-30", SUB_LAPSED, SUB_RENEWAL_WINDOW_CLOSED);
}

static void test_window_length_is_a_setting(void **state)
{
    (void)state;
    struct sub_facts f = june();
    f.window_days = 10;
    check(&f, "2027-07-02", SUB_RENEWAL_WINDOW, SUB_OK);
    check(&f, "2027-07-03", SUB_LAPSED, SUB_RENEWAL_WINDOW_CLOSED);
}

static void test_reasons_in_order(void **state)
{
    (void)state;
    struct sub_facts f = june();
    f.managed_in_pmc = true;
    check(&f, "2027-06-22", SUB_ACTIVE, SUB_MANAGED_IN_PMC); /* every attempt says PMC */
    check(&f, "2027-06-23", SUB_RENEWAL_WINDOW, SUB_MANAGED_IN_PMC);
    check(&f, "2027-08-01", SUB_LAPSED, SUB_MANAGED_IN_PMC);
    f.managed_in_pmc = false;

    f.certified = 1;
    f.certified_required = 2;
    check(&f, "2027-06-22", SUB_ACTIVE, SUB_RENEWAL_NOT_OPEN); /* not open comes first */
    check(&f, "2027-06-23", SUB_RENEWAL_WINDOW, SUB_PREREQUISITES_NOT_MET);
    f.certified = 2;
    check(&f, "2027-06-23", SUB_RENEWAL_WINDOW, SUB_OK);

    f.member = false;
    check(&f, "2027-06-23", SUB_RENEWAL_WINDOW, SUB_NOT_MEMBER);
    f.member = true;

    struct sub_facts pending = {.paid = false, .member = true, .window_days = 30};
    check(&pending, "2027-06-23", SUB_PENDING_PAYMENT, SUB_PENDING_PAYMENT_REASON);
}

static void test_cancellation_from_its_effective_date(void **state)
{
    (void)state;
    struct sub_facts f = june();
    f.cancelled = true;
    f.cancelled_on = D("2027-06-23"); /* at the end of the term */
    check(&f, "2027-06-22", SUB_ACTIVE, SUB_CANCELLED_REASON);
    check(&f, "2027-06-23", SUB_CANCELLED, SUB_CANCELLED_REASON);
    assert_true(sub_is_live(&f, D("2027-06-22")));
    assert_false(sub_is_live(&f, D("2027-06-23")));
    f.cancelled_on = D("2027-01-10"); /* immediate */
    check(&f, "2027-01-10", SUB_CANCELLED, SUB_CANCELLED_REASON);
}

static void test_liveness(void **state)
{
    (void)state;
    struct sub_facts f = june();
    assert_true(sub_is_live(&f, D("2027-06-22")));
    assert_true(sub_is_live(&f, D("2027-07-22")));
    assert_false(sub_is_live(&f, D("2027-07-23")));
    struct sub_facts pending = {.paid = false, .member = true, .window_days = 30};
    assert_true(sub_is_live(&pending, D("2030-01-01")));
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(sub_state_name(SUB_RENEWAL_WINDOW), "renewal_window");
    assert_string_equal(sub_reason_name(SUB_MANAGED_IN_PMC), "managed_in_pmc");
    assert_null(sub_reason_name(SUB_OK));
    assert_int_equal(sub_state_parse("lapsed"), SUB_LAPSED);
    assert_int_equal(sub_state_parse("expired"), -1);
    assert_int_equal(sub_state_parse(NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_example),
        cmocka_unit_test(test_leap_day_and_month_end_starts),
        cmocka_unit_test(test_window_length_is_a_setting),
        cmocka_unit_test(test_reasons_in_order),
        cmocka_unit_test(test_cancellation_from_its_effective_date),
        cmocka_unit_test(test_liveness),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests_name("subscription", tests, NULL, NULL);
}
