/* benefit.c - the state of a benefit grant from dates. Table-tested in
 * tests/unit/test_benefit.c at every boundary. */
#include "benefit.h"

#include <string.h>

static const char *kind_names[] = {"software_key", "cloud_subscription", "support_incident",
                                   "training", "resource"};
static const char *state_names[] = {"available", "activated", "expired", "suspended", "revoked"};

bool benefit_kind_activated(enum benefit_kind k)
{
    return k == BENEFIT_SOFTWARE_KEY || k == BENEFIT_CLOUD_SUBSCRIPTION;
}

enum benefit_state benefit_state_on(const struct benefit_facts *f, struct date today)
{
    /* a term a renewal replaced is over, whatever became of the subscription since */
    if (!f->current_term)
        return BENEFIT_EXPIRED;
    /* a deadline passed with nothing activated: gone, whatever the subscription does */
    if (benefit_kind_activated(f->kind) && f->has_deadline && f->used == 0 &&
        date_cmp(today, f->activate_by) > 0)
        return BENEFIT_EXPIRED;
    if (f->sub_state == SUB_LAPSED || f->sub_state == SUB_CANCELLED)
        return BENEFIT_REVOKED;
    if (f->sub_state == SUB_RENEWAL_WINDOW)
        return BENEFIT_SUSPENDED;
    if (f->sub_state != SUB_ACTIVE || date_cmp(today, f->starts_on) < 0)
        return BENEFIT_SUSPENDED; /* not begun: nothing to use yet */
    if (date_cmp(today, f->ends_on) > 0)
        return BENEFIT_EXPIRED;
    if (f->quantity > 0 && f->used >= f->quantity)
        return BENEFIT_ACTIVATED;
    if (benefit_kind_activated(f->kind) && f->has_deadline && date_cmp(today, f->activate_by) > 0)
        return f->used > 0 ? BENEFIT_ACTIVATED : BENEFIT_EXPIRED;
    return BENEFIT_AVAILABLE;
}

int benefit_remaining(const struct benefit_facts *f, struct date today)
{
    enum benefit_state s = benefit_state_on(f, today);
    if (s == BENEFIT_REVOKED || s == BENEFIT_EXPIRED || f->quantity <= 0)
        return 0;
    if (s == BENEFIT_ACTIVATED && benefit_kind_activated(f->kind))
        return 0; /* past the deadline, what is left can no longer be activated */
    return f->quantity - f->used;
}

bool benefit_can_use(const struct benefit_facts *f, int count, struct date today)
{
    if (count <= 0 || f->quantity <= 0 || benefit_state_on(f, today) != BENEFIT_AVAILABLE)
        return false;
    if (f->kind == BENEFIT_TRAINING || f->kind == BENEFIT_RESOURCE)
        return false;
    return f->used + count <= f->quantity;
}

int benefit_reminder_due(const struct benefit_facts *f, int reminded, struct date today)
{
    if (!benefit_kind_activated(f->kind) || !f->has_deadline || f->used > 0 ||
        benefit_state_on(f, today) != BENEFIT_AVAILABLE)
        return 0;
    int left = date_diff_days(today, f->activate_by);
    if (left < 0)
        return 0;
    if (left <= 7)
        return reminded == 7 ? 0 : 7;
    if (left <= 30)
        return reminded == 30 || reminded == 7 ? 0 : 30;
    return 0;
}

bool benefit_next_check(const struct benefit_facts *f, int reminded, bool revoked, struct date from,
                        struct date *next)
{
    bool deadline = benefit_kind_activated(f->kind) && f->has_deadline;
    if (revoked || !f->current_term)
        return false;
    if (deadline && f->used == 0 && date_cmp(f->activate_by, from) < 0)
        return false; /* expired for good: neither reminded nor revoked any more */
    /* the revocation: not before the term ends while the subscription is active, nor
     * before it lapses while it is in its renewal window (suspended, not revoked) */
    struct date after_term = date_add_days(f->ends_on, 1);
    struct date due = from;
    if (f->sub_state == SUB_ACTIVE && date_cmp(after_term, from) > 0)
        due = after_term;
    else if (f->sub_state == SUB_RENEWAL_WINDOW && date_cmp(f->lapses_on, from) > 0)
        due = f->lapses_on;
    /* the reminders: 30 days ahead, then 7, while nothing is activated */
    if (deadline && f->used == 0 && reminded != 7) {
        struct date r = date_add_days(f->activate_by, reminded == 30 ? -7 : -30);
        if (date_cmp(r, from) < 0)
            r = from;
        if (date_cmp(r, due) < 0)
            due = r;
    }
    *next = due;
    return true;
}

struct date benefit_deadline(struct date starts_on, struct date ends_on, int deadline_days)
{
    if (deadline_days <= 0)
        return ends_on;
    struct date d = date_add_days(starts_on, deadline_days);
    return date_cmp(d, ends_on) > 0 ? ends_on : d;
}

const char *benefit_kind_name(enum benefit_kind k)
{
    return k <= BENEFIT_RESOURCE ? kind_names[k] : "unknown";
}

const char *benefit_state_name(enum benefit_state s)
{
    return s <= BENEFIT_REVOKED ? state_names[s] : "unknown";
}

int benefit_kind_parse(const char *name)
{
    for (int i = 0; name && i <= BENEFIT_RESOURCE; i++)
        if (strcmp(kind_names[i], name) == 0)
            return i;
    return -1;
}
