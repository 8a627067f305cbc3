/*
 * service/notices.c - reminders and notices of the renewal calendar (SPEC section 3).
 *
 * A pass lists the subscriptions whose expiry is near (from 30 days ahead to 31 days
 * after their window closed) and asks core/subscription.c which notice, if any, each is
 * owed today. Most are owed none, or one that went out on an earlier day, and cost no
 * transaction (only reads), so a pass with nothing new writes nothing. For the others the
 * row is locked and read again, since the list may be stale (a renewal in another process
 * moves the term on); the notice row, unique per subscription, term and kind, and the event
 * commit together, so a notice goes out once whatever runs at the same time.
 */
#include "service/notices.h"

#include <stdlib.h>

#include "core/clock.h"
#include "core/date.h"
#include "service/catalog.h"
#include "service/outbox.h"
#include "service/renewals.h"
#include "service/settings.h"
#include "service/tx.h"
#include "store/offers.h"
#include "store/renewals.h"
#include "store/subscriptions.h"

/* Writes the notice subscription s is owed today, if any, with its event. Returns 1 when
 * one was written, 0 when none is owed or it went out already. */
static int notice_write(struct db *db, const struct sub_row *s, int window, struct date today)
{
    struct sub_facts f = renewals_facts(s, window);
    enum sub_notice kind = sub_notice_due(&f, s->auto_renew, today);
    int64_t term = 0;
    char day[DATE_STRLEN];
    if (kind == SUB_NOTICE_NONE)
        return 0;
    int rc = renewal_term_count(db, s->id, &term);
    if (rc < 0)
        return rc;
    /* once per subscription, term and kind: the row and the event commit together */
    int fresh =
        renewal_notice_insert(db, s->id, term, sub_notice_name(kind), date_format(today, day));
    if (fresh != 1)
        return fresh;
    struct date opens, closes;
    char o[DATE_STRLEN], c[DATE_STRLEN];
    date_renewal_window(f.expires_on, window, &opens, &closes);
    rc = outbox_emit(db, s->partner_id, "subscription.notice",
                     json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:b}", "kind",
                               sub_notice_name(kind), "subscription_id", s->id, "offer_code",
                               s->offer_code, "offer", catalog_offer_names(db, s->offer_code),
                               "expires_on", s->expires_on, "opens_on", date_format(opens, o),
                               "closes_on", date_format(closes, c), "auto_renew", s->auto_renew));
    return rc < 0 ? rc : 1;
}

/* How many subscriptions' notices share a transaction: each is a commit (and a sync) of
 * its own otherwise, 11 600 of them on a day at 100 000 partners. */
#define NOTICE_TX 32

/* The subscriptions of a pass that may owe a notice, for tx_batch(). */
struct notices_due {
    const char *ids[NOTICE_TX];
    int window;
    struct date today;
};

/* One subscription's notice, in the caller's transaction, from the row as it is now: 1 when
 * a notice was written. */
static int notice_step(struct db *db, int i, void *arg)
{
    const struct notices_due *due = arg;
    struct sub_row s;
    int rc = renewal_lock_subscription(db, due->ids[i]);
    if (rc >= 0 && (rc = subs_find(db, due->ids[i], &s)) == 1)
        return notice_write(db, &s, due->window, due->today);
    return rc < 0 ? rc : 0;
}

int notices_run(struct db *db)
{
    struct date today = clock_today();
    struct settings set;
    int rc = settings_load(db, &set);
    if (rc < 0)
        return rc;
    int window = (int)set.renewal_window_days;
    char from[DATE_STRLEN], to[DATE_STRLEN];
    /* from 30 days before expiry to 31 days after the window closed */
    date_format(date_add_days(today, -(window + 31)), from);
    date_format(date_add_days(today, 30), to);
    struct sub_row *subs = NULL;
    struct notices_due due = {.window = window, .today = today};
    int n = 0, sent = 0, ndue = 0;
    rc = subs_expiring(db, from, to, &subs, &n);
    for (int i = 0; rc >= 0 && i <= n; i++) {
        if (ndue == NOTICE_TX || (i == n && ndue > 0)) { /* a batch full, or the last */
            if ((rc = tx_batch(db, ndue, NOTICE_TX, "notices.batch", notice_step, &due)) > 0)
                sent += rc;
            ndue = 0;
        }
        if (i == n || rc < 0)
            break;
        /* a first look without a transaction: most subscriptions have nothing due */
        struct sub_facts f = renewals_facts(&subs[i], window);
        enum sub_notice kind = sub_notice_due(&f, subs[i].auto_renew, today);
        if (kind == SUB_NOTICE_NONE)
            continue;
        /* a notice is owed for days on end but goes out once: read whether it went out
         * before taking a write transaction, so a pass with nothing new writes nothing */
        int64_t term = 0;
        if ((rc = renewal_term_count(db, subs[i].id, &term)) < 0 ||
            (rc = renewal_notice_sent(db, subs[i].id, term, sub_notice_name(kind))) != 0)
            continue;
        due.ids[ndue++] = subs[i].id;
    }
    free(subs);
    return rc < 0 ? rc : sent;
}
