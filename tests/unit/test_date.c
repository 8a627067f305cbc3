/* test_date.c - civil dates, terms, renewal windows and the Europe/Paris calendar. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/clock.h"
#include "core/date.h"

static struct date D(const char *s)
{
    struct date d = {0, 0, 0};
    assert_int_equal(date_parse(s, &d), 0);
    return d;
}

static void assert_date(struct date d, const char *want)
{
    char got[DATE_STRLEN];
    assert_string_equal(date_format(d, got), want);
}

static void test_leap_years_and_month_lengths(void **state)
{
    (void)state;
    assert_true(date_is_leap(2024));
    assert_true(date_is_leap(2000));
    assert_false(date_is_leap(1900));
    assert_false(date_is_leap(2027));
    assert_true(date_is_leap(2028));
    assert_int_equal(date_days_in_month(2028, 2), 29);
    assert_int_equal(date_days_in_month(2027, 2), 28);
    assert_int_equal(date_days_in_month(2100, 2), 28);
    assert_int_equal(date_days_in_month(2027, 4), 30);
    assert_int_equal(date_days_in_month(2027, 12), 31);
    assert_int_equal(date_days_in_month(2027, 13), 0);
}

static void test_day_count_round_trips(void **state)
{
    (void)state;
    assert_int_equal(date_to_days(D("1970-01-01")), 0);
    assert_int_equal(date_to_days(D("2000-03-01")), 11017);
    assert_int_equal(date_to_days(D("1969-12-31")), -1);
    /* every day from 1900 to 2200 survives the round trip and follows the previous one */
    struct date prev = D("1899-12-31");
    for (int64_t z = date_to_days(D("1900-01-01")); z <= date_to_days(D("2200-12-31")); z++) {
        struct date d = date_from_days(z);
        assert_true(date_valid(d));
        assert_int_equal(date_to_days(d), z);
        assert_true(date_cmp(prev, d) < 0);
        assert_int_equal(date_diff_days(prev, d), 1);
        prev = d;
    }
}

static void test_parse_is_strict(void **state)
{
    (void)state;
    static const char *bad[] = {"2027-02-29", "2027-13-01", "2027-00-10", "2027-04-31",
                                "2027-1-01",  "27-01-01",   "2027-01-01x", " 2027-01-01",
                                "2027/01/01", "",           "0000-01-01", "2027-01-32"};
    struct date d;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(date_parse(bad[i], &d), -1);
    assert_int_equal(date_parse(NULL, &d), -1);
    assert_int_equal(date_parse("2028-02-29", &d), 0);
    assert_int_equal(d.day, 29);
}

static void test_add_months_clamps_to_month_end(void **state)
{
    (void)state;
    static const struct {
        const char *from;
        int months;
        const char *want;
    } cases[] = {
        {"2027-01-31", 1, "2027-02-28"},  {"2028-01-31", 1, "2028-02-29"},
        {"2027-03-31", -1, "2027-02-28"}, {"2027-05-31", 1, "2027-06-30"},
        {"2027-12-15", 1, "2028-01-15"},  {"2028-01-15", -1, "2027-12-15"},
        {"2028-02-29", 12, "2029-02-28"}, {"2028-02-29", 48, "2032-02-29"},
        {"2027-06-23", 12, "2028-06-23"}, {"2027-12-31", 12, "2028-12-31"},
        {"2027-08-31", 6, "2028-02-29"},  {"2027-01-01", 0, "2027-01-01"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_date(date_add_months(D(cases[i].from), cases[i].months), cases[i].want);
}

static void test_term_end(void **state)
{
    (void)state;
    static const struct {
        const char *start;
        int months;
        const char *want;
    } cases[] = {
        {"2026-06-23", 12, "2027-06-22"}, /* the reference page's example: expires 22 June */
        {"2024-02-29", 12, "2025-02-28"}, /* SPEC: a start on 29 February gives 28 February */
        {"2028-02-29", 48, "2032-02-28"}, /* leap to leap: the day before */
        {"2027-02-28", 12, "2028-02-27"},
        {"2027-03-01", 12, "2028-02-29"}, /* ends on the leap day */
        {"2027-01-01", 12, "2027-12-31"}, /* year end */
        {"2027-12-31", 12, "2028-12-30"},
        {"2027-01-31", 1, "2027-02-28"},  /* 31st: a month's term ends on the month's end */
        {"2027-03-31", 12, "2028-03-30"},
        {"2027-08-31", 6, "2028-02-29"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_date(date_term_end(D(cases[i].start), cases[i].months), cases[i].want);
}

static void test_renewal_window(void **state)
{
    (void)state;
    struct date opens, closes;
    date_renewal_window(D("2027-06-22"), 30, &opens, &closes);
    assert_date(opens, "2027-06-23");
    assert_date(closes, "2027-07-22"); /* 30 days, both ends included */
    assert_int_equal(date_diff_days(opens, closes) + 1, 30);
    date_renewal_window(D("2027-12-31"), 30, &opens, &closes);
    assert_date(opens, "2028-01-01");
    assert_date(closes, "2028-01-30");
    date_renewal_window(D("2028-02-28"), 30, &opens, &closes);
    assert_date(opens, "2028-02-29");
    assert_date(closes, "2028-03-29");
    date_renewal_window(D("2027-01-31"), 1, &opens, &closes);
    assert_date(opens, "2027-02-01");
    assert_date(closes, "2027-02-01");
}

/* ISO weekdays, across the epoch, a leap day and a century. */
static void test_weekday(void **state)
{
    (void)state;
    struct {
        const char *day;
        int want;
    } rows[] = {
        {"1970-01-01", 4}, {"1969-12-29", 1}, {"1969-12-28", 7}, {"2027-06-21", 1},
        {"2027-06-23", 3}, {"2027-06-27", 7}, {"2028-02-29", 2}, {"2000-03-01", 3},
        {"1900-01-01", 1}, {"2100-12-31", 5},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct date d;
        assert_int_equal(date_parse(rows[i].day, &d), 0);
        if (date_weekday(d) != rows[i].want)
            fail_msg("%s: weekday %d, want %d", rows[i].day, date_weekday(d), rows[i].want);
    }
}

static void test_instants(void **state)
{
    (void)state;
    int64_t t;
    char out[21];
    assert_int_equal(instant_parse("2027-06-23T09:00:00Z", &t), 0);
    assert_string_equal(instant_format(t, out), "2027-06-23T09:00:00Z");
    assert_int_equal(instant_parse("2027-06-23T11:00:00+02:00", &t), 0);
    assert_string_equal(instant_format(t, out), "2027-06-23T09:00:00Z");
    assert_int_equal(instant_parse("2027-06-23T09:00:00.123456Z", &t), 0);
    assert_string_equal(instant_format(t, out), "2027-06-23T09:00:00Z");
    assert_int_equal(instant_parse("1969-12-31T23:59:59Z", &t), 0);
    assert_int_equal(t, -1);
    assert_string_equal(instant_format(-1, out), "1969-12-31T23:59:59Z");
    static const char *bad[] = {"2027-06-23", "2027-06-23T09:00:00", "2027-06-23T24:00:00Z",
                                "2027-02-29T09:00:00Z", "2027-06-23T09:00:00+2:00",
                                "2027-06-23T09:00:00Zjunk", "2027-06-23 09:00:00Z",
                                "2027-06-23T09:00:00.Z"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(instant_parse(bad[i], &t), -1);
}

static int64_t I(const char *s)
{
    int64_t t = 0;
    assert_int_equal(instant_parse(s, &t), 0);
    return t;
}

static void test_paris_civil_dates_across_dst(void **state)
{
    (void)state;
    assert_int_equal(date_set_timezone("Europe/Paris"), 0);
    static const struct {
        const char *instant;
        const char *date;
    } cases[] = {
        {"2027-01-15T22:59:59Z", "2027-01-15"}, /* winter, UTC+1 */
        {"2027-01-15T23:00:00Z", "2027-01-16"},
        {"2027-06-22T21:59:59Z", "2027-06-22"}, /* summer, UTC+2: last second of expiry day */
        {"2027-06-22T22:00:00Z", "2027-06-23"}, /* first second of the window */
        {"2027-03-27T22:59:59Z", "2027-03-27"}, /* the spring-forward day starts at 23:00Z */
        {"2027-03-27T23:00:00Z", "2027-03-28"},
        {"2027-03-28T01:30:00Z", "2027-03-28"}, /* after the jump, 03:30 CEST */
        {"2027-03-28T21:59:59Z", "2027-03-28"}, /* it is 23 hours long */
        {"2027-03-28T22:00:00Z", "2027-03-29"},
        {"2027-10-30T21:59:59Z", "2027-10-30"}, /* the fall-back day starts at 22:00Z */
        {"2027-10-30T22:00:00Z", "2027-10-31"},
        {"2027-10-31T22:59:59Z", "2027-10-31"}, /* it is 25 hours long */
        {"2027-10-31T23:00:00Z", "2027-11-01"},
        {"2027-12-31T22:59:59Z", "2027-12-31"}, /* year end */
        {"2027-12-31T23:00:00Z", "2028-01-01"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_date(date_of_instant(I(cases[i].instant)), cases[i].date);

    assert_int_equal(date_start_instant(D("2027-03-28")), I("2027-03-27T23:00:00Z"));
    assert_int_equal(date_start_instant(D("2027-03-29")), I("2027-03-28T22:00:00Z"));
    assert_int_equal(date_start_instant(D("2027-10-31")), I("2027-10-30T22:00:00Z"));
    assert_int_equal(date_start_instant(D("2027-11-01")), I("2027-10-31T23:00:00Z"));
}

/* n civil days later, at the same time of day in Paris: across a change, not n * 86400 s */
static void test_instant_add_days_across_dst(void **state)
{
    (void)state;
    assert_int_equal(date_set_timezone("Europe/Paris"), 0);
    /* 21 Oct 00:30 CEST + 14 days = 4 Nov 00:30 CET, an hour later than 14 x 86400 s */
    assert_int_equal(instant_add_days(I("2027-10-20T22:30:00Z"), 14), I("2027-11-03T23:30:00Z"));
    assert_int_equal(instant_add_days(I("2027-11-03T23:30:00Z"), -14), I("2027-10-20T22:30:00Z"));
    /* 20 Mar 00:30 CET + 14 days = 3 Apr 00:30 CEST */
    assert_int_equal(instant_add_days(I("2028-03-19T23:30:00Z"), 14), I("2028-04-02T22:30:00Z"));
    /* no change between: exactly n days; a month and a year end carried */
    assert_int_equal(instant_add_days(I("2027-12-25T09:00:00Z"), 14), I("2028-01-08T09:00:00Z"));
    assert_int_equal(instant_add_days(I("2027-12-25T09:00:00Z"), 0), I("2027-12-25T09:00:00Z"));
}

static void test_other_time_zones_and_bad_names(void **state)
{
    (void)state;
    assert_int_equal(date_set_timezone("America/New_York"), 0);
    assert_date(date_of_instant(I("2027-06-23T03:59:59Z")), "2027-06-22");
    assert_date(date_of_instant(I("2027-06-23T04:00:00Z")), "2027-06-23");
    assert_int_equal(date_set_timezone("UTC"), 0);
    assert_date(date_of_instant(I("2027-06-22T23:59:59Z")), "2027-06-22");
    assert_int_equal(date_set_timezone("Mars/Olympus"), -1);
    assert_int_equal(date_set_timezone("../../etc/passwd"), -1);
    assert_int_equal(date_set_timezone(""), -1);
    assert_string_equal(date_timezone(), "UTC"); /* a refused name changes nothing */
    assert_int_equal(date_set_timezone("Europe/Paris"), 0);
}

static void test_pinned_clock(void **state)
{
    (void)state;
    assert_int_equal(date_set_timezone("Europe/Paris"), 0);
    clock_pin(I("2027-06-22T22:30:00Z"));
    assert_true(clock_is_pinned());
    assert_int_equal(clock_now(), I("2027-06-22T22:30:00Z"));
    assert_date(clock_today(), "2027-06-23");
    clock_unpin();
    assert_false(clock_is_pinned());
    assert_true(clock_now() > I("2026-01-01T00:00:00Z"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_leap_years_and_month_lengths),
        cmocka_unit_test(test_day_count_round_trips),
        cmocka_unit_test(test_parse_is_strict),
        cmocka_unit_test(test_add_months_clamps_to_month_end),
        cmocka_unit_test(test_term_end),
        cmocka_unit_test(test_renewal_window),
        cmocka_unit_test(test_weekday),
        cmocka_unit_test(test_instants),
        cmocka_unit_test(test_paris_civil_dates_across_dst),
        cmocka_unit_test(test_instant_add_days_across_dst),
        cmocka_unit_test(test_other_time_zones_and_bad_names),
        cmocka_unit_test(test_pinned_clock),
    };
    return cmocka_run_group_tests_name("date", tests, NULL, NULL);
}
