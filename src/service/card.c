/*
 * service/card.c - paying an order by card: attempt, charge, settlement (the recovery of
 * lost answers and the renewal's hand-over: service/card_recovery.c).
 *
 * An attempt is a payments row whose idempotency key ("<order id>:<attempt>", or the
 * automatic renewal's own key) goes to the gateway with the charge. Its outcome is settled
 * with the order's row locked and read again: two processes may settle one order (a
 * pending renewal taken over, a lost answer looked up), and the second then finds it
 * confirmed and writes nothing.
 */
#include "service/card.h"
#include "service/card_attempts.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/card.h"
#include "core/clock.h"
#include "core/fault.h"
#include "core/date.h"
#include "core/msg.h"
#include "db/db.h"
#include "log.h"
#include "service/audit.h"
#include "service/confirm.h"
#include "service/eligibility.h"
#include "service/gateway_customers.h"
#include "service/orders.h"
#include "service/outbox.h"
#include "service/renewals.h"
#include "service/tx.h"
#include "store/order_effects.h"
#include "store/payments.h"

/* A challenge (3-D Secure) the partner has not completed this long (business clock) after it
 * was asked is abandoned: cancelled at the gateway, no charge, and the order failed. */
#define ACTION_SECONDS ((int64_t)30 * 60)

/* Names that carry card data in any gateway's or form's vocabulary. */
static bool card_data_key(const char *k)
{
    static const char *const names[] = {"card", "number",      "cvc", "cvv",           "cvv2",
                                        "pan",  "card_number", "csc", "security_code", NULL};
    for (int i = 0; names[i]; i++)
        if (strcmp(k, names[i]) == 0)
            return true;
    return false;
}

/* The dotted path of the first card datum under v (path holds its own path), or false. */
static bool find_card_data(const json_t *v, char *path, size_t n)
{
    size_t len = strlen(path);
    if (json_is_string(v))
        return card_pan_in(json_string_value(v));
    if (json_is_object(v)) {
        const char *k;
        json_t *child;
        json_object_foreach((json_t *)v, k, child)
        {
            snprintf(path + len, n - len, "%s%s", len ? "." : "", k);
            if (card_data_key(k) || find_card_data(child, path, n))
                return true;
            path[len] = '\0';
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *child;
        json_array_foreach(v, i, child)
        {
            snprintf(path + len, n - len, "%s%zu", len ? "." : "", i);
            if (find_card_data(child, path, n))
                return true;
            path[len] = '\0';
        }
    }
    return false;
}

int card_data_refuse(const json_t *body, struct pd_error *err)
{
    char path[256] = "";
    if (!find_card_data(body, path, sizeof(path)))
        return 0;
    /* the field is named, never the value */
    return pd_fail_field(err, PD_E_CARD_DATA_REFUSED, path, MSG_FIELD_CARD_DATA_REFUSED, NULL);
}

bool card_attempt_lost(const struct payment_row *p)
{
    return strcmp(p->status, "pending") == 0 || strcmp(p->status, "unknown") == 0;
}

bool card_off_session(const char *key)
{
    return strncmp(key, "auto:", 5) == 0;
}

bool card_attempt_waiting(const struct payment_row *p)
{
    return card_attempt_lost(p) && p->action_expires_at != 0;
}

/* A text of the catalog in every language, {"fr": ..., "en": ...}, for an event. */
static json_t *every_language(enum msg_id id)
{
    json_t *texts = json_object();
    for (int l = 0; l < LANG__COUNT; l++) {
        const char *tag = msg_lang_tag((enum msg_lang)l);
        json_object_set_new(texts, tag, json_string(msg_text(id, tag)));
    }
    return texts;
}

/* A lost attempt that the gateway has not seen, sent again with its own key, so it is
 * charged at most once whoever else sends it: marked sent now (the recovery job then leaves
 * it a minute more), and the order processing again. */
static int resend(struct db *db, const struct principal *who, const char *ip, struct order_row *o,
                  const struct payment_row *p, char *key, size_t n, struct pd_error *err)
{
    int rc = payments_resend(db, p->key, clock_real_now(), clock_now());
    if (rc >= 0 && strcmp(o->status, "processing") != 0)
        rc = orders_set_outcome(db, o, "processing", NULL, NULL, NULL, NULL, NULL, clock_now());
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "payment.resent", "order", o->id,
                   json_pack("{s:i}", "attempt", p->attempt));
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    snprintf(key, n, "%s", p->key);
    return 0;
}

int card_attempt(struct db *db, const struct settings *set, const struct principal *who,
                 const char *ip, struct order_row *o, bool lost_first, char *key, size_t n,
                 struct pd_error *err)
{
    struct payment_row prior[ATTEMPTS + 1];
    struct offer_row offer;
    char pay_id[32];
    int nprior = 0;
    /* every attempt in one read: an order never has more than ATTEMPTS (one more is refused
     * below), so this gives the count, the highest number and the lost ones */
    int rc = payments_of(db, o->id, prior, ATTEMPTS + 1, &nprior);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    const struct payment_row *last_lost = NULL;
    for (int i = 0; i < nprior; i++)
        if (card_attempt_lost(&prior[i]))
            last_lost = &prior[i];
    int last = nprior ? prior[nprior - 1].attempt : 0; /* read in the order of attempts */
    if (last_lost && lost_first)
        return 1;
    if (last_lost) /* looked up, not found and not given up: sent again with its own key */
        return resend(db, who, ip, o, last_lost, key, n, err);
    /* an automatic renewal whose off-session try the bank asked to authenticate, handed over
     * to the partner (card_hand_over): processing, with no attempt in flight */
    bool handed_over = strcmp(o->status, "processing") == 0 && orders_automatic(o) && nprior > 0;
    if (!handed_over && strcmp(o->status, "review") != 0 && strcmp(o->status, "failed") != 0 &&
        strcmp(o->status, "payment_unknown") != 0) {
        pd_fail(err, PD_E_ORDER_STATE, "order is %s", o->status);
        pd_error_detail(err, "status", json_string(o->status));
        return PD_E_ORDER_STATE;
    }
    if (nprior >= ATTEMPTS) {
        pd_fail(err, PD_E_PAYMENT_ATTEMPTS, "order has %d attempts", nprior);
        pd_error_detail(err, "max_attempts", json_integer(ATTEMPTS));
        return PD_E_PAYMENT_ATTEMPTS;
    }
    if ((rc = eligibility_order(db, set, o, &offer, err)) < 0)
        return rc;
    /* after the highest, whatever came before: never a key already sent */
    int attempt = last + 1;
    snprintf(key, n, "%s:%d", o->id, attempt);
    rc = payments_insert(db, o->id, attempt, "card", key, o->total, o->currency, clock_now(),
                         pay_id, sizeof(pay_id));
    if (rc >= 0)
        rc = orders_set_outcome(db, o, "processing", NULL, NULL, NULL, NULL, NULL, clock_now());
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "payment.attempted", "order", o->id,
                   json_pack("{s:i, s:s, s:s}", "attempt", attempt, "brand", o->card_brand, "last4",
                             o->card_last4));
    return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db)) : 0;
}

/* A declined charge: the order fails, and the partner is told why and what to do. */
static int record_failure(struct db *db, struct order_row *o, const char *key,
                          const struct gw_result *g, const char *reason, int64_t now)
{
    bool funds = g->outcome == GW_INSUFFICIENT_FUNDS;
    const char *code = reason ? reason : funds ? "insufficient_funds" : "payment_declined";
    int rc = payments_set(db, key, "failed", g->charge_id, code, now);
    if (rc >= 0)
        rc = orders_set_outcome(db, o, "failed", NULL, NULL, code, NULL, NULL, now);
    if (rc >= 0)
        rc = audit(db, NULL, NULL, o->partner_id, "payment.failed", "order", o->id,
                   json_pack("{s:s}", "reason", code));
    if (rc >= 0) {
        json_t *ev = orders_event(db, o);
        json_object_set_new(ev, "reason",
                            every_language(funds ? MSG_PAYMENT_REASON_INSUFFICIENT_FUNDS
                                                 : MSG_PAYMENT_REASON_DECLINED));
        json_object_set_new(ev, "next_step",
                            every_language(orders_automatic(o) ? MSG_PAYMENT_NEXT_STEP_AUTOMATIC
                                                               : MSG_PAYMENT_NEXT_STEP_MANUAL));
        rc = outbox_emit(db, o->partner_id, "payment.failed", ev);
    }
    return rc;
}

/* An automatic renewal's off-session try the bank asked to authenticate: the partner is
 * told at once (the outbox; the email leaves with the delivery job) with the link of the
 * page where they pay on session, and until when. */
static int tell_action(struct db *db, const struct settings *set, const struct order_row *o,
                       int64_t until)
{
    char link[sizeof(set->portal_url) + 64], last[DATE_STRLEN];
    snprintf(link, sizeof(link), "%s/paiement/%s", set->portal_url, o->id);
    json_t *ev = orders_event(db, o);
    json_object_set_new(ev, "link", json_string(link));
    /* the last day it waits: the day before the next try */
    json_object_set_new(ev, "pay_by",
                        json_string(date_format(date_add_days(date_of_instant(until), -1), last)));
    return outbox_emit(db, o->partner_id, "payment.action_required", ev);
}

/* An attempt waits for the cardholder's authentication (at g->action_url, when the gateway
 * gave one): kept with when it is given up (a Buy's challenge: half an hour; an automatic
 * renewal's: the try's deadline, the next try's day); the order stays processing (shown as
 * requires_action). */
static int record_action(struct db *db, const struct settings *set, struct order_row *o,
                         const char *key, const struct gw_result *g, int64_t now)
{
    int64_t until = now + ACTION_SECONDS;
    int rc = orders_automatic(o) ? renewals_action_deadline(db, set, o, &until) : 0;
    if (rc >= 0)
        rc = payments_set_action(db, key, g->action_url, until, now);
    if (rc >= 0 && strcmp(o->status, "processing") != 0)
        rc = orders_set_outcome(db, o, "processing", NULL, NULL, NULL, NULL, NULL, now);
    if (rc >= 0)
        rc = audit(db, NULL, NULL, o->partner_id, "payment.requires_action", "order", o->id,
                   json_pack("{s:s, s:b}", "key", key, "off_session", card_off_session(key)));
    if (rc >= 0 && card_off_session(key))
        rc = tell_action(db, set, o, until);
    return rc;
}

/* The outcome g of the attempt with key, in the caller's transaction (reason: the failure
 * code of a decline, NULL for the gateway's). pending: NULL, or where a success leaves the
 * end of its confirmation for the caller (confirm_order_begin()). */
static int record_outcome(struct db *db, const struct settings *set, struct order_row *o,
                          const char *key, const struct gw_result *g, const char *reason,
                          struct confirm_pending *pending)
{
    char today[DATE_STRLEN];
    int64_t now = clock_now();
    int rc;
    if (g->outcome == GW_SUCCEEDED) {
        rc = payments_set(db, key, "succeeded", g->charge_id, NULL, now);
        date_format(clock_today(), today);
        if (rc >= 0)
            rc = pending ? confirm_order_begin(db, set, o, today, g->charge_id, pending)
                         : confirm_order(db, set, o, today, g->charge_id, NULL);
    } else if (g->outcome == GW_UNKNOWN) {
        rc = payments_set(db, key, "unknown", NULL, "timeout", now);
        if (rc >= 0)
            rc = orders_set_outcome(db, o, "payment_unknown", NULL, NULL, "timeout", NULL, NULL,
                                    now);
    } else if (g->outcome == GW_REQUIRES_ACTION) {
        rc = record_action(db, set, o, key, g, now);
    } else {
        rc = record_failure(db, o, key, g, reason, now);
    }
    /* an automatic renewal's try ends with its payment (a purchase has none) */
    if (rc >= 0 && g->outcome != GW_UNKNOWN && g->outcome != GW_REQUIRES_ACTION &&
        strcmp(o->action, "renewal") == 0)
        rc = order_effects_end_attempt(db, o->id,
                                       g->outcome == GW_SUCCEEDED ? "succeeded" : "failed", now);
    return rc;
}

int card_attempt_of(struct db *db, const char *order_id, const char *key, struct payment_row *p)
{
    return payments_find(db, order_id, key, p);
}

/* Settles the outcome of one attempt, in the caller's transaction, with the order locked
 * and *o read under that lock (*o becomes what was written to it). An attempt settled meanwhile
 * by another caller (the gateway's event and the partner's return, in any order, or one of
 * them twice) is left as it is: its outcome is written exactly once. */
static int settle_in(struct db *db, const struct settings *set, struct order_row *o,
                     const char *key, const struct gw_result *g, bool recovered, const char *reason,
                     struct confirm_pending *pending)
{
    /* a charge whose answer was lost and found later never replaces the saved card: the
     * partner may have gone on with another card meanwhile */
    if (recovered)
        o->save_card = false;
    struct payment_row p;
    int found = card_attempt_of(db, o->id, key, &p);
    int rc = found < 0 ? found : 0;
    /* settled already (by another process, or an event seen twice): nothing left to write;
     * a challenge already known needs nothing written either */
    bool settled = found == 1 && !card_attempt_lost(&p);
    bool known = found == 1 && g->outcome == GW_REQUIRES_ACTION && p.action_expires_at != 0;
    /* confirmed already: another process settled it, and nothing is left to write */
    if (rc >= 0 && strcmp(o->status, "confirmed") != 0 && !settled && !known)
        rc = record_outcome(db, set, o, key, g, reason, pending);
    return rc;
}

/* The order locked, and *o the row as it stands now: 1, or 0 when there is no such order
 * (nothing to settle), or negative. */
static int lock_fresh(struct db *db, struct order_row *o)
{
    struct order_row fresh;
    int rc = orders_lock(db, o->id, &fresh);
    if (rc == 1)
        *o = fresh;
    return rc;
}

int card_settle(struct db *db, const struct settings *set, struct order_row *o, const char *key,
                const struct gw_result *g, bool recovered, const char *reason)
{
    struct pd_error err = {0};
    int rc = tx_begin(db, &err);
    if (rc >= 0 && (rc = lock_fresh(db, o)) == 1)
        rc = settle_in(db, set, o, key, g, recovered, reason, NULL);
    rc = tx_end(db, rc, &err);
    pd_error_clear(&err);
    return rc;
}

/* One charge's request, in buffers of its own, and where its answer goes. */
struct charge_call {
    struct gw_charge_req req;
    char back[96], customer[48];
    bool payer;
    struct gw_result *g;
};

/* The request for the order's charge with key, on the caller's connection: the payer at a
 * gateway that keeps methods per customer (Stripe) is read, or made once. */
static void charge_prepare(struct db *db, const struct settings *set, const struct order_row *o,
                           const char *key, struct gw_result *g, struct charge_call *c)
{
    memset(g, 0, sizeof(*g));
    memset(c, 0, sizeof(*c));
    snprintf(c->back, sizeof(c->back), "/paiement/%s", o->id);
    c->payer = gateway_customer_of(db, o->partner_id, c->customer, sizeof(c->customer)) >= 0;
    c->req = (struct gw_charge_req){.payment_method = o->card_token,
                                    .amount = o->total,
                                    .currency = o->currency,
                                    .key = key,
                                    .off_session = card_off_session(key),
                                    .return_url = c->back,
                                    .customer = c->customer,
                                    .save = o->save_card,
                                    .site = set->portal_url};
    c->g = g;
}

/* Sends it: no database. No payer (the gateway unreachable): nothing sent, and the attempt is
 * looked up and sent again as a lost one. */
static void charge_go(struct charge_call *c)
{
    if (!c->payer || gateway_charge(&c->req, c->g) < 0)
        c->g->outcome = GW_UNKNOWN; /* the ledger could not be reached: look it up next time */
}

void card_send(struct db *db, const struct settings *set, const struct order_row *o,
               const char *key, struct gw_result *g)
{
    struct charge_call c;
    fault_pause("buy.attempted");
    charge_prepare(db, set, o, key, g, &c);
    charge_go(&c);
    fault_pause("buy.charged");
}

/* The charges card_send_many() has sent and not had answered yet, in this process: the parts
 * of a renewal pass (one on each jobs connection) share their at_once. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    int sending;
} gw_slots = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};

/* The calls of one card_send_many(), taken in turn by its threads. */
struct charge_queue {
    struct charge_call *calls;
    int n, at_once;
    _Atomic int next;
};

static void *charge_thread(void *arg)
{
    struct charge_queue *q = arg;
    for (int i; (i = atomic_fetch_add(&q->next, 1)) < q->n;) {
        pthread_mutex_lock(&gw_slots.lock);
        while (gw_slots.sending >= q->at_once)
            pthread_cond_wait(&gw_slots.freed, &gw_slots.lock);
        gw_slots.sending++;
        pthread_mutex_unlock(&gw_slots.lock);
        charge_go(&q->calls[i]);
        pthread_mutex_lock(&gw_slots.lock);
        gw_slots.sending--;
        pthread_cond_broadcast(&gw_slots.freed);
        pthread_mutex_unlock(&gw_slots.lock);
    }
    return NULL;
}

/* charge_thread() on a thread of its own, whose processor time the job's log line counts. */
static void *charge_helper(void *arg)
{
    charge_thread(arg);
    clock_helper_ends();
    return NULL;
}

void card_send_many(struct db *db, const struct settings *set, struct card_sent *sent, int n,
                    int at_once)
{
    struct charge_queue q = {.n = n, .at_once = at_once < 1 ? 1 : at_once, .next = 0};
    if (q.at_once > CARD_SENDS_MAX)
        q.at_once = CARD_SENDS_MAX;
    if (gateway_in_process()) /* no network to wait for: threads would only take turns */
        q.at_once = 1;
    if (n <= 0)
        return;
    if ((q.calls = calloc((size_t)n, sizeof(*q.calls))) == NULL) {
        for (int i = 0; i < n; i++) /* one after another */
            card_send(db, set, &sent[i].order, sent[i].key, &sent[i].g);
        return;
    }
    fault_pause("buy.attempted");
    for (int i = 0; i < n; i++)
        charge_prepare(db, set, &sent[i].order, sent[i].key, &sent[i].g, &q.calls[i]);
    /* the calling thread sends too; a thread that cannot be started leaves its share to
     * the others */
    pthread_t threads[CARD_SENDS_MAX];
    int started = 0;
    for (int t = 1; t < q.at_once && t < n; t++)
        if (pthread_create(&threads[started], NULL, charge_helper, &q) == 0)
            started++;
    charge_thread(&q);
    for (int t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    fault_pause("buy.charged");
    free(q.calls);
}

int card_charge(struct db *db, const struct settings *set, struct order_row *o, const char *key,
                enum gw_outcome *outcome)
{
    struct settings loaded;
    struct gw_result g;
    if (set == NULL) {
        int rc = settings_load(db, &loaded);
        if (rc < 0)
            return rc;
        set = &loaded;
    }
    card_send(db, set, o, key, &g);
    *outcome = g.outcome;
    return card_settle(db, set, o, key, &g, false, NULL);
}

int card_settle_sent(struct db *db, const struct settings *set, struct card_sent *sent, int n)
{
    struct pd_error err = {0};
    if (n == 0)
        return 0;
    /* the batch's invoices are numbered at its end (confirm_orders_end) */
    struct confirm_pending *pending = calloc((size_t)n, sizeof(*pending));
    if (pending == NULL)
        return PD_E_INTERNAL;
    int rc = tx_begin(db, &err);
    /* every order of the batch locked before anything is written: a webhook or a Buy that
     * holds one of them then never waits for what the batch took meanwhile (the invoice
     * counter), nor the batch for it, at the same time */
    for (int i = 0; rc >= 0 && i < n; i++)
        if ((rc = lock_fresh(db, &sent[i].order)) == 0)
            sent[i].order.id[0] = '\0'; /* no such order: nothing to settle */
    for (int i = 0; rc >= 0 && i < n; i++)
        if (sent[i].order.id[0])
            rc = settle_in(db, set, &sent[i].order, sent[i].key, &sent[i].g, false, NULL,
                           &pending[i]);
    fault_pause("renewal.to_number"); /* tests: a Buy meanwhile is not held up */
    if (rc >= 0)
        rc = confirm_orders_end(db, pending, n);
    for (int i = 0; i < n; i++) /* a failure left them */
        confirm_pending_drop(&pending[i]);
    free(pending);
    if (rc >= 0 && fault_fail("renewal.settle_batch")) /* tests: the path below */
        rc = PD_E_DB;
    rc = tx_end(db, rc < 0 ? rc : 0, &err);
    pd_error_clear(&err);
    /* one that could not be written (a deadlock with another server on PostgreSQL, a
     * full disk) undoes the batch: each is settled again alone, from the order as it
     * stands, so the others still are; the first failure is the answer */
    if (rc < 0)
        log_line(LOG_WARN, NULL, "card_settle", "batch of %d undone, settled one by one: error=%d",
                 n, rc);
    int first = 0;
    for (int i = 0; rc < 0 && i < n; i++) {
        int one = sent[i].order.id[0]
                      ? card_settle(db, set, &sent[i].order, sent[i].key, &sent[i].g, false, NULL)
                      : 0;
        if (one < 0)
            log_line(LOG_ERROR, NULL, "card_settle", "order=%s error=%d", sent[i].order.id, one);
        if (one < 0 && first == 0)
            first = one;
    }
    if (first < 0)
        return first;
    int succeeded = 0;
    for (int i = 0; i < n; i++)
        succeeded += sent[i].order.id[0] && sent[i].g.outcome == GW_SUCCEEDED;
    return succeeded;
}

int card_pay(struct db *db, const struct settings *set, struct order_row *o, const char *key,
             struct pd_error *err)
{
    enum gw_outcome outcome;
    int rc = card_charge(db, set, o, key, &outcome);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (outcome == GW_DECLINED)
        return pd_fail(err, PD_E_PAYMENT_DECLINED, NULL);
    if (outcome == GW_INSUFFICIENT_FUNDS)
        return pd_fail(err, PD_E_INSUFFICIENT_FUNDS, NULL);
    /* no answer, unless the gateway's signed event settled it meanwhile (the order as
     * card_settle() read it, locked) */
    if (outcome == GW_UNKNOWN && strcmp(o->status, "confirmed") != 0)
        return pd_fail(err, PD_E_PAYMENT_UNKNOWN, NULL);
    return 0; /* confirmed, or waiting for the cardholder's challenge (requires_action) */
}

int card_pending_action(struct db *db, const struct order_row *o, char *url, size_t n,
                        int64_t *expires_at)
{
    struct payment_row p[ATTEMPTS];
    int count = 0;
    if (strcmp(o->status, "processing") != 0 && strcmp(o->status, "payment_unknown") != 0)
        return 0;
    int rc = payments_lost_of(db, o->id, p, ATTEMPTS, &count);
    if (rc < 0)
        return rc;
    for (int i = count - 1; i >= 0; i--) {
        if (!card_attempt_waiting(&p[i]))
            continue;
        *expires_at = p[i].action_expires_at;
        /* off session: the partner pays on session from the portal's page */
        if (card_off_session(p[i].key)) {
            snprintf(url, n, "/paiement/%s", o->id);
            return 2;
        }
        if (p[i].action_url[0] == '\0')
            continue;
        snprintf(url, n, "%s", p[i].action_url);
        return 1;
    }
    return 0;
}
