/*
 * service/renewals.c - automatic renewal (SPEC section 3).
 *
 * Automatic renewal of one subscription is three steps, like Buy, done for up to
 * RENEWAL_BATCH due subscriptions at a time:
 *   1. claim: in one transaction for the batch, each one's renewal_attempts row (unique per
 *      subscription, term and try: a second process, or a second pass, cannot make it
 *      again), its order and its payment row, whose gateway idempotency key is
 *      "auto:<subscription>:<term>:<try>";
 *   2. the charges, outside any transaction, up to gateway.charges_at_once at a time in a
 *      pass (card_send_many: a gateway is a network away, and its answers are waited for
 *      together);
 *   3. their outcomes, settled in one transaction for the batch (card_settle_sent).
 * A batch whose transaction fails is done again one subscription at a time. One that the
 * database refuses even alone is logged and tried again the next day (a claim) or at the
 * next pass (a settlement, from the attempt it left pending); the others, and the pages
 * after, go on, and the job reports the first failure.
 * A process killed after 1 leaves a 'pending' attempt; the next pass charges it again with
 * the same key, which the gateway answers with the first charge's outcome: one charge per
 * key, whatever happens.
 *
 * A subscription whose organisation asked for its cancellation, the request not yet
 * answered, is not renewed: support decides first. It is looked at again the next day,
 * and renewed once the request is closed without a cancellation (a resolution turns
 * auto-renew off). The request is opened with the subscription locked, so it comes before
 * the claim's read, or after the claim: then the try claimed is charged, and support
 * refunds it.
 *
 * A pass reads only the subscriptions whose renewal check day has come (migration 024), a
 * page at a time. After the page's tries, each one looked at gets its next day, the row
 * locked and read again (a declined try's next, a try waiting for the partner: not before
 * it ends), but those renewed: a new term writes its first days (confirm.c).
 */
#include "service/renewals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/date.h"
#include "core/fault.h"
#include "gateway/gateway.h"
#include "log.h"
#include "service/audit.h"
#include "service/card.h"
#include "service/check_days.h"
#include "service/eligibility.h"
#include "service/notices.h"
#include "service/pricing.h"
#include "service/settings.h"
#include "service/tx.h"
#include "store/orders.h"
#include "store/payments.h"
#include "store/renewals.h"
#include "store/subscriptions.h"
#include "store/support.h"

/* Due subscriptions claimed in one transaction, then settled in one: fewer commits, each
 * writing the pages it touched to the WAL again, and each charge still keyed once. */
#define RENEWAL_BATCH 128
/* the next check days of a page are written SUBS_READ_MAX at a time: each transaction's
 * subscriptions locked and read in one statement */
#define CHECK_BATCH SUBS_READ_MAX

struct sub_facts renewals_facts(const struct sub_row *s, int window_days)
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

/* The renewal order of subscription s, paid by the saved card o already holds. */
static void order_fill(struct order_row *o, const struct sub_row *s, int64_t now)
{
    id_new("ord", o->id, sizeof(o->id));
    snprintf(o->partner_id, sizeof(o->partner_id), "%s", s->partner_id);
    snprintf(o->offer_code, sizeof(o->offer_code), "%s", s->offer_code);
    snprintf(o->action, sizeof(o->action), "renewal");
    snprintf(o->subscription_id, sizeof(o->subscription_id), "%s", s->id);
    snprintf(o->status, sizeof(o->status), "processing");
    snprintf(o->payment_method, sizeof(o->payment_method), "card");
    o->save_card = true;
    /* the card it is paid with is the one saved now: its payment has nothing to save */
    snprintf(o->saved_card, sizeof(o->saved_card), "%s", o->card_token);
    o->saved_card_known = true;
    o->created_at = now;
}

/* A subscription whose try is due today. */
struct due {
    const struct sub_row *s;
    int64_t term;
    int try;
    bool made;    /* its try was made */
    bool renewed; /* and succeeded: the new term wrote its check days */
};

static int due_by_id(const void *a, const void *b)
{
    return strcmp(((const struct due *)a)->s->id, ((const struct due *)b)->s->id);
}

/* Step 1 for one subscription, in the caller's transaction, the subscription locked: 1 with
 * the order and key when the attempt was made, 0 when there is nothing to do, negative when
 * the database failed. The rules of a manual renewal and a saved card are asked here only,
 * under the lock: one that cannot be renewed now (prerequisites missing, no card, an open
 * renewal order; another process renewed it first) is not claimed, and is looked at again
 * the next day, or at the next pass once what kept it changes (subs_recheck_renewals).
 * Prerequisites missing, the partner is told why, once a term: it was told the renewal
 * would be automatic (no card, it was told it would not be; an open order is its own). */
static int claim_in(struct db *db, const struct settings *set, const struct due *d,
                    struct order_row *o, char *key, size_t keylen)
{
    const struct sub_row *s = d->s;
    struct pd_error err = {0};
    struct renewal_attempt_new a = {.term = d->term, .try = d->try};
    char pay_id[32];
    int64_t now = clock_now();
    int64_t term = d->term;
    int try = d->try;
    struct sub_row fresh;
    memset(o, 0, sizeof(*o));
    /* read again under the lock: the partner may have turned automatic renewal off, or
     * support cancelled, since the pass read it (a transaction of theirs that came first) */
    int rc = subs_find_locked(db, s->id, &fresh);
    if (rc <= 0)
        return rc;
    if (!fresh.auto_renew || !fresh.paid || fresh.cancelled_on[0] ||
        strcmp(fresh.managed_in, "partner_center") != 0)
        return 0;
    /* a cancellation asked for: held until support answers (not due today: tomorrow) */
    char request[32];
    if ((rc = requests_open_cancellation(db, s->id, request, sizeof(request))) != 0) {
        if (rc == 1)
            log_line(LOG_INFO, NULL, "renewal_held", "subscription=%s cancellation_request=%s",
                     s->id, request);
        return rc < 0 ? rc : 0;
    }
    /* the rules of a manual renewal hold: window, prerequisites, no open renewal order */
    rc = eligibility_renewal(db, set, &fresh, &err);
    if (rc == PD_E_PREREQUISITES_NOT_MET) {
        int told = notices_renewal_refused(db, &fresh, (int)set->renewal_window_days, err.details);
        rc = told < 0 ? told : rc;
    }
    if (rc >= 0 && (rc = payment_method_get(db, s->partner_id, o)) == 0)
        rc = PD_E_NO_SAVED_CARD;
    pd_error_clear(&err);
    /* the database failing is not a rule saying no: on PostgreSQL it has aborted the
     * transaction, which must not be taken for written */
    if (rc < 0 && pd_status_is_failure(rc))
        return rc;
    if (rc < 0) /* not due after all: nothing was written */
        return 0;
    order_fill(o, s, now);
    snprintf(key, keylen, "auto:%s:%lld:%d", s->id, (long long)term, try);
    id_new("ren", a.id, sizeof(a.id));
    snprintf(a.subscription_id, sizeof(a.subscription_id), "%s", s->id);
    snprintf(a.order_id, sizeof(a.order_id), "%s", o->id);
    date_format(clock_today(), a.attempted_on);
    rc = pricing_order(db, set, s->partner_id, s->offer_code, o, &err);
    if (rc >= 0)
        rc = orders_insert(db, o, now);
    if (rc >= 0)
        rc = payments_insert(db, o->id, 1, "card", key, o->total, o->currency, now, pay_id,
                             sizeof(pay_id));
    if (rc >= 0)
        rc = renewal_attempt_insert(db, &a, now);
    if (rc >= 0)
        rc = audit(db, NULL, NULL, s->partner_id, "renewal.attempted", "subscription", s->id,
                   json_pack("{s:I, s:i, s:s, s:s}", "term", (json_int_t)term, "try", try,
                             "order_id", o->id, "card", o->card_last4));
    pd_error_clear(&err);
    return rc < 0 ? rc : 1;
}

/* After a claim refused as a duplicate: true when the try is another process's (the tries
 * of d's term now count it, or a new term began), false when the refusal is the row's own
 * (a constraint its data breaks). */
static bool made_elsewhere(struct db *db, const struct due *d)
{
    struct renewal_tries t;
    if (renewal_tries_of(db, d->s->id, &t) < 0)
        return false;
    return t.term != d->term || t.failed + (t.open_or_done ? 1 : 0) >= d->try;
}

/* Step 1 for one subscription, in a transaction of its own. */
static int claim(struct db *db, const struct settings *set, const struct due *d,
                 struct card_sent *c)
{
    struct pd_error err = {0};
    int rc = tx_begin(db, &err);
    int made = rc < 0 ? rc : claim_in(db, set, d, &c->order, c->key, sizeof(c->key));
    rc = tx_end(db, made < 0 ? made : 0, &err);
    pd_error_clear(&err);
    if (rc < 0)
        return rc == PD_E_DB_CONSTRAINT && made_elsewhere(db, d) ? 0 : rc;
    return made;
}

/* Step 1 for a batch, in one transaction: the attempts made go into sent (*count of them).
 * Should the transaction fail (another process made one of these tries: a unique key; a
 * deadlock on PostgreSQL), each is claimed again in its own. */
static int claim_batch(struct db *db, const struct settings *set, struct due *due, int n,
                       struct card_sent *sent, int *count)
{
    struct pd_error err = {0};
    int made = 0;
    bool made_here[RENEWAL_BATCH] = {false};
    int rc = tx_begin(db, &err);
    for (int i = 0; rc >= 0 && i < n; i++) {
        rc = claim_in(db, set, &due[i], &sent[made].order, sent[made].key, sizeof(sent[made].key));
        made_here[i] = rc == 1;
        made += rc == 1;
    }
    fault_pause("renewal.claimed"); /* tests: a Buy of the same renewal meanwhile */
    if (rc >= 0 && fault_fail("renewal.claim_batch")) /* tests: the path below */
        rc = PD_E_DB;
    rc = tx_end(db, rc < 0 ? rc : 0, &err);
    pd_error_clear(&err);
    if (rc >= 0) {
        for (int i = 0; i < n; i++)
            due[i].made = made_here[i];
        *count = made;
        return 0;
    }
    /* one the database refuses is logged and left for the next pass: the others go on */
    made = 0;
    int first = 0;
    for (int i = 0; i < n; i++) {
        if ((rc = claim(db, set, &due[i], &sent[made])) < 0) {
            log_line(LOG_ERROR, NULL, "renewal_claim", "subscription=%s error=%d", due[i].s->id,
                     rc);
            first = first < 0 ? first : rc;
            continue;
        }
        due[i].made = rc == 1;
        made += rc;
    }
    *count = made;
    return first;
}

/* Steps 1 to 3 for a batch of due subscriptions: claimed together, charged several at once,
 * settled together. The number renewed, or negative. */
static int renew_batch(struct db *db, const struct settings *set, struct due *due, int n)
{
    struct card_sent *sent = calloc((size_t)n, sizeof(*sent));
    int count = 0;
    if (sent == NULL)
        return PD_E_INTERNAL;
    int claimed = claim_batch(db, set, due, n, sent, &count);
    if (count > 0) /* what this process is charging now, should it stop before the end */
        log_line(LOG_INFO, NULL, "renewal_claim", "claimed=%d", count);
    card_send_many(db, set, sent, count, (int)set->gateway_charges_at_once);
    for (int k = 0, j = 0; k < n && j < count; k++) /* sent holds the made ones, in order */
        if (due[k].made)
            due[k].renewed = sent[j++].g.outcome == GW_SUCCEEDED;
    int rc = card_settle_sent(db, set, sent, count);
    /* a pass over many renewals says how far it got, a batch at a time */
    if (rc >= 0 && count > 0)
        log_line(LOG_INFO, NULL, "renewal_batch", "claimed=%d renewed=%d", count, rc);
    free(sent);
    return claimed < 0 ? claimed : rc;
}

int renewals_action_deadline(struct db *db, const struct settings *set, const struct order_row *o,
                             int64_t *until)
{
    struct sub_row s;
    struct date tried_on;
    char day[DATE_STRLEN];
    int try = 0;
    int rc = renewal_try_of_order(db, o->id, &try, day);
    if (rc == 1 && (rc = subs_find(db, o->subscription_id, &s)) == 1 &&
        date_parse(day, &tried_on) == 0) {
        struct sub_facts f = renewals_facts(&s, (int)set->renewal_window_days);
        *until = date_start_instant(sub_auto_renew_deadline(&f, try, tried_on));
    }
    return rc < 0 ? rc : 0;
}

/* A pending try first sent this long ago (real time) is not sent again on the strength of
 * its key alone: a gateway keeps a key a day (Stripe: 24 hours), after which the same key
 * charges again. It is looked up first: one the gateway has (settled by payment_recovery,
 * which runs before) is not sent again; one it never saw is, as it has no charge behind it
 * (a lookup may miss a charge only its first minute). */
#define REPLAY_SECONDS 3600

/* True when the pending try p may be sent again with its own key. */
static bool may_send_again(const struct payment_row *p)
{
    int64_t sent = p->sent_at ? p->sent_at : p->created_at;
    if (clock_real_now() - sent < REPLAY_SECONDS)
        return true;
    struct gw_result g;
    return gateway_lookup(p->key, &g) >= 0 && g.outcome == GW_NOT_FOUND;
}

/* Charges the attempts a killed process left pending, with their own keys; a try that waits
 * for the partner (the bank asked to authenticate it) is the recovery job's, not charged
 * again, nor is one the gateway has (may_send_again). One whose settlement the database
 * refuses is logged and left pending: it does not hold up the others, nor the day's
 * renewals (*failed: the first such). */
static int finish_pending(struct db *db, int *failed)
{
    char(*orders)[32] = NULL;
    int n = 0, done = 0;
    int rc = renewal_pending_orders(db, &orders, &n);
    for (int i = 0; rc >= 0 && i < n; i++) {
        struct order_row o;
        struct payment_row p[4];
        int np = 0;
        enum gw_outcome outcome;
        if (orders_find(db, orders[i], &o) != 1 || payments_of(db, o.id, p, 4, &np) < 0 || np == 0)
            continue;
        if (p[0].action_expires_at != 0 || np > 1 || !may_send_again(&p[0]))
            continue;
        int one = card_charge(db, NULL, &o, p[0].key, &outcome);
        if (one < 0) {
            log_line(LOG_ERROR, NULL, "card_settle", "order=%s error=%d", o.id, one);
            *failed = *failed < 0 ? *failed : one;
        }
        done += one >= 0 && outcome == GW_SUCCEEDED;
    }
    free(orders);
    return rc < 0 ? rc : done;
}

/* The try of subscription s due today (1..SUB_AUTO_TRIES) by its tries so far, and its term,
 * or 0; with next, also the next day the pass must look at s again (NEVER: not before its
 * facts change). */
static int try_from(const struct sub_row *s, const struct renewal_tries *tries, int window,
                    struct date today, int64_t *term, struct date *next)
{
    const struct renewal_tries t = *tries;
    struct date last_on = {0};
    *term = t.term;
    if (t.last_on[0])
        date_parse(t.last_on, &last_on);
    struct sub_facts f = renewals_facts(s, window);
    int try = t.open_or_done ? 0 : sub_auto_renew_try(&f, t.failed, last_on, today);
    if (next) /* a try due but not made (not eligible today, no card): tomorrow */
        *next = try > 0 ? date_add_days(today, 1)
                        : sub_auto_renew_next_check(&f, t.failed, last_on, t.open_or_done, today);
    return try;
}

/* try_from() of s's tries as they are now. */
static int try_due(struct db *db, const struct sub_row *s, int window, struct date today,
                   int64_t *term, struct date *next)
{
    struct renewal_tries t;
    int rc = renewal_tries_of(db, s->id, &t);
    return rc < 0 ? rc : try_from(s, &t, window, today, term, next);
}

/* The tries due among a page's subscriptions into due[] (*ndue of them), their tries read
 * RENEWAL_TRIES_READ_MAX to a statement. */
static int page_due(struct db *db, struct sub_row *subs, int n, int window, struct date today,
                    struct due *due, int *ndue)
{
    *ndue = 0;
    for (int from = 0; from < n; from += RENEWAL_TRIES_READ_MAX) {
        int count = n - from < RENEWAL_TRIES_READ_MAX ? n - from : RENEWAL_TRIES_READ_MAX;
        const char *ids[RENEWAL_TRIES_READ_MAX];
        struct renewal_tries t[RENEWAL_TRIES_READ_MAX];
        for (int i = 0; i < count; i++)
            ids[i] = subs[from + i].id;
        int rc = renewal_tries_of_many(db, ids, count, t);
        if (rc < 0)
            return rc;
        for (int i = 0; i < count; i++) {
            int64_t term = 0;
            int try = try_from(&subs[from + i], &t[i], window, today, &term, NULL);
            if (try > 0)
                due[(*ndue)++] = (struct due){.s = &subs[from + i], .term = term, .try = try};
        }
    }
    return 0;
}

/* The subscriptions of a page whose next check day is written (which[], n of them), for
 * tx_batch_job(); those of the transaction under way locked and read again in its begin, in
 * one statement. */
struct renew_checks {
    const struct sub_row *subs;
    const int *which;
    int window;
    struct date today;
    bool stale; /* the window changed since the pass began (read in each transaction) */
    int from;   /* the transaction's first step: subs[which[from + k]] is read into rows[k] */
    struct sub_row rows[CHECK_BATCH];
    bool found[CHECK_BATCH];
};

static int checks_tx_begin(struct db *db, int from, int to, void *arg)
{
    struct renew_checks *c = arg;
    const char *ids[CHECK_BATCH];
    int rc = check_days_stale(db, c->window, &c->stale);
    c->from = from;
    for (int i = from; i < to; i++)
        ids[i - from] = c->subs[c->which[i]].id;
    return rc < 0 ? rc : subs_find_locked_many(db, ids, to - from, c->rows, c->found);
}

/* Writes when the pass looks at subscription i again, from its facts and tries as they are
 * now (after this pass's try, if any), the row locked: a change by another process comes
 * before (and is read) or after (and sets the day back to "now"); a change of the window
 * cannot come before the transaction ends (checks_tx_begin's shared lock). */
static int check_step(struct db *db, int i, void *arg)
{
    const struct renew_checks *c = arg;
    struct date next;
    int64_t term = 0;
    char day[DATE_STRLEN];
    int k = i - c->from;
    if (!c->found[k]) /* gone */
        return 0;
    const struct sub_row *s = &c->rows[k];
    int rc = try_due(db, s, c->window, c->today, &term, &next);
    if (rc < 0)
        return rc;
    rc = check_days_value(c->stale, next, day);
    rc = subs_set_check(db, SUBS_CHECK_RENEW, s->id, rc == 1 ? day : NULL);
    return rc < 0 ? rc : 0;
}

/* A page's due subscriptions, in parts renewed at once, each on a connection of its own:
 * part k is tx_workers_part()'s k of due. In the order of their ids, as in one part, so two
 * parts' claims never wait for each other in a circle. */
struct renew_parts {
    const struct settings *set;
    struct due *due;
    int n, parts;
};

static int renew_part(struct db *db, int k, void *arg)
{
    const struct renew_parts *p = arg;
    int from, to;
    tx_workers_part(p->n, k, p->parts, &from, &to);
    int done = to > from ? renew_batch(db, p->set, p->due + from, to - from) : 0;
    if (done < 0)
        log_line(LOG_ERROR, NULL, "auto_renewal", "batch of %d from subscription=%s error=%d",
                 to - from, p->due[from].s->id, done);
    return done;
}

int renewals_run(const struct tx_workers *w, void (*progress)(int done, int total))
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
    int failed = 0; /* the first renewal the database refused, logged: the job's answer */
    int renewed = finish_pending(db, &failed);
    if (renewed < 0)
        return renewed;
    int64_t total = 0;
    if (progress && (rc = subs_checks_count(db, SUBS_CHECK_RENEW, day, &total)) < 0)
        return rc;
    /* the subscriptions whose check day has come, a page at a time: the tries due among
     * them, then when each is looked at again */
    struct subs_due_key key = {.check_on = "", .id = ""}, last;
    struct due due[RENEWAL_BATCH];
    struct tx_batch_job jobs[TX_WORKERS_MAX];
    /* a context for each connection's check transactions */
    struct renew_checks *checks = calloc((size_t)w->n, sizeof(*checks));
    int seen = 0;
    if (checks == NULL)
        return PD_E_INTERNAL;
    for (;;) {
        struct sub_row *subs = NULL;
        int n = 0, ndue = 0;
        if ((rc = subs_checks_due(db, SUBS_CHECK_RENEW, day, &key, RENEWAL_BATCH, &subs, &n,
                                  &last)) < 0 ||
            n == 0) {
            free(subs);
            break;
        }
        rc = page_due(db, subs, n, window, today, due, &ndue);
        if (rc >= 0 && ndue > 0) {
            /* claimed and settled in the order of their ids, as every transaction that
             * locks several subscriptions takes them (subs_find_locked_many): two servers'
             * batches then never wait for each other in a circle */
            qsort(due, (size_t)ndue, sizeof(due[0]), due_by_id);
            fault_pause("renewals.due_read"); /* tests: auto-renew turned off meanwhile */
            int done[TX_WORKERS_MAX] = {0};
            struct renew_parts parts = {
                .set = &set, .due = due, .n = ndue, .parts = tx_workers_parts(w, ndue)};
            int refused = tx_workers_run(w, parts.parts, renew_part, &parts, done);
            for (int k = 0; k < parts.parts; k++)
                renewed += done[k] > 0 ? done[k] : 0;
            /* a renewal the database refused (logged by its part): the others went on */
            if (refused < 0 && failed == 0)
                failed = refused;
        }
        if (rc >= 0) {
            /* when each is looked at again, but those renewed: their new term wrote its days.
             * One whose claim was refused has its try still due: tomorrow, so that it never
             * heads the next passes' pages (a database that fails every write fails here,
             * and ends the pass) */
            bool done_here[RENEWAL_BATCH] = {false};
            int which[RENEWAL_BATCH], left = 0;
            for (int k = 0; k < ndue; k++)
                done_here[due[k].s - subs] = due[k].renewed;
            for (int i = 0; i < n; i++)
                if (!done_here[i])
                    which[left++] = i;
            for (int k = 0; k < w->n; k++) {
                checks[k] = (struct renew_checks){
                    .subs = subs, .which = which, .window = window, .today = today};
                jobs[k] = (struct tx_batch_job){.name = "renewals.check_batch",
                                                .begin = checks_tx_begin,
                                                .step = check_step,
                                                .ctx = &checks[k]};
            }
            rc = tx_batch_spread(w, left, CHECK_BATCH, jobs);
        }
        free(subs);
        seen += n;
        if (progress)
            progress(seen, seen > total ? seen : (int)total);
        if (rc < 0)
            break;
        key = last;
    }
    if (progress && seen < total)
        progress((int)total, (int)total);
    free(checks);
    return rc < 0 ? rc : failed < 0 ? failed : renewed;
}
