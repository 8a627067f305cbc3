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

/* One subscription's notice, in one transaction, from the row as it is now. Returns 1
 * when a notice was written. */
static int notice_one(struct db *db, const char *sub_id, int window, struct date today)
{
    struct pd_error err = {0};
    struct sub_row s;
    int sent = 0;
    int rc = tx_begin(db, &err);
    if (rc < 0) {
        pd_error_clear(&err);
        return rc;
    }
    if ((rc = renewal_lock_subscription(db, sub_id)) >= 0 && (rc = subs_find(db, sub_id, &s)) == 1)
        rc = sent = notice_write(db, &s, window, today);
    rc = tx_end(db, rc, &err);
    pd_error_clear(&err);
    return rc < 0 ? rc : sent;
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
    int n = 0, sent = 0;
    rc = subs_expiring(db, from, to, &subs, &n);
    for (int i = 0; rc >= 0 && i < n; i++) {
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
        rc = notice_one(db, subs[i].id, window, today);
        sent += rc == 1;
    }
    free(subs);
    return rc < 0 ? rc : sent;
}
