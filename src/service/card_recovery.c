/*
 * service/card_recovery.c - card attempts whose answer was lost, and the automatic renewal's
 * hand-over to the partner paying on session.
 *
 * A lost attempt is looked up at the gateway by its key and settled as service/card.c
 * settles an answer (card_settle: once, whoever comes first), given up when the gateway
 * never saw it, or recorded for the reason the gateway keeps with a cancelled charge: the one
 * partnerd gave when it cancelled it (an abandoned challenge, a renewal's try giving way), or
 * none (cancelled by hand at the gateway: a decline). See service/card.h for the contracts.
 */
#include "service/card.h"
#include "service/card_attempts.h"

#include <stdbool.h>
#include <string.h>

#include "core/clock.h"
#include "db/db.h"
#include "service/audit.h"
#include "service/orders.h"
#include "service/tx.h"
#include "store/orders.h"
#include "store/payments.h"

/* An attempt the gateway has not seen this long (real time) after it was sent never will:
 * longer than any gateway call may take. */
#define LOST_SECONDS 60

/* An attempt the gateway never saw, sent a minute of real time ago or more: no charge,
 * and none to come (a gateway call times out sooner). It is failed, unless a Buy sent it
 * again since it was read, and the order with it, so the partner can act: Buy again (a new
 * attempt) or choose another card. One transaction, with the order locked. */
static int give_up(struct db *db, struct order_row *o, const struct payment_row *p)
{
    struct pd_error err = {0};
    struct order_row fresh;
    int rc = tx_begin(db, &err);
    if (rc >= 0 && (rc = orders_lock(db, o->id, &fresh)) == 1)
        *o = fresh;
    if (rc >= 0)
        rc = payments_give_up(db, p->key, p->sent_at, clock_now());
    if (rc == 1 &&
        (strcmp(o->status, "processing") == 0 || strcmp(o->status, "payment_unknown") == 0)) {
        rc = orders_set_outcome(db, o, "failed", NULL, NULL, "not_sent", NULL, NULL, clock_now());
        if (rc >= 0)
            rc = audit(db, NULL, NULL, o->partner_id, "payment.failed", "order", o->id,
                       json_pack("{s:s, s:i}", "reason", "not_sent", "attempt", p->attempt));
    }
    rc = tx_end(db, rc < 0 ? rc : 0, &err);
    pd_error_clear(&err);
    return rc;
}

/* The off-session attempt, cancelled at the gateway, gives way to the partner's own: failed
 * ("authentication_required") without failing the order, in one transaction with the order
 * locked. 1 when it gave way, now or already (the gateway's event of the cancellation may
 * come first); an attempt settled otherwise meanwhile (the job's abandonment, a concurrent
 * confirmation) is left as it is. */
static int give_way(struct db *db, struct order_row *o, const struct payment_row *p)
{
    struct pd_error err = {0};
    struct order_row fresh;
    struct payment_row now_p;
    int gave = 0;
    int rc = tx_begin(db, &err);
    if (rc >= 0 && (rc = orders_lock(db, o->id, &fresh)) == 1)
        *o = fresh;
    if (rc >= 0 && (rc = card_attempt_of(db, o->id, p->key, &now_p)) == 1 &&
        card_attempt_lost(&now_p) && strcmp(o->status, "processing") == 0) {
        rc = payments_set(db, p->key, "failed", NULL, "authentication_required", clock_now());
        if (rc >= 0)
            rc = audit(db, NULL, NULL, o->partner_id, "payment.handed_over", "order", o->id,
                       json_pack("{s:i}", "attempt", p->attempt));
        gave = rc >= 0;
    } else if (rc == 1) {
        gave = strcmp(now_p.status, "failed") == 0 &&
               strcmp(now_p.failure_code, "authentication_required") == 0;
    }
    rc = tx_end(db, rc < 0 ? rc : 0, &err);
    pd_error_clear(&err);
    return rc < 0 ? rc : gave;
}

/* The failure code of a charge partnerd cancelled because its challenge was left too long
 * ("authentication_abandoned"), read from the reason the gateway keeps with it; NULL for
 * any other outcome (the gateway's own decline code stands). */
static const char *cancel_failure(const struct gw_result *g)
{
    return g->cancelled && g->cancel_reason == GW_CANCEL_ABANDONED ? "authentication_abandoned"
                                                                   : NULL;
}

int card_recover(struct db *db, const struct settings *set, struct order_row *o,
                 enum gw_outcome *settled)
{
    struct payment_row p[ATTEMPTS];
    int n = 0;
    int rc = payments_lost_of(db, o->id, p, ATTEMPTS, &n);
    for (int i = 0; rc >= 0 && i < n; i++) {
        if (!card_attempt_lost(&p[i]))
            continue;
        /* read before the lookup: a sender that was still within its minute then may have
         * charged since, and must not be given up on an old answer */
        int64_t real_now = clock_real_now();
        int64_t sent = p[i].sent_at ? p[i].sent_at : p[i].created_at;
        bool overdue = real_now - sent >= LOST_SECONDS || real_now < sent;
        struct gw_result g;
        if ((rc = gateway_lookup(p[i].key, &g)) < 0)
            return rc;
        if (g.outcome == GW_NOT_FOUND) {
            /* An automatic renewal's attempt is sent again by its own job instead. */
            if (overdue && !orders_automatic(o))
                rc = give_up(db, o, &p[i]);
            continue;
        }
        const char *reason = NULL;
        bool expired = p[i].action_expires_at && clock_now() >= p[i].action_expires_at;
        /* a challenge left too long: cancelled at the gateway, which says what became of it
         * (declined, no charge; or passed at the last moment) */
        if (g.outcome == GW_REQUIRES_ACTION && expired &&
            (rc = gateway_cancel(p[i].key, GW_CANCEL_ABANDONED, &g)) < 0)
            return rc;
        /* partnerd cancels a charge only while it waits for authentication, for one of two
         * reasons it gives the gateway, which keeps it with the charge: its challenge was
         * left too long (abandoned), or an automatic renewal's try gave way to the partner
         * paying on session (handed over). Whoever reads the cancelled charge first (the
         * process that cancelled it, the gateway's event of it, a later pass) records it
         * by that reason, never by the clock (a hand-over read after the try's deadline is
         * still one). A charge cancelled for any other reason, or none, was cancelled by
         * hand at the gateway (its Dashboard): a decline. */
        if (g.outcome == GW_DECLINED && g.cancelled && card_attempt_waiting(&p[i])) {
            reason = cancel_failure(&g);
            if (g.cancel_reason == GW_CANCEL_HANDED_OVER && card_off_session(p[i].key)) {
                if ((rc = give_way(db, o, &p[i])) < 0)
                    return rc;
                if (rc == 1)
                    continue;
            }
        }
        /* a lost answer found later keeps the saved card as it is; a challenge the partner
         * passed is the payment they made at Buy, and so is a charge whose Buy is still
         * waiting for its answer (the gateway's event came first): neither is lost */
        bool in_flight = strcmp(p[i].status, "pending") == 0 && !overdue;
        bool lost_answer =
            p[i].action_expires_at == 0 && g.outcome != GW_REQUIRES_ACTION && !in_flight;
        if ((rc = card_settle(db, set, o, p[i].key, &g, lost_answer, reason)) < 0)
            return rc;
        if (settled)
            *settled = g.outcome;
        if (g.outcome == GW_SUCCEEDED)
            return 1;
    }
    return rc < 0 ? rc : 0;
}

int card_hand_over(struct db *db, const struct settings *set, struct order_row *o)
{
    struct payment_row p[ATTEMPTS];
    int n = 0, gave = 0;
    int rc = payments_lost_of(db, o->id, p, ATTEMPTS, &n);
    for (int i = 0; rc >= 0 && i < n; i++) {
        if (!card_attempt_waiting(&p[i]) || !card_off_session(p[i].key))
            continue;
        struct gw_result g;
        if ((rc = gateway_cancel(p[i].key, GW_CANCEL_HANDED_OVER, &g)) < 0)
            return rc;
        if (g.outcome == GW_SUCCEEDED) { /* authenticated meanwhile: that is the payment */
            rc = card_settle(db, set, o, p[i].key, &g, false, NULL);
            return rc < 0 ? rc : 0;
        }
        if (g.outcome != GW_DECLINED)
            return 0; /* not cancelled: it still waits, and the partner's would charge twice */
        if (!g.cancelled || g.cancel_reason != GW_CANCEL_HANDED_OVER) {
            /* ended otherwise first (the job abandoned it, someone cancelled it by hand,
             * the bank declined it): that is its outcome, and nothing was handed over */
            rc = card_settle(db, set, o, p[i].key, &g, false, cancel_failure(&g));
            return rc < 0 ? rc : 0;
        }
        if ((rc = give_way(db, o, &p[i])) < 0)
            return rc;
        gave += rc;
    }
    return rc < 0 ? rc : gave > 0;
}
