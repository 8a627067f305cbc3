/*
 * service/renewals.c - automatic renewal and the notices of SPEC section 3.
 *
 * Automatic renewal of one subscription is three steps, like Buy:
 *   1. claim: in one transaction, the renewal_attempts row (unique per subscription, term
 *      and try: a second process, or a second pass, cannot make it again), the order and
 *      its payment row, whose gateway idempotency key is "auto:<subscription>:<term>:<try>";
 *   2. the charge, outside any transaction;
 *   3. its outcome, settled by card_charge() in one transaction.
 * A process killed after 1 leaves a 'pending' attempt; the next pass charges it again with
 * the same key, which the gateway answers with the first charge's outcome: one charge per
 * key, whatever happens.
 */
#include "service/renewals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/date.h"
#include "core/subscription.h"
#include "db/db.h"
#include "log.h"
#include "service/audit.h"
#include "service/card.h"
#include "service/eligibility.h"
#include "service/pricing.h"
#include "service/outbox.h"
#include "service/settings.h"
#include "store/offers.h"
#include "store/orders.h"
#include "store/payments.h"
#include "store/subscriptions.h"

static struct sub_facts facts_of(const struct sub_row *s, int window_days)
{
    struct sub_facts f = {.paid = s->paid,
                          .managed_in_pmc = strcmp(s->managed_in, "pmc") == 0,
                          .cancelled = s->cancelled_on[0] != '\0',
                          .member = true,
                          .window_days = window_days};
    date_parse(s->starts_on, &f.starts_on);
    date_parse(s->expires_on, &f.expires_on);
    if (f.cancelled)
        date_parse(s->cancelled_on, &f.cancelled_on);
    return f;
}

static int current_term(struct db *db, const char *sub_id, int64_t *term)
{
    return db_scalar(db, term, "SELECT COUNT(*) FROM subscription_terms WHERE subscription_id = ?",
                     "t", sub_id);
}

/* Tries of this term so far: how many failed, the day of the last, and whether one is
 * still open (pending) or has succeeded. */
struct tries {
    int failed;
    struct date last_on;
    bool open_or_done;
};

static int tries_of(struct db *db, const char *sub_id, int64_t term, struct tries *t)
{
    struct db_stmt *st;
    memset(t, 0, sizeof(*t));
    int rc = db_query(db, &st,
                      "SELECT status, attempted_on FROM renewal_attempts WHERE subscription_id = "
                      "? AND term = ? ORDER BY try",
                      "ti", sub_id, term);
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (strcmp(db_column_text(st, 0), "failed") == 0)
            t->failed++;
        else
            t->open_or_done = true;
        date_parse(db_column_text(st, 1), &t->last_on);
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

/* Step 1. Returns 1 with the order and key when this process made the attempt, 0 when
 * there is nothing to do (not eligible, no card, or another process got there first). */
static int claim(struct db *db, const struct sub_row *s, int64_t term, int try,
                 struct order_row *o, char *key, size_t keylen)
{
    struct pd_error err = {0};
    char today[DATE_STRLEN], attempt_id[32], pay_id[32];
    int64_t now = clock_now();
    date_format(clock_today(), today);
    memset(o, 0, sizeof(*o));
    int rc = db_begin(db);
    if (rc < 0)
        return rc;
    db_lock_row(db, "subscriptions", s->id);
    /* the rules of a manual renewal hold: window, prerequisites, no open renewal order */
    if (eligibility_renewal(db, s->partner_id, s->offer_code, s->id, &err) < 0 ||
        payment_method_get(db, s->partner_id, o) != 1) {
        pd_error_clear(&err);
        db_rollback(db);
        return 0;
    }
    id_new("ord", o->id, sizeof(o->id));
    snprintf(o->partner_id, sizeof(o->partner_id), "%s", s->partner_id);
    snprintf(o->offer_code, sizeof(o->offer_code), "%s", s->offer_code);
    snprintf(o->action, sizeof(o->action), "renewal");
    snprintf(o->subscription_id, sizeof(o->subscription_id), "%s", s->id);
    snprintf(o->status, sizeof(o->status), "processing");
    snprintf(o->payment_method, sizeof(o->payment_method), "card");
    o->save_card = true;
    o->created_at = now;
    snprintf(key, keylen, "auto:%s:%lld:%d", s->id, (long long)term, try);
    id_new("ren", attempt_id, sizeof(attempt_id));
    rc = pricing_order(db, NULL, s->partner_id, s->offer_code, o, &err);
    pd_error_clear(&err);
    if (rc >= 0)
        rc = orders_insert(db, o, now);
    if (rc >= 0)
        rc = payments_insert(db, o->id, 1, "card", key, o->total, o->currency, now, pay_id,
                             sizeof(pay_id));
    if (rc >= 0)
        rc = (int)db_run(db,
                         "INSERT INTO renewal_attempts (id, subscription_id, term, try, order_id, "
                         "status, attempted_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?, "
                         "'pending', ?, ?, ?)",
                         "ttiittii", attempt_id, s->id, term, (int64_t)try, o->id, today, now, now);
    if (rc >= 0)
        rc = audit(db, NULL, NULL, s->partner_id, "renewal.attempted", "subscription", s->id,
                   json_pack("{s:I, s:i, s:s, s:s}", "term", (json_int_t)term, "try", try,
                             "order_id", o->id, "card", o->card_last4));
    if (rc >= 0)
        rc = db_commit(db);
    if (rc < 0) {
        db_rollback(db);
        return rc == PD_E_DB_CONSTRAINT ? 0 : rc; /* another process made this try */
    }
    return 1;
}

/* Charges the attempts a killed process left pending, with their own keys. */
static int finish_pending(struct db *db)
{
    struct db_stmt *st;
    char (*orders)[32] = NULL;
    int n = 0, cap = 0, done = 0;
    int rc = db_query(db, &st,
                      "SELECT order_id FROM renewal_attempts WHERE status = 'pending' ORDER BY id",
                      "");
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char(*grown)[32] = realloc(orders, (size_t)cap * sizeof(*orders));
            if (grown == NULL)
                break;
            orders = grown;
        }
        snprintf(orders[n++], sizeof(orders[0]), "%s", db_column_text(st, 0));
    }
    db_finalize(st);
    for (int i = 0; rc >= 0 && i < n; i++) {
        struct order_row o;
        struct payment_row p[4];
        int np = 0;
        enum gw_outcome outcome;
        if (orders_find(db, orders[i], &o) != 1 || payments_of(db, o.id, p, 4, &np) < 0 ||
            np == 0)
            continue;
        rc = card_charge(db, NULL, &o, p[0].key, &outcome);
        done += rc >= 0 && outcome == GW_SUCCEEDED;
    }
    free(orders);
    return rc < 0 ? rc : done;
}

int renewals_run(struct db *db, void (*progress)(int done, int total))
{
    struct date today = clock_today();
    int window = (int)setting_window_days(db);
    char from[DATE_STRLEN], to[DATE_STRLEN];
    /* in their window today: expired from `window` days ago to yesterday */
    date_format(date_add_days(today, -window), from);
    date_format(date_add_days(today, -1), to);

    int renewed = finish_pending(db);
    if (renewed < 0)
        return renewed;
    struct sub_row *subs = NULL;
    int n = 0;
    int rc = subs_expiring(db, from, to, &subs, &n);
    for (int i = 0; rc >= 0 && i < n; i++) {
        if (progress && (i % 100 == 0 || i == n - 1))
            progress(i + 1, n);
        const struct sub_row *s = &subs[i];
        if (!s->auto_renew)
            continue;
        int64_t term = 0;
        struct tries t;
        if ((rc = current_term(db, s->id, &term)) < 0 || (rc = tries_of(db, s->id, term, &t)) < 0)
            break;
        struct sub_facts f = facts_of(s, window);
        int try = t.open_or_done ? 0 : sub_auto_renew_try(&f, t.failed, t.last_on, today);
        if (try == 0)
            continue;
        struct order_row o;
        char key[96];
        rc = claim(db, s, term, try, &o, key, sizeof(key));
        if (rc != 1)
            continue;
        enum gw_outcome outcome;
        if ((rc = card_charge(db, NULL, &o, key, &outcome)) < 0)
            log_line(LOG_ERROR, NULL, "auto_renewal", "subscription=%s order=%s error=%d",
                     s->id, o.id, rc);
        renewed += rc >= 0 && outcome == GW_SUCCEEDED;
    }
    free(subs);
    return rc < 0 ? rc : renewed;
}

/* One subscription's notice, in one transaction. The list it came from may be stale (a
 * renewal in another process moves the term on), so the row is locked and read again and
 * the notice decided from what it says now. Returns 1 when a notice was written. */
static int notice_one(struct db *db, const char *sub_id, int window, struct date today)
{
    char today_s[DATE_STRLEN];
    struct sub_row s;
    int64_t term = 0;
    int rc = db_begin(db);
    if (rc < 0)
        return rc;
    if ((rc = db_lock_row(db, "subscriptions", sub_id)) >= 0)
        rc = subs_find(db, sub_id, &s);
    if (rc != 1) {
        db_rollback(db);
        return rc;
    }
    struct sub_facts f = facts_of(&s, window);
    enum sub_notice kind = sub_notice_due(&f, s.auto_renew, today);
    if (kind == SUB_NOTICE_NONE || (rc = current_term(db, sub_id, &term)) < 0) {
        db_rollback(db);
        return rc < 0 ? rc : 0;
    }
    /* once per subscription, term and kind: the row and the event commit together */
    int64_t fresh = db_run(db,
                           "INSERT INTO subscription_notices (subscription_id, term, kind, "
                           "sent_on) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                           "titt", sub_id, term, sub_notice_name(kind),
                           date_format(today, today_s));
    rc = fresh < 0 ? (int)fresh : 0;
    if (fresh == 1) {
        struct date opens, closes;
        char o[DATE_STRLEN], c[DATE_STRLEN];
        date_renewal_window(f.expires_on, window, &opens, &closes);
        rc = outbox_emit(db, s.partner_id, "subscription.notice",
                         json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:b}", "kind",
                                   sub_notice_name(kind), "subscription_id", s.id, "offer_code",
                                   s.offer_code, "offer", offers_names(db, s.offer_code),
                                   "expires_on", s.expires_on, "opens_on", date_format(opens, o),
                                   "closes_on", date_format(closes, c), "auto_renew",
                                   s.auto_renew));
    }
    rc = rc < 0 ? rc : db_commit(db);
    if (rc < 0) {
        db_rollback(db);
        return rc;
    }
    return fresh == 1;
}

int notices_run(struct db *db)
{
    struct date today = clock_today();
    int window = (int)setting_window_days(db);
    char from[DATE_STRLEN], to[DATE_STRLEN];
    /* from 30 days before expiry to 31 days after the window closed */
    date_format(date_add_days(today, -(window + 31)), from);
    date_format(date_add_days(today, 30), to);
    struct sub_row *subs = NULL;
    int n = 0, sent = 0;
    int rc = subs_expiring(db, from, to, &subs, &n);
    for (int i = 0; rc >= 0 && i < n; i++) {
        /* a first look without a transaction: most subscriptions have nothing due */
        struct sub_facts f = facts_of(&subs[i], window);
        if (sub_notice_due(&f, subs[i].auto_renew, today) == SUB_NOTICE_NONE)
            continue;
        rc = notice_one(db, subs[i].id, window, today);
        sent += rc == 1;
    }
    free(subs);
    return rc < 0 ? rc : sent;
}
