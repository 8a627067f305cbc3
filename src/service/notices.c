/*
 * service/notices.c - reminders and notices of the renewal calendar (SPEC section 3).
 *
 * A pass reads only the subscriptions whose notice check day has come (migration 024: the
 * next day a notice other than the last one can be due, or "now" once the subscription
 * changed), asks core/subscription.c which notice, if any, each is owed today, and writes
 * it with the next check day (sub_notice_next_check). A pass with nothing due reads one
 * index entry and writes nothing. Each row is locked and read again, since the page may be
 * stale; the notice row, unique per subscription, term and kind, and the event commit
 * together, so a notice goes out once whatever runs at the same time.
 *
 * While the organisation's request to cancel a subscription waits for support, it is sent
 * no notice: "it will renew automatically" would not be true (its renewal is held too,
 * service/renewals.c), nor would a reminder to renew be what it asked. It is looked at again
 * the next day, and told once the request is closed, if the notice is still due then.
 */
#include "service/notices.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/card.h"
#include "core/clock.h"
#include "core/date.h"
#include "log.h"
#include "service/catalog.h"
#include "service/check_days.h"
#include "service/eligibility.h"
#include "service/outbox.h"
#include "service/renewals.h"
#include "service/settings.h"
#include "service/tx.h"
#include "store/offers.h"
#include "store/payments.h"
#include "store/renewals.h"
#include "store/subscriptions.h"
#include "store/support.h"

/* The names of the offers a pass's notices name, read once a pass: an offer's names are the
 * same in all its notices, and a read for each was a round trip each on PostgreSQL. */
#define NAMES_KEPT 16
struct names_kept {
    int n;
    char code[NAMES_KEPT][sizeof(((struct sub_row *)0)->offer_code)];
    json_t *names[NAMES_KEPT];
};

/* The names of offer code (a new reference), read unless kept. */
static json_t *offer_names(struct db *db, struct names_kept *kept, const char *code)
{
    for (int i = 0; i < kept->n; i++)
        if (strcmp(kept->code[i], code) == 0)
            return json_incref(kept->names[i]);
    json_t *names = catalog_offer_names(db, code);
    /* (none read, the read may have failed: not kept) */
    if (json_object_size(names) > 0 && kept->n < NAMES_KEPT) {
        snprintf(kept->code[kept->n], sizeof(kept->code[0]), "%s", code);
        kept->names[kept->n++] = json_incref(names);
    }
    return names;
}

static void names_kept_free(struct names_kept *kept)
{
    for (int i = 0; i < kept->n; i++)
        json_decref(kept->names[i]);
    kept->n = 0;
}

/* Whether kind is no longer owed for s's term: it went out already, or a later notice did
 * (sub_notice_overtaken). 1, 0, or negative when the database failed. */
static int notice_overtaken(struct db *db, const struct sub_row *s, enum sub_notice kind)
{
    char sent[SUB_NOTICE_LAPSED + 8][NOTICE_KIND_LEN];
    int n = 0;
    int rc = renewal_notices_sent(db, s->id, sent, (int)(sizeof(sent) / sizeof(sent[0])), &n);
    for (int i = 0; rc >= 0 && i < n; i++) {
        enum sub_notice was = sub_notice_parse(sent[i]);
        if (was == kind || sub_notice_overtaken(kind, was))
            return 1;
    }
    return rc < 0 ? rc : 0;
}

/* The upcoming automatic renewal of s will be refused if its organisation has fewer certified
 * people than the offer needs on the day: ev, its notice, says so while that is the case today
 * (reason prerequisites_not_met, with both counts), so the partner is not told all is well.
 * 0, or negative when the database failed. */
static int warn_prerequisites(struct db *db, const struct sub_row *s, json_t *ev)
{
    int64_t certified = 0;
    int required = 0;
    int rc = eligibility_certified_missing(db, s->partner_id, s->offer_code, &certified, &required);
    if (rc == 1) {
        json_object_set_new(ev, "reason", json_string("prerequisites_not_met"));
        json_object_set_new(ev, "certified", json_integer(certified));
        json_object_set_new(ev, "certified_required", json_integer(required));
    }
    return rc < 0 ? rc : 0;
}

/* notice_write(): a notice is owed, held while a cancellation request waits for support */
#define NOTICE_HELD 2

/* Writes the notice subscription s is owed today, if any, with its event (automatic: it
 * renews by itself, see notices_renews_by_itself()). Returns 1 when one was written, 0 when
 * none is owed or it went out already, NOTICE_HELD when its organisation asked to cancel s
 * and support has not answered yet. */
static int notice_write(struct db *db, struct names_kept *kept, const struct sub_row *s, int window,
                        bool automatic, struct date today)
{
    struct sub_facts f = renewals_facts(s, window);
    enum sub_notice kind = sub_notice_due(&f, automatic, today);
    char day[DATE_STRLEN];
    if (kind == SUB_NOTICE_NONE)
        return 0;
    int late = notice_overtaken(db, s, kind);
    if (late != 0)
        return late < 0 ? late : 0;
    char request[32];
    int asked = requests_open_cancellation(db, s->id, request, sizeof(request));
    if (asked != 0) {
        if (asked == 1)
            log_line(LOG_INFO, NULL, "notice_held",
                     "subscription=%s kind=%s cancellation_request=%s", s->id,
                     sub_notice_name(kind), request);
        return asked < 0 ? asked : NOTICE_HELD;
    }
    /* once per subscription, term and kind: the row and the event commit together */
    int fresh = renewal_notice_insert(db, s->id, sub_notice_name(kind), date_format(today, day));
    if (fresh != 1)
        return fresh;
    struct date opens, closes;
    char o[DATE_STRLEN], c[DATE_STRLEN];
    date_renewal_window(f.expires_on, window, &opens, &closes);
    json_t *ev = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:b}", "kind",
                           sub_notice_name(kind), "subscription_id", s->id, "offer_code",
                           s->offer_code, "offer", offer_names(db, kept, s->offer_code),
                           "expires_on", s->expires_on, "opens_on", date_format(opens, o),
                           "closes_on", date_format(closes, c), "auto_renew", s->auto_renew);
    int rc = kind == SUB_NOTICE_UPCOMING_RENEWAL ? warn_prerequisites(db, s, ev) : 0;
    if (rc >= 0)
        rc = outbox_emit(db, s->partner_id, "subscription.notice", ev);
    else
        json_decref(ev);
    return rc < 0 ? rc : 1;
}

/* Whether s renews by itself: auto-renew on and a saved card to charge on the window's first
 * day (the renewals job tries nothing without one, service/renewals.c, and the bank declines
 * a card expired by then). Otherwise the partner renews by hand and is owed the reminders of a
 * manual renewal, not "will renew automatically with the saved card". The answer is the same
 * whatever the day it is asked (it depends on the expiry date, not on today). 1, 0, or
 * negative when the database failed. */
int notices_renews_by_itself(struct db *db, const struct sub_row *s)
{
    struct order_row card;
    struct date expires;
    if (!s->auto_renew)
        return 0;
    int rc = payment_method_get(db, s->partner_id, &card);
    if (rc != 1)
        return rc;
    if (date_parse(s->expires_on, &expires) != 0)
        return 1;
    return card_not_expired(card.card_exp_month, card.card_exp_year, date_add_days(expires, 1));
}

/* How many subscriptions' notices share a transaction: each is a commit (and a sync) of
 * its own otherwise, 11 600 of them on a day at 100 000 partners. */
#define NOTICE_TX 32
_Static_assert(NOTICE_TX <= SUBS_READ_MAX,
               "a transaction's subscriptions are read in one statement");

/* A page of the subscriptions whose check day has come, for tx_batch_job(); those of the
 * transaction under way locked and read again in its begin, in one statement (the page may be
 * stale: a renewal in another process moves the term on). */
struct notices_due {
    const struct sub_row *subs;
    int window;
    struct date today;
    struct names_kept *names;
    bool stale; /* the window changed since the pass began (read in each transaction) */
    int from;   /* the transaction's first step: subs[from + k] is read into rows[k] */
    struct sub_row rows[NOTICE_TX];
    bool found[NOTICE_TX];
};

static int notices_tx_begin(struct db *db, int from, int to, void *arg)
{
    struct notices_due *due = arg;
    const char *ids[NOTICE_TX];
    int rc = check_days_stale(db, due->window, &due->stale);
    due->from = from;
    for (int i = from; i < to; i++)
        ids[i - from] = due->subs[i].id;
    return rc < 0 ? rc : subs_find_locked_many(db, ids, to - from, due->rows, due->found);
}

/* One subscription's notice, in the caller's transaction, from the row as it is now, and the
 * next day the pass looks at it again: 1 when a notice was written. */
static int notice_step(struct db *db, int i, void *arg)
{
    struct notices_due *due = arg;
    char day[DATE_STRLEN];
    int k = i - due->from;
    if (!due->found[k]) /* gone */
        return 0;
    const struct sub_row *s = &due->rows[k];
    int automatic = notices_renews_by_itself(db, s);
    if (automatic < 0)
        return automatic;
    int sent = notice_write(db, due->names, s, due->window, automatic, due->today);
    if (sent < 0)
        return sent;
    struct sub_facts f = renewals_facts(s, due->window);
    struct date next = sent == NOTICE_HELD ? date_add_days(due->today, 1)
                                           : sub_notice_next_check(&f, automatic, due->today);
    int rc = check_days_value(due->stale, next, day);
    rc = subs_set_check(db, SUBS_CHECK_NOTICE, s->id, rc == 1 ? day : NULL);
    return rc < 0 ? rc : sent == 1;
}

int notices_renewal_refused(struct db *db, const struct sub_row *s, int window_days,
                            const json_t *why)
{
    struct date expires, opens, closes;
    char day[DATE_STRLEN], c[DATE_STRLEN];
    if (date_parse(s->expires_on, &expires) != 0)
        return 0;
    /* only a partner told the renewal would be automatic: without a card to renew with
     * (none saved, or one expired by then) it was told to renew by hand, and "it will be
     * tried again" would not be true */
    int automatic = notices_renews_by_itself(db, s);
    if (automatic <= 0)
        return automatic;
    date_renewal_window(expires, window_days, &opens, &closes);
    int fresh =
        renewal_notice_insert(db, s->id, "auto_renewal_refused", date_format(clock_today(), day));
    if (fresh != 1)
        return fresh;
    int rc = outbox_emit(db, s->partner_id, "subscription.notice",
                         json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:O?, s:O?, s:b}", "kind",
                                   "auto_renewal_refused", "reason", "prerequisites_not_met",
                                   "subscription_id", s->id, "offer_code", s->offer_code, "offer",
                                   catalog_offer_names(db, s->offer_code), "expires_on",
                                   s->expires_on, "closes_on", date_format(closes, c), "certified",
                                   json_object_get(why, "certified"), "certified_required",
                                   json_object_get(why, "certified_required"), "auto_renew",
                                   s->auto_renew));
    return rc < 0 ? rc : 1;
}

int notices_run(const struct tx_workers *w)
{
    struct db *db = w->db[0];
    struct date today = clock_today();
    struct settings set;
    int rc = settings_load(db, &set);
    if (rc < 0)
        return rc;
    int window = (int)set.renewal_window_days;
    char day[DATE_STRLEN];
    date_format(today, day);
    if ((rc = check_days_sync(db, window, today)) < 0)
        return rc;
    struct subs_due_key key = {.check_on = "", .id = ""}, last;
    /* a context for each connection's transactions, each with its own offer names */
    struct notices_due *due = calloc((size_t)w->n, sizeof(*due));
    struct names_kept *names = calloc((size_t)w->n, sizeof(*names));
    struct tx_batch_job jobs[TX_WORKERS_MAX];
    int sent = 0;
    if (due == NULL || names == NULL)
        rc = PD_E_INTERNAL;
    while (rc >= 0) {
        struct sub_row *subs = NULL;
        int n = 0;
        if ((rc = subs_checks_due(db, SUBS_CHECK_NOTICE, day, &key, NOTICE_TX * 4 * w->n, &subs, &n,
                                  &last)) < 0 ||
            n == 0) {
            free(subs);
            break;
        }
        for (int k = 0; k < w->n; k++) {
            due[k] = (struct notices_due){
                .subs = subs, .window = window, .today = today, .names = &names[k]};
            jobs[k] = (struct tx_batch_job){.name = "notices.batch",
                                            .begin = notices_tx_begin,
                                            .step = notice_step,
                                            .ctx = &due[k]};
        }
        rc = tx_batch_spread(w, n, NOTICE_TX, jobs);
        free(subs);
        if (rc < 0)
            break;
        sent += rc;
        key = last;
    }
    for (int k = 0; names && k < w->n; k++)
        names_kept_free(&names[k]);
    free(names);
    free(due);
    return rc < 0 ? rc : sent;
}
