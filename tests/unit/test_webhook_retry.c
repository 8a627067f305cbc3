/*
 * test_webhook_retry.c - delivery_webhook_last_try() (service/delivery.c): whether a failure
 * of a webhook's attempt gives it up, by the same reckoning as its retry (30 s, doubling,
 * until a day after its event). The outbox job always makes such a last attempt, even to
 * an endpoint that gave no answer earlier in the pass (jobs/webhook_send.c).
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

static bool last(int attempt, int64_t created_at)
{
    struct delivery_webhook w = {.attempt = attempt, .created_at = created_at};
    return delivery_webhook_last_try(&w);
}

static void test_the_last_attempt_is_the_one_whose_retry_passes_a_day(void **state)
{
    (void)state;
    clock_pin(NOW);
    assert_false(last(1, NOW));              /* retried in 30 s */
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
