/*
 * subscription.h - the rules of a subscription's life (SPEC section 3), as pure
 * functions of its stored facts and a business date.
 *
 * Nothing here is stored: the state and the renewal eligibility of a subscription are
 * derived each time from its dates, its flags and today's date, so they cannot drift.
 *
 *   pending_payment -> active -> renewal_window -> lapsed;  cancelled from any
 *
 *   active          today <= expires_on
 *   renewal_window  expires_on < today <= expires_on + window_days  (benefits suspended)
 *   lapsed          after the window
 *   cancelled       from cancelled_on (the effective date of a cancellation) onwards
 */
#ifndef PD_SUBSCRIPTION_H
#define PD_SUBSCRIPTION_H

#include <stdbool.h>

#include "core/date.h"

enum sub_state {
    SUB_PENDING_PAYMENT,
    SUB_ACTIVE,
    SUB_RENEWAL_WINDOW,
    SUB_LAPSED,
    SUB_CANCELLED,
};

/* Why a renewal is not possible today (SUB_OK when it is). */
enum sub_reason {
    SUB_OK,
    SUB_RENEWAL_NOT_OPEN,
    SUB_RENEWAL_WINDOW_CLOSED,
    SUB_MANAGED_IN_PMC,
    SUB_CANCELLED_REASON,
    SUB_PENDING_PAYMENT_REASON,
    SUB_NOT_MEMBER,
    SUB_PREREQUISITES_NOT_MET,
};

/* What is stored about a subscription, and about its organisation, that the rules need. */
struct sub_facts {
    bool paid;             /* false until its first payment: no term yet */
    struct date starts_on; /* the current term, when paid */
    struct date expires_on;
    bool managed_in_pmc; /* legacy, renewed in the Partner Membership Center */
    bool cancelled;
    struct date cancelled_on; /* effective date, when cancelled */
    bool member;              /* the organisation is a member of the network */
    int certified;            /* certified people the organisation has */
    int certified_required;   /* for the offer (0, 2 or 4) */
    int window_days;          /* renewal window length (setting, default 30) */
};

struct sub_renewal {
    bool eligible;
    enum sub_reason reason;
    struct date opens_on; /* meaningful when paid */
    struct date closes_on;
};

/* The state on a given day. */
enum sub_state sub_state_on(const struct sub_facts *f, struct date today);

/* Whether a renewal may be bought on a given day, and if not, why. */
struct sub_renewal sub_renewal_on(const struct sub_facts *f, struct date today);

/* True while the subscription counts as the organisation's one live subscription to its
 * offer (a new purchase of the offer is refused): pending, active or in its window. */
bool sub_is_live(const struct sub_facts *f, struct date today);

/* Automatic renewal charges the saved card on days 1, 3 and 7 of the renewal window
 * (day 1 is the day after expiry). Returns the try (1..SUB_AUTO_TRIES) due on `today`
 * when `tries_done` tries have failed before it, or 0 when none is due (not yet in the
 * window, all tries used, or the try of the day already made). `last_try_on` is the date
 * of the latest try (ignored when tries_done is 0): one try a day at most. */
#define SUB_AUTO_TRIES 3
int sub_auto_renew_try(const struct sub_facts *f, int tries_done, struct date last_try_on,
                       struct date today);

/* The first day on which try `try` (1..SUB_AUTO_TRIES), made on `tried_on`, no longer waits
 * for the partner when the bank asks to authenticate it: the day of the next try (days 3
 * and 7 of the window), the day after the window closes for the last try, and never before
 * the day after tried_on (a late try keeps one day at least). */
struct date sub_auto_renew_deadline(const struct sub_facts *f, int try, struct date tried_on);

/* The notices of SPEC section 3, in the order their dates come. */
enum sub_notice {
    SUB_NOTICE_NONE,
    SUB_NOTICE_UPCOMING_RENEWAL, /* auto-renew on: 30 days before expiry */
    SUB_NOTICE_EXPIRY_30,        /* auto-renew off: 30, 7 and 1 days before expiry */
    SUB_NOTICE_EXPIRY_7,
    SUB_NOTICE_EXPIRY_1,
    SUB_NOTICE_WINDOW_OPEN,    /* auto-renew off: the first day of the window */
    SUB_NOTICE_WINDOW_CLOSING, /* auto-renew off: 7 days before the window closes */
    SUB_NOTICE_LAPSED,         /* anyone: the day after the window closed */
};

/* The notice due on `today`: the latest whose date has come, so a job that missed days
 * sends the one that still matters rather than every one it missed, and only while its
 * words are still true on the day it goes (no upcoming-renewal notice after expiry, no
 * reminder after the window closed, no "expires tomorrow" on the expiry day: a notice
 * sent late says what is true that day, or is not sent). None for unpaid, cancelled or PMC
 * subscriptions, nor more than 31 days after the window closed. The caller sends it once per term.
 */
enum sub_notice sub_notice_due(const struct sub_facts *f, bool auto_renew, struct date today);

/* Whether the notice `due` was overtaken by `sent`, one that went out already for the same
 * term: the reminders of a manual renewal go in their order, so one a pass missed (the
 * server was down) is not sent once a later one was ("expires tomorrow", then "reminder:
 * expires on" on the expiry day). The upcoming-renewal notice is of the other chain (a
 * card saved or removed moves a subscription between them): it neither overtakes nor is
 * overtaken. */
bool sub_notice_overtaken(enum sub_notice due, enum sub_notice sent);

/* When the jobs must look at a subscription again (they keep the day on its row, so a pass
 * reads only the subscriptions whose day has come). SUB_CHECK_NEVER: not before its facts
 * change (a change of what the rules read sets its days back to "now": store/subscriptions.h,
 * SUBS_RECHECK). Both look only forward from `today`, with the facts as they are once
 * today's notice or try is done. */
#define SUB_CHECK_NEVER ((struct date){9999, 12, 31})

/* The first day after `today` on which sub_notice_due() names a notice other than none and
 * other than today's (sent today, or before), or SUB_CHECK_NEVER. */
struct date sub_notice_next_check(const struct sub_facts *f, bool auto_renew, struct date today);

/* The first day after `today` on which sub_auto_renew_try() gives a try, with tries_done
 * failed tries, the last on last_try_on; SUB_CHECK_NEVER when a try is open or done (its
 * end changes the facts) or none is left in the window. */
struct date sub_auto_renew_next_check(const struct sub_facts *f, int tries_done,
                                      struct date last_try_on, bool open_or_done,
                                      struct date today);

/* The earliest day anything can be due for a subscription that expires on expires_on: its
 * first notice (30 days before) and its first try (the day after). What a subscription
 * never looked at starts from; migration 024 writes the same in SQL. */
struct date sub_notice_first_check(struct date expires_on);
struct date sub_auto_renew_first_check(struct date expires_on);

/* The share of `paid` (minor units) that the days of the term from `from` to its expiry,
 * both included, are worth: a cancellation's prorated refund, rounded half up. All of it
 * from the first day on, nothing after expiry. */
int64_t sub_prorated(int64_t paid, struct date starts_on, struct date expires_on, struct date from);

/* Stable names: "upcoming_renewal", "expiry_30", ... */
const char *sub_notice_name(enum sub_notice n);

/* The notice of a stable name, or SUB_NOTICE_NONE for any other name. */
enum sub_notice sub_notice_parse(const char *name);

/* Stable API names: "active", "renewal_not_open", ... */
const char *sub_state_name(enum sub_state s);
const char *sub_reason_name(enum sub_reason r);

/* Parses a state name; returns -1 when unknown. */
int sub_state_parse(const char *name);

#endif
