/* test_subscription.c - the lifecycle rules at every boundary (SPEC section 3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/subscription.h"

static struct date D(const char *s) {
    struct date d = {0, 0, 0};
    assert_int_equal(date_parse(s, &d), 0);
    return d;
}

/* A paid subscription of the reference page: started 2026-06-23, expires 2027-06-22. */
static struct sub_facts
june(void)
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
    check(&f, "2027-07-22", SUB_RENEWAL_WINDOW, SUB_OK);            /* window day 30 */
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

/* Automatic renewal: days 1, 3 and 7 of the window, one try a day, none after a success
 * (the caller stops asking) or past the window. Expiry 2027-06-22: day 1 is 23 June. */
static void test_auto_renew_tries(void **state)
{
    (void)state;
    struct sub_facts f = june();
    struct date none = {0, 0, 0};
    struct {
        const char *today;
        int done;
        const char *last;
        int want;
    } rows[] = {
        {"2027-06-22", 0, NULL, 0},         /* expiry day: not yet */
        {"2027-06-23", 0, NULL, 1},         /* day 1 */
        {"2027-06-23", 1, "2027-06-23", 0}, /* the try of the day is made */
        {"2027-06-24", 1, "2027-06-23", 0}, /* day 2: nothing */
        {"2027-06-25", 1, "2027-06-23", 2}, /* day 3 */
        {"2027-06-28", 2, "2027-06-25", 0}, /* day 6 */
        {"2027-06-29", 2, "2027-06-25", 3}, /* day 7 */
        {"2027-06-30", 3, "2027-06-29", 0}, /* all tries used: renew by hand */
        {"2027-06-27", 0, NULL, 1},         /* a job that missed day 1 tries on day 5 */
        {"2027-06-27", 1, "2027-06-27", 0}, /* ... once */
        {"2027-06-29", 1, "2027-06-27", 2}, /* then the next try on day 7 */
        {"2027-07-22", 0, NULL, 1},         /* day 30, the last of the window */
        {"2027-07-23", 0, NULL, 0},         /* closed */
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        int got = sub_auto_renew_try(&f, rows[i].done, rows[i].last ? D(rows[i].last) : none,
                                     D(rows[i].today));
        if (got != rows[i].want)
            fail_msg("%s after %d tries: try %d, want %d", rows[i].today, rows[i].done, got,
                     rows[i].want);
    }
    f.managed_in_pmc = true;
    assert_int_equal(sub_auto_renew_try(&f, 0, none, D("2027-06-23")), 0);
    f.managed_in_pmc = false;
    f.cancelled = true;
    f.cancelled_on = D("2027-06-22");
    assert_int_equal(sub_auto_renew_try(&f, 0, none, D("2027-06-23")), 0);
}

/* A try the bank asks to authenticate waits for the partner until the next try's day (days
 * 3 and 7), the last one until the window has closed; a late try keeps one day at least. */
static void test_auto_renew_deadline(void **state)
{
    (void)state;
    struct sub_facts f = june(); /* expires 2027-06-22, window 23 June - 22 July */
    struct {
        int try;
        const char *tried_on, *want;
    } rows[] = {
        {1, "2027-06-23", "2027-06-25"}, /* day 1: until day 3 */
        {2, "2027-06-25", "2027-06-29"}, /* day 3: until day 7 */
        {3, "2027-06-29", "2027-07-23"}, /* day 7: until the window has closed */
        {1, "2027-06-24", "2027-06-25"}, /* a day late: the same day 3 */
        {1, "2027-06-25", "2027-06-26"}, /* late to day 3: one day */
        {2, "2027-07-10", "2027-07-11"},
        {3, "2027-07-22", "2027-07-23"}, /* the window's last day */
    };
    char got[DATE_STRLEN];
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        date_format(sub_auto_renew_deadline(&f, rows[i].try, D(rows[i].tried_on)), got);
        if (strcmp(got, rows[i].want) != 0)
            fail_msg("try %d on %s: until %s, want %s", rows[i].try, rows[i].tried_on, got,
                     rows[i].want);
    }
    f.window_days = 5; /* a short window closes before day 7 */
    date_format(sub_auto_renew_deadline(&f, 2, D("2027-06-25")), got);
    assert_string_equal(got, "2027-06-28");
}

/* Reminders: 30, 7 and 1 days before expiry, window open, 7 days before it closes, with
 * auto-renew off; the upcoming-renewal notice with it on, until expiry and never after;
 * the lapse for both. */
static void test_notices(void **state)
{
    (void)state;
    struct sub_facts f = june(); /* expires 2027-06-22, window 23 June - 22 July */
    struct {
        const char *today;
        bool auto_renew;
        enum sub_notice want;
    } rows[] = {
        {"2027-05-22", false, SUB_NOTICE_NONE},
        {"2027-05-23", false, SUB_NOTICE_EXPIRY_30},
        {"2027-06-14", false, SUB_NOTICE_EXPIRY_30},
        {"2027-06-15", false, SUB_NOTICE_EXPIRY_7},
        {"2027-06-21", false, SUB_NOTICE_EXPIRY_1},
        /* late on the expiry day: "tomorrow" is no longer true; the dated reminder is */
        {"2027-06-22", false, SUB_NOTICE_EXPIRY_7},
        {"2027-06-23", false, SUB_NOTICE_WINDOW_OPEN},
        {"2027-07-14", false, SUB_NOTICE_WINDOW_OPEN},
        {"2027-07-15", false, SUB_NOTICE_WINDOW_CLOSING},
        {"2027-07-22", false, SUB_NOTICE_WINDOW_CLOSING},
        {"2027-07-23", false, SUB_NOTICE_LAPSED},
        {"2027-08-22", false, SUB_NOTICE_LAPSED}, /* 30 days after the lapse */
        {"2027-08-23", false, SUB_NOTICE_NONE},
        {"2027-05-22", true, SUB_NOTICE_NONE},
        {"2027-05-23", true, SUB_NOTICE_UPCOMING_RENEWAL},
        {"2027-06-22", true, SUB_NOTICE_UPCOMING_RENEWAL},
        {"2027-06-23", true, SUB_NOTICE_NONE}, /* expired: the renewal itself is due now */
        {"2027-07-22", true, SUB_NOTICE_NONE},
        {"2027-07-23", true, SUB_NOTICE_LAPSED},
        {"2027-08-22", true, SUB_NOTICE_LAPSED},
        {"2027-08-23", true, SUB_NOTICE_NONE},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        enum sub_notice got = sub_notice_due(&f, rows[i].auto_renew, D(rows[i].today));
        if (got != rows[i].want)
            fail_msg("%s auto_renew=%d: %s, want %s", rows[i].today, rows[i].auto_renew,
                     sub_notice_name(got), sub_notice_name(rows[i].want));
    }
    f.paid = false;
    assert_int_equal(sub_notice_due(&f, false, D("2027-06-23")), SUB_NOTICE_NONE);
    assert_string_equal(sub_notice_name(SUB_NOTICE_WINDOW_CLOSING), "window_closing");
}

/* The reminders of a manual renewal in their order: "expires tomorrow" sent, the 7-day
 * reminder due on the expiry day (a pass missed it) is not sent after it; the
 * upcoming-renewal notice stands apart from that chain. */
static void test_notice_overtaken(void **state)
{
    (void)state;
    assert_true(sub_notice_overtaken(SUB_NOTICE_EXPIRY_7, SUB_NOTICE_EXPIRY_1));
    assert_true(sub_notice_overtaken(SUB_NOTICE_EXPIRY_30, SUB_NOTICE_WINDOW_OPEN));
    assert_false(sub_notice_overtaken(SUB_NOTICE_EXPIRY_1, SUB_NOTICE_EXPIRY_7));
    assert_false(sub_notice_overtaken(SUB_NOTICE_EXPIRY_7, SUB_NOTICE_EXPIRY_7));
    assert_false(sub_notice_overtaken(SUB_NOTICE_UPCOMING_RENEWAL, SUB_NOTICE_EXPIRY_7));
    assert_false(sub_notice_overtaken(SUB_NOTICE_EXPIRY_30, SUB_NOTICE_UPCOMING_RENEWAL));
    assert_int_equal(sub_notice_parse("expiry_1"), SUB_NOTICE_EXPIRY_1);
    assert_int_equal(sub_notice_parse("lapsed"), SUB_NOTICE_LAPSED);
    assert_int_equal(sub_notice_parse("renewal_refused"), SUB_NOTICE_NONE);
    assert_int_equal(sub_notice_parse(NULL), SUB_NOTICE_NONE);
}

/* A window of 8 days or fewer: "7 days before it closes" is the opening day or earlier. The
 * reminders before expiry and the window-open notice keep their days; the window-open
 * notice, naming the closing day, is the only reminder in the window. */
static void test_notices_short_window(void **state)
{
    (void)state;
    struct {
        int window;
        const char *today;
        enum sub_notice want;
    } rows[] = {
        /* expires 2027-06-22, a window of 7 days: 23 - 29 June */
        {7, "2027-06-15", SUB_NOTICE_EXPIRY_7},
        {7, "2027-06-21", SUB_NOTICE_EXPIRY_1},
        {7, "2027-06-22", SUB_NOTICE_EXPIRY_7}, /* not "renewable only until" before it opens */
        {7, "2027-06-23", SUB_NOTICE_WINDOW_OPEN},
        {7, "2027-06-29", SUB_NOTICE_WINDOW_OPEN},
        {7, "2027-06-30", SUB_NOTICE_LAPSED},
        /* a window of 1 day: 23 June */
        {1, "2027-06-16", SUB_NOTICE_EXPIRY_7},
        {1, "2027-06-21", SUB_NOTICE_EXPIRY_1},
        {1, "2027-06-23", SUB_NOTICE_WINDOW_OPEN},
        /* 8 days: the closing reminder's day is the opening day, one notice */
        {8, "2027-06-23", SUB_NOTICE_WINDOW_OPEN},
        {8, "2027-06-30", SUB_NOTICE_WINDOW_OPEN},
        /* 9 days: a closing reminder on the window's second day */
        {9, "2027-06-23", SUB_NOTICE_WINDOW_OPEN},
        {9, "2027-06-24", SUB_NOTICE_WINDOW_CLOSING},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct sub_facts f = june();
        f.window_days = rows[i].window;
        enum sub_notice got = sub_notice_due(&f, false, D(rows[i].today));
        if (got != rows[i].want)
            fail_msg("window %d, %s: %s, want %s", rows[i].window, rows[i].today,
                     sub_notice_name(got), sub_notice_name(rows[i].want));
    }
}

/* The day the notices job looks at a subscription again: the next day its notice changes to
 * one not sent yet, never every day in between, and never once nothing more is due. */
static void test_notice_next_check(void **state)
{
    (void)state;
    struct sub_facts f = june(); /* expires 2027-06-22, window 23 June - 22 July */
    struct {
        const char *today;
        bool auto_renew;
        int window;
        const char *want;
    } rows[] = {
        {"2026-06-23", false, 30, "2027-05-23"}, /* bought: the 30-day reminder */
        {"2027-05-23", false, 30, "2027-06-15"}, /* sent: the 7-day one, not every day */
        {"2027-06-14", false, 30, "2027-06-15"},
        {"2027-06-15", false, 30, "2027-06-21"},
        {"2027-06-21", false, 30, "2027-06-22"}, /* "tomorrow", then the dated one again */
        {"2027-06-22", false, 30, "2027-06-23"},
        {"2027-06-23", false, 30, "2027-07-15"},
        {"2027-07-15", false, 30, "2027-07-23"},
        {"2027-07-23", false, 30, "9999-12-31"}, /* lapsed: nothing more */
        {"2027-08-23", false, 30, "9999-12-31"},
        {"2027-05-01", true, 30, "2027-05-23"},
        {"2027-05-23", true, 30, "2027-07-23"}, /* upcoming renewal sent: then the lapse */
        {"2027-06-23", true, 30, "2027-07-23"},
        {"2027-05-23", true, 10, "2027-07-03"}, /* the window is a setting */
        {"2027-06-23", false, 10, "2027-06-25"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        f.window_days = rows[i].window;
        char got[DATE_STRLEN];
        date_format(sub_notice_next_check(&f, rows[i].auto_renew, D(rows[i].today)), got);
        if (strcmp(got, rows[i].want) != 0)
            fail_msg("%s auto_renew=%d window=%d: next check %s, want %s", rows[i].today,
                     rows[i].auto_renew, rows[i].window, got, rows[i].want);
    }
    f.window_days = 30;
    f.paid = false;
    assert_int_equal(date_cmp(sub_notice_next_check(&f, false, D("2027-05-23")), SUB_CHECK_NEVER),
                     0);
    /* what a subscription never looked at starts from */
    char day[DATE_STRLEN];
    assert_string_equal(date_format(sub_notice_first_check(D("2027-06-22")), day), "2027-05-23");
}

/* The day the renewals job looks at a subscription again: its next try's day, never while a
 * try is open or done, never once the tries or the window are used up. */
static void test_auto_renew_next_check(void **state)
{
    (void)state;
    struct sub_facts f = june();
    struct date none = {0, 0, 0};
    struct {
        const char *today;
        int done;
        const char *last;
        bool open;
        const char *want;
    } rows[] = {
        {"2027-01-10", 0, NULL, false, "2027-06-23"}, /* day 1 of the window */
        {"2027-06-22", 0, NULL, false, "2027-06-23"},
        {"2027-06-23", 0, NULL, true, "9999-12-31"},          /* tried today, open */
        {"2027-06-23", 1, "2027-06-23", false, "2027-06-25"}, /* declined: day 3 */
        {"2027-06-25", 2, "2027-06-25", false, "2027-06-29"}, /* declined again: day 7 */
        {"2027-06-29", 3, "2027-06-29", false, "9999-12-31"}, /* all tries used */
        {"2027-06-27", 1, "2027-06-27", false, "2027-06-28"}, /* late: the next day */
        {"2027-07-22", 0, NULL, false, "9999-12-31"},         /* the window's last day */
        {"2027-07-21", 0, NULL, false, "2027-07-22"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char got[DATE_STRLEN];
        date_format(sub_auto_renew_next_check(&f, rows[i].done,
                                              rows[i].last ? D(rows[i].last) : none, rows[i].open,
                                              D(rows[i].today)),
                    got);
        if (strcmp(got, rows[i].want) != 0)
            fail_msg("%s after %d tries%s: next check %s, want %s", rows[i].today, rows[i].done,
                     rows[i].open ? " (one open)" : "", got, rows[i].want);
    }
    char day[DATE_STRLEN];
    assert_string_equal(date_format(sub_auto_renew_first_check(D("2027-06-22")), day),
                        "2027-06-23");
}

/* A prorated refund: by the day, half up, all of it before the term starts, none after. */
static void test_prorated(void **state)
{
    (void)state;
    struct {
        int64_t paid;
        const char *starts, *expires, *from;
        int64_t want;
    } rows[] = {
        {49000, "2027-03-01", "2028-02-29", "2027-03-01", 49000}, /* the first day: all */
        {49000, "2027-03-01", "2028-02-29", "2026-12-01", 49000}, /* before it started */
        {49000, "2027-03-01", "2028-02-29", "2027-09-01", 24366}, /* 182 of 366 days */
        {49000, "2027-03-01", "2028-02-29", "2028-02-29", 134},   /* the last day: 133.88 */
        {49000, "2027-03-01", "2028-02-29", "2028-03-01", 0},     /* after expiry */
        {36500, "2027-01-01", "2027-12-31", "2027-12-31", 100},   /* 365 days, 1 left */
        {3, "2027-01-01", "2027-01-04", "2027-01-03", 2},         /* 1.5 rounds up */
        {1, "2027-01-01", "2027-01-04", "2027-01-04", 0},         /* 0.25 rounds down */
        {0, "2027-01-01", "2027-12-31", "2027-06-01", 0},
        {INT64_MAX, "2027-01-01", "2027-12-31", "2027-12-31",
         INT64_MAX / 365 + 1}, /* no overflow */
        {INT64_C(9000000000000), "2027-01-01", "2027-12-31", "2027-07-02", INT64_C(4512328767123)},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        int64_t got =
            sub_prorated(rows[i].paid, D(rows[i].starts), D(rows[i].expires), D(rows[i].from));
        if (got != rows[i].want)
            fail_msg("%lld from %s: %lld, want %lld", (long long)rows[i].paid, rows[i].from,
                     (long long)got, (long long)rows[i].want);
    }
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
        cmocka_unit_test(test_auto_renew_tries),
        cmocka_unit_test(test_auto_renew_deadline),
        cmocka_unit_test(test_notices),
        cmocka_unit_test(test_notice_overtaken),
        cmocka_unit_test(test_notices_short_window),
        cmocka_unit_test(test_notice_next_check),
        cmocka_unit_test(test_auto_renew_next_check),
        cmocka_unit_test(test_prorated),
    };
    return cmocka_run_group_tests_name("subscription", tests, NULL, NULL);
}
