/* test_benefit.c - the entitlement rules at every boundary (issue 18): grant, suspend in
 * the renewal window, revoke on lapse or cancellation, restore on renewal, deadlines and
 * their reminders. A catalog change after a grant is tested end to end (a grant copies
 * its rule: tests/e2e/benefits.test.mjs) and here as the deadline a grant keeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/benefit.h"

static struct date D(const char *s) {
    struct date d = {0, 0, 0};
    assert_int_equal(date_parse(s, &d), 0);
    return d;
}

/* The subscription of the reference page: term 2026-06-23 .. 2027-06-22, window 30 days. */
static struct sub_facts
sub(void)
{
    struct sub_facts f = {.paid = true, .member = true, .window_days = 30};
    f.starts_on = D("2026-06-23");
    f.expires_on = date_term_end(f.starts_on, 12);
    return f;
}

/* A grant of that term, its subscription's state taken on `day`. */
static struct benefit_facts grant(enum benefit_kind kind, int quantity, int used, int deadline_days,
                                  const struct sub_facts *s, const char *day)
{
    struct benefit_facts g = {.kind = kind,
                              .quantity = quantity,
                              .used = used,
                              .starts_on = s->starts_on,
                              .ends_on = s->expires_on,
                              .current_term = true};
    g.has_deadline = benefit_kind_activated(kind);
    g.activate_by = benefit_deadline(s->starts_on, s->expires_on, deadline_days);
    g.sub_state = sub_state_on(s, D(day));
    g.lapses_on = date_add_days(s->expires_on, s->window_days + 1);
    return g;
}

static void expect(const struct benefit_facts *g, const char *day, enum benefit_state want,
                   int remaining)
{
    enum benefit_state got = benefit_state_on(g, D(day));
    if (got != want)
        fail_msg("%s: %s, want %s", day, benefit_state_name(got), benefit_state_name(want));
    assert_int_equal(benefit_remaining(g, D(day)), remaining);
}

static void test_grant_and_use(void **state)
{
    (void)state;
    struct sub_facts s = sub();
    static const struct {
        enum benefit_kind kind;
        int quantity, used;
        enum benefit_state want;
        int remaining;
        bool can_use_one;
    } rows[] = {
        {BENEFIT_SOFTWARE_KEY, 2, 0, BENEFIT_AVAILABLE, 2, true},
        {BENEFIT_SOFTWARE_KEY, 2, 1, BENEFIT_AVAILABLE, 1, true},
        {BENEFIT_SOFTWARE_KEY, 2, 2, BENEFIT_ACTIVATED, 0, false},
        {BENEFIT_CLOUD_SUBSCRIPTION, 25, 25, BENEFIT_ACTIVATED, 0, false},
        {BENEFIT_SUPPORT_INCIDENT, 5, 0, BENEFIT_AVAILABLE, 5, true},
        {BENEFIT_SUPPORT_INCIDENT, 5, 4, BENEFIT_AVAILABLE, 1, true},
        {BENEFIT_SUPPORT_INCIDENT, 5, 5, BENEFIT_ACTIVATED, 0, false},
        {BENEFIT_TRAINING, 0, 0, BENEFIT_AVAILABLE, 0, false},
        {BENEFIT_RESOURCE, 0, 0, BENEFIT_AVAILABLE, 0, false},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct benefit_facts g =
            grant(rows[i].kind, rows[i].quantity, rows[i].used, 0, &s, "2026-07-01");
        expect(&g, "2026-07-01", rows[i].want, rows[i].remaining);
        assert_int_equal(benefit_can_use(&g, 1, D("2026-07-01")), rows[i].can_use_one);
    }
    struct benefit_facts g = grant(BENEFIT_SOFTWARE_KEY, 2, 1, 0, &s, "2026-07-01");
    assert_false(benefit_can_use(&g, 2, D("2026-07-01"))); /* more than is left */
    assert_false(benefit_can_use(&g, 0, D("2026-07-01")));
}

static void test_suspended_in_the_window(void **state)
{
    (void)state;
    struct sub_facts s = sub();
    struct benefit_facts g = grant(BENEFIT_SUPPORT_INCIDENT, 5, 2, 0, &s, "2027-06-22");
    expect(&g, "2027-06-22", BENEFIT_AVAILABLE, 3); /* expiry day: still usable */
    g = grant(BENEFIT_SUPPORT_INCIDENT, 5, 2, 0, &s, "2027-06-23");
    expect(&g, "2027-06-23", BENEFIT_SUSPENDED, 3); /* window day 1 */
    assert_false(benefit_can_use(&g, 1, D("2027-06-23")));
    g = grant(BENEFIT_SUPPORT_INCIDENT, 5, 2, 0, &s, "2027-07-22");
    expect(&g, "2027-07-22", BENEFIT_SUSPENDED, 3); /* window day 30 */
}

static void test_revoked_on_lapse_and_cancellation(void **state)
{
    (void)state;
    struct sub_facts s = sub();
    struct benefit_facts g = grant(BENEFIT_SOFTWARE_KEY, 4, 1, 0, &s, "2027-07-23");
    expect(&g, "2027-07-23", BENEFIT_REVOKED, 0); /* window day 31: lapsed */
    s.cancelled = true;
    s.cancelled_on = D("2026-09-01");
    g = grant(BENEFIT_SUPPORT_INCIDENT, 5, 0, 0, &s, "2026-08-31");
    expect(&g, "2026-08-31", BENEFIT_AVAILABLE, 5); /* before the effective date */
    g = grant(BENEFIT_SUPPORT_INCIDENT, 5, 0, 0, &s, "2026-09-01");
    expect(&g, "2026-09-01", BENEFIT_REVOKED, 0);
    assert_false(benefit_can_use(&g, 1, D("2026-09-01")));
}

static void test_restored_by_renewal(void **state)
{
    (void)state;
    struct sub_facts s = sub();
    struct benefit_facts old = grant(BENEFIT_SUPPORT_INCIDENT, 5, 2, 0, &s, "2027-06-30");
    expect(&old, "2027-06-30", BENEFIT_SUSPENDED, 3);
    /* renewed on window day 8: a new term from that day, with its own grant */
    s.starts_on = D("2027-06-30");
    s.expires_on = date_term_end(s.starts_on, 12);
    old.sub_state = sub_state_on(&s, D("2027-06-30"));
    old.current_term = false;
    expect(&old, "2027-06-30", BENEFIT_EXPIRED, 0);
    struct benefit_facts next = grant(BENEFIT_SUPPORT_INCIDENT, 5, 0, 0, &s, "2027-06-30");
    expect(&next, "2027-06-30", BENEFIT_AVAILABLE, 5);
    assert_true(benefit_can_use(&next, 1, D("2027-06-30")));
    /* a lapse later does not turn the old term's grant into a revoked one */
    old.sub_state = SUB_LAPSED;
    expect(&old, "2029-01-01", BENEFIT_EXPIRED, 0);
}

static void test_activation_deadline(void **state)
{
    (void)state;
    struct sub_facts s = sub();
    char day[DATE_STRLEN];
    struct date by = benefit_deadline(s.starts_on, s.expires_on, 90);
    assert_string_equal(date_format(by, day), "2026-09-21");
    /* 0 days: the term's end; a rule longer than the term stops at its end */
    assert_string_equal(date_format(benefit_deadline(s.starts_on, s.expires_on, 0), day),
                        "2027-06-22");
    assert_string_equal(date_format(benefit_deadline(s.starts_on, s.expires_on, 900), day),
                        "2027-06-22");
    struct benefit_facts g = grant(BENEFIT_CLOUD_SUBSCRIPTION, 25, 0, 90, &s, "2026-09-21");
    expect(&g, "2026-09-21", BENEFIT_AVAILABLE, 25); /* the deadline day itself */
    expect(&g, "2026-09-22", BENEFIT_EXPIRED, 0);
    g.used = 10; /* activated in time: stays activated, the rest can no longer be */
    expect(&g, "2026-09-22", BENEFIT_ACTIVATED, 0);
    /* never activated: expired stays expired in the window and after the lapse */
    g.used = 0;
    g.sub_state = SUB_RENEWAL_WINDOW;
    expect(&g, "2027-06-30", BENEFIT_EXPIRED, 0);
    g.sub_state = SUB_LAPSED;
    expect(&g, "2027-08-30", BENEFIT_EXPIRED, 0);
    /* support incidents have no activation deadline */
    struct benefit_facts inc = grant(BENEFIT_SUPPORT_INCIDENT, 5, 0, 90, &s, "2027-01-01");
    expect(&inc, "2027-01-01", BENEFIT_AVAILABLE, 5);
}

static void test_deadline_reminders(void **state)
{
    (void)state;
    struct sub_facts s = sub();
    struct benefit_facts g = grant(BENEFIT_CLOUD_SUBSCRIPTION, 5, 0, 90, &s, "2026-08-01");
    static const struct {
        const char *day;
        int reminded, due;
    } rows[] = {
        {"2026-08-21", 0, 0},  /* 31 days before 2026-09-21 */
        {"2026-08-22", 0, 30}, /* 30 days before */
        {"2026-08-22", 30, 0}, /* sent already */
        {"2026-09-13", 30, 0}, /* 8 days before */
        {"2026-09-14", 30, 7}, /* 7 days before */
        {"2026-09-14", 0, 7},  /* the 30-day one was missed: only the 7-day one */
        {"2026-09-21", 7, 0},  /* sent already */
        {"2026-09-22", 0, 0},  /* too late */
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        if (benefit_reminder_due(&g, rows[i].reminded, D(rows[i].day)) != rows[i].due)
            fail_msg("%s reminded %d: want %d", rows[i].day, rows[i].reminded, rows[i].due);
    g.used = 1; /* activated: no reminder */
    assert_int_equal(benefit_reminder_due(&g, 0, D("2026-09-14")), 0);
    struct benefit_facts inc = grant(BENEFIT_SUPPORT_INCIDENT, 5, 0, 90, &s, "2026-08-01");
    assert_int_equal(benefit_reminder_due(&inc, 0, D("2026-09-14")), 0);
}

/* The day the job looks at a grant next: reminders 30 then 7 days ahead (daily while one is
 * owed and not sent), the day after the term, the day the subscription lapses while it is
 * in its window (then daily until revoked), never once nothing can be owed. Term 2026-06-23 ..
 * 2027-06-22; a key to activate within 60 days: 2026-08-22. */
static void test_next_check(void **state)
{
    (void)state;
    struct sub_facts s = sub();
    static const struct {
        enum benefit_kind kind;
        int used, reminded;
        bool revoked, current;
        const char *state_on, *from, *next; /* NULL: never */
    } rows[] = {
        {BENEFIT_SOFTWARE_KEY, 0, 0, false, true, "2026-06-23", "2026-06-23", "2026-07-23"},
        {BENEFIT_SOFTWARE_KEY, 0, 0, false, true, "2026-07-22", "2026-07-23", "2026-07-23"},
        {BENEFIT_SOFTWARE_KEY, 0, 30, false, true, "2026-07-23", "2026-07-24", "2026-08-15"},
        {BENEFIT_SOFTWARE_KEY, 0, 0, false, true, "2026-07-23", "2026-07-24", "2026-07-24"},
        {BENEFIT_SOFTWARE_KEY, 0, 7, false, true, "2026-08-15", "2026-08-16", "2027-06-23"},
        {BENEFIT_SOFTWARE_KEY, 0, 7, false, true, "2026-08-22", "2026-08-22", "2027-06-23"},
        {BENEFIT_SOFTWARE_KEY, 0, 7, false, true, "2026-08-22", "2026-08-23", NULL},
        {BENEFIT_SOFTWARE_KEY, 0, 0, false, true, "2026-08-22", "2026-08-23", NULL},
        {BENEFIT_SOFTWARE_KEY, 1, 0, false, true, "2026-06-23", "2026-06-24", "2027-06-23"},
        {BENEFIT_SOFTWARE_KEY, 1, 0, false, true, "2026-09-01", "2026-09-02", "2027-06-23"},
        {BENEFIT_SUPPORT_INCIDENT, 0, 0, false, true, "2026-06-23", "2026-06-23", "2027-06-23"},
        {BENEFIT_SUPPORT_INCIDENT, 0, 0, false, true, "2027-06-22", "2027-06-23", "2027-06-23"},
        /* in the renewal window: suspended, looked at again the day it lapses, not daily */
        {BENEFIT_SUPPORT_INCIDENT, 0, 0, false, true, "2027-06-25", "2027-06-26", "2027-07-23"},
        {BENEFIT_SUPPORT_INCIDENT, 0, 0, false, true, "2027-07-22", "2027-07-22", "2027-07-23"},
        {BENEFIT_SUPPORT_INCIDENT, 0, 0, false, true, "2027-07-23", "2027-07-23", "2027-07-23"},
        {BENEFIT_SUPPORT_INCIDENT, 0, 0, false, true, "2027-07-30", "2027-07-31", "2027-07-31"},
        {BENEFIT_SUPPORT_INCIDENT, 0, 0, true, true, "2027-07-30", "2027-07-31", NULL},
        {BENEFIT_SUPPORT_INCIDENT, 0, 0, false, false, "2027-06-25", "2027-06-26", NULL},
        {BENEFIT_TRAINING, 0, 0, false, true, "2026-06-23", "2026-06-24", "2027-06-23"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct benefit_facts g = grant(rows[i].kind, 3, rows[i].used, 60, &s, rows[i].state_on);
        g.current_term = rows[i].current;
        struct date next = {0, 0, 0};
        bool any =
            benefit_next_check(&g, rows[i].reminded, rows[i].revoked, D(rows[i].from), &next);
        char got[DATE_STRLEN] = "never";
        if (any)
            date_format(next, got);
        if (any != (rows[i].next != NULL) || (any && strcmp(got, rows[i].next) != 0))
            fail_msg("row %zu: %s, want %s", i, got, rows[i].next ? rows[i].next : "never");
    }
}

static void test_catalog_change_keeps_granted_deadline(void **state)
{
    (void)state;
    /* a grant keeps the deadline computed when it was granted: a later rule of 30 days
     * computes another date for the next term, never for this one */
    struct sub_facts s = sub();
    struct benefit_facts g = grant(BENEFIT_CLOUD_SUBSCRIPTION, 5, 0, 90, &s, "2026-09-01");
    struct date later_rule = benefit_deadline(s.starts_on, s.expires_on, 30);
    assert_true(date_cmp(later_rule, D("2026-09-01")) < 0);
    expect(&g, "2026-09-01", BENEFIT_AVAILABLE, 5);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(benefit_kind_name(BENEFIT_CLOUD_SUBSCRIPTION), "cloud_subscription");
    assert_string_equal(benefit_state_name(BENEFIT_SUSPENDED), "suspended");
    assert_int_equal(benefit_kind_parse("support_incident"), BENEFIT_SUPPORT_INCIDENT);
    assert_int_equal(benefit_kind_parse("software"), -1);
    assert_int_equal(benefit_kind_parse(NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grant_and_use),
        cmocka_unit_test(test_suspended_in_the_window),
        cmocka_unit_test(test_revoked_on_lapse_and_cancellation),
        cmocka_unit_test(test_restored_by_renewal),
        cmocka_unit_test(test_activation_deadline),
        cmocka_unit_test(test_deadline_reminders),
        cmocka_unit_test(test_next_check),
        cmocka_unit_test(test_catalog_change_keeps_granted_deadline),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
