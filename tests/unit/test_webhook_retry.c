/*
 * test_webhook_retry.c - delivery_webhook_retry_at() (service/delivery.c): when a failed
 * webhook attempt is tried again (30 s, doubling) and when it is given up instead (its retry
 * more than a day after its event).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>

#include "core/clock.h"
#include "service/delivery.h"

#define NOW 1900000000 /* 2030-03-17 */

static int64_t retry_at(int attempt, int64_t created_at)
{
    struct delivery_webhook w = {.attempt = attempt, .created_at = created_at};
    return delivery_webhook_retry_at(&w);
}

static bool last(int attempt, int64_t created_at)
{
    return retry_at(attempt, created_at) == 0;
}

static void test_the_last_attempt_is_the_one_whose_retry_passes_a_day(void **state)
{
    (void)state;
    clock_pin(NOW);
    assert_int_equal(retry_at(1, NOW), NOW + 30);  /* retried in 30 s */
    assert_int_equal(retry_at(3, NOW), NOW + 120); /* then 60, then 120 */
    assert_false(last(1, NOW));
    assert_false(last(12, NOW));             /* in 30 << 11 = 61 440 s, within the day */
    assert_true(last(12, NOW - 30000));      /* its retry 91 440 s after the event */
    assert_true(last(13, NOW));              /* 30 << 12 = 122 880 s: past a day anyway */
    assert_false(last(2, NOW - 86400 + 61)); /* 60 s on: one second within the day */
    assert_true(last(2, NOW - 86400 + 59));  /* one second past it */
    clock_unpin();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_last_attempt_is_the_one_whose_retry_passes_a_day),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
