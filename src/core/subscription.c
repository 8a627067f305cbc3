/* subscription.c - state and renewal eligibility from dates. Table-tested in
 * tests/unit/test_subscription.c at every boundary. */
#include "subscription.h"

#include <string.h>

static const char *state_names[] = {"pending_payment", "active", "renewal_window", "lapsed",
                                    "cancelled"};

static const char *reason_names[] = {NULL,
                                     "renewal_not_open",
                                     "renewal_window_closed",
                                     "managed_in_pmc",
                                     "cancelled",
                                     "pending_payment",
                                     "not_member",
                                     "prerequisites_not_met"};

enum sub_state sub_state_on(const struct sub_facts *f, struct date today)
{
    if (f->cancelled && date_cmp(today, f->cancelled_on) >= 0)
        return SUB_CANCELLED;
    if (!f->paid)
        return SUB_PENDING_PAYMENT;
    if (date_cmp(today, f->expires_on) <= 0)
        return SUB_ACTIVE;
    if (date_diff_days(f->expires_on, today) <= f->window_days)
        return SUB_RENEWAL_WINDOW;
    return SUB_LAPSED;
}

struct sub_renewal sub_renewal_on(const struct sub_facts *f, struct date today)
{
    struct sub_renewal r = {.eligible = false, .reason = SUB_OK};
    if (f->paid)
        date_renewal_window(f->expires_on, f->window_days, &r.opens_on, &r.closes_on);
    /* the order of these checks is the order of the answers a partner sees */
    if (f->cancelled)
        r.reason = SUB_CANCELLED_REASON;
    else if (!f->paid)
        r.reason = SUB_PENDING_PAYMENT_REASON;
    else if (f->managed_in_pmc)
        r.reason = SUB_MANAGED_IN_PMC;
    else if (!f->member)
        r.reason = SUB_NOT_MEMBER;
    else if (date_cmp(today, r.opens_on) < 0)
        r.reason = SUB_RENEWAL_NOT_OPEN;
    else if (date_cmp(today, r.closes_on) > 0)
        r.reason = SUB_RENEWAL_WINDOW_CLOSED;
    else if (f->certified < f->certified_required)
        r.reason = SUB_PREREQUISITES_NOT_MET;
    r.eligible = r.reason == SUB_OK;
    return r;
}

bool sub_is_live(const struct sub_facts *f, struct date today)
{
    enum sub_state s = sub_state_on(f, today);
    return s == SUB_PENDING_PAYMENT || s == SUB_ACTIVE || s == SUB_RENEWAL_WINDOW;
}

static const int try_day[SUB_AUTO_TRIES] = {1, 3, 7};

struct date sub_auto_renew_deadline(const struct sub_facts *f, int try, struct date tried_on)
{
    struct date opens, closes;
    date_renewal_window(f->expires_on, f->window_days, &opens, &closes);
    struct date end = try >= 1 && try < SUB_AUTO_TRIES ? date_add_days(f->expires_on, try_day[try])
                                                       : date_add_days(closes, 1);
    if (date_cmp(end, date_add_days(closes, 1)) > 0)
        end = date_add_days(closes, 1);
    struct date next_day = date_add_days(tried_on, 1);
    return date_cmp(end, next_day) < 0 ? next_day : end;
}

int sub_auto_renew_try(const struct sub_facts *f, int tries_done, struct date last_try_on,
                       struct date today)
{
    if (!f->paid || f->cancelled || f->managed_in_pmc || tries_done >= SUB_AUTO_TRIES)
        return 0;
    int day = date_diff_days(f->expires_on, today); /* 1 on the first day of the window */
    if (day < try_day[tries_done] || day > f->window_days)
        return 0;
    if (tries_done > 0 && date_cmp(today, last_try_on) <= 0)
        return 0;
    return tries_done + 1;
}

enum sub_notice sub_notice_due(const struct sub_facts *f, bool auto_renew, struct date today)
{
    if (!f->paid || f->cancelled || f->managed_in_pmc)
        return SUB_NOTICE_NONE;
    struct date opens, closes;
    date_renewal_window(f->expires_on, f->window_days, &opens, &closes);
    /* each notice from its day until the next one's, and none once it is no longer true:
     * "will renew on X" is not sent after X */
    struct date lapse_end = date_add_days(closes, 31);
    /* "7 days before it closes" is a day of the window after its opening: in a window of 8
     * days or fewer it would fall on the opening day or before the subscription expired,
     * and outrank the notices of those days (window_open never sent, "renewable only
     * until" before expiry); the window-open notice, which names the closing day, is then
     * the reminder of both */
    struct date closing = date_add_days(closes, -7);
    if (date_cmp(closing, opens) <= 0)
        closing = date_add_days(closes, 1); /* never: after its last day */
    struct {
        enum sub_notice kind;
        struct date on, last;
        bool when_auto_renew_on;
        bool when_auto_renew_off;
    } schedule[] = {
        {SUB_NOTICE_UPCOMING_RENEWAL, date_add_days(f->expires_on, -30), f->expires_on, true,
         false},
        {SUB_NOTICE_EXPIRY_30, date_add_days(f->expires_on, -30), f->expires_on, false, true},
        {SUB_NOTICE_EXPIRY_7, date_add_days(f->expires_on, -7), f->expires_on, false, true},
        /* "expires tomorrow" is true on one day only: a late one is dropped */
        {SUB_NOTICE_EXPIRY_1, date_add_days(f->expires_on, -1), date_add_days(f->expires_on, -1),
         false, true},
        {SUB_NOTICE_WINDOW_OPEN, opens, closes, false, true},
        {SUB_NOTICE_WINDOW_CLOSING, closing, closes, false, true},
        {SUB_NOTICE_LAPSED, date_add_days(closes, 1), lapse_end, true, true},
    };
    enum sub_notice due = SUB_NOTICE_NONE;
    for (size_t i = 0; i < sizeof(schedule) / sizeof(schedule[0]); i++) {
        bool applies =
            auto_renew ? schedule[i].when_auto_renew_on : schedule[i].when_auto_renew_off;
        if (applies && date_cmp(schedule[i].on, today) <= 0 &&
            date_cmp(today, schedule[i].last) <= 0)
            due = schedule[i].kind;
    }
    return due;
}

bool sub_notice_overtaken(enum sub_notice due, enum sub_notice sent)
{
    if (due == SUB_NOTICE_UPCOMING_RENEWAL || sent == SUB_NOTICE_UPCOMING_RENEWAL)
        return false;
    return sent > due; /* the enum runs in the order their dates come */
}

struct date sub_notice_next_check(const struct sub_facts *f, bool auto_renew, struct date today)
{
    enum sub_notice now = sub_notice_due(f, auto_renew, today);
    struct date opens, closes;
    date_renewal_window(f->expires_on, f->window_days, &opens, &closes);
    /* nothing is due after the lapsed notice's last day (31 days after the window closed) */
    struct date last = date_add_days(closes, 31);
    /* nor anything before the first notice's day */
    struct date d = date_add_days(today, 1), first = sub_notice_first_check(f->expires_on);
    if (date_cmp(d, first) < 0)
        d = first;
    for (; date_cmp(d, last) <= 0; d = date_add_days(d, 1)) {
        enum sub_notice due = sub_notice_due(f, auto_renew, d);
        if (due != SUB_NOTICE_NONE && due != now)
            return d;
    }
    return SUB_CHECK_NEVER;
}

struct date sub_auto_renew_next_check(const struct sub_facts *f, int tries_done,
                                      struct date last_try_on, bool open_or_done, struct date today)
{
    if (open_or_done)
        return SUB_CHECK_NEVER;
    struct date last = date_add_days(f->expires_on, f->window_days);
    for (struct date d = date_add_days(today, 1); date_cmp(d, last) <= 0; d = date_add_days(d, 1))
        if (sub_auto_renew_try(f, tries_done, last_try_on, d) > 0)
            return d;
    return SUB_CHECK_NEVER;
}

struct date sub_notice_first_check(struct date expires_on)
{
    return date_add_days(expires_on, -30);
}

struct date sub_auto_renew_first_check(struct date expires_on)
{
    return date_add_days(expires_on, try_day[0]);
}

int64_t sub_prorated(int64_t paid, struct date starts_on, struct date expires_on, struct date from)
{
    int64_t days = date_diff_days(starts_on, expires_on) + 1;
    int64_t left = date_diff_days(from, expires_on) + 1;
    if (paid <= 0 || days <= 0 || left <= 0)
        return 0;
    if (left >= days)
        return paid;
    /* paid * left / days without overflow: the whole days' part, then the remainder's */
    int64_t q = paid / days, r = paid % days;
    return q * left + (r * left * 2 + days) / (2 * days);
}

const char *sub_notice_name(enum sub_notice n)
{
    static const char *names[] = {"none",     "upcoming_renewal", "expiry_30",      "expiry_7",
                                  "expiry_1", "window_open",      "window_closing", "lapsed"};
    return n <= SUB_NOTICE_LAPSED ? names[n] : "none";
}

enum sub_notice sub_notice_parse(const char *name)
{
    for (int n = SUB_NOTICE_UPCOMING_RENEWAL; name && n <= SUB_NOTICE_LAPSED; n++)
        if (strcmp(sub_notice_name((enum sub_notice)n), name) == 0)
            return (enum sub_notice)n;
    return SUB_NOTICE_NONE;
}

const char *sub_state_name(enum sub_state s)
{
    return s <= SUB_CANCELLED ? state_names[s] : "unknown";
}

const char *sub_reason_name(enum sub_reason r)
{
    return r <= SUB_PREREQUISITES_NOT_MET ? reason_names[r] : "unknown";
}

int sub_state_parse(const char *name)
{
    for (int i = 0; name && i <= SUB_CANCELLED; i++)
        if (strcmp(state_names[i], name) == 0)
            return i;
    return -1;
}
