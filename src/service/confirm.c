/*
 * service/confirm.c - a paid order's effect: a term, an invoice, a confirmation.
 *
 * The term starts on the payment date, not on the order's date: a wire transfer received
 * ten days after Buy gives a term from that day (SPEC section 4). A renewal clears the
 * auto-renew lock (SPEC section 3). Everything here runs inside the transaction that
 * settled the payment, so a payment is never recorded without its term and invoice.
 */
#include "service/confirm.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/date.h"
#include "core/subscription.h"
#include "service/audit.h"
#include "service/benefits.h"
#include "service/invoice_issue.h"
#include "service/orders.h"
#include "service/outbox.h"
#include "store/invoices.h"
#include "store/offers.h"
#include "store/order_effects.h"
#include "store/payments.h"
#include "store/subscriptions.h"

/* The subscription the order pays for and its new term, numbered (*term), starting on start
 * and ending on end; a purchase's new subscription is created, and o names it. */
static int start_term(struct db *db, struct order_row *o, const char *start, const char *end,
                      const char *source, int64_t now, char *sub_id, size_t n, int *term)
{
    int rc;
    if (strcmp(o->action, "renewal") == 0 || o->subscription_id[0]) {
        snprintf(sub_id, n, "%s", o->subscription_id);
        /* the jobs look at the new term from its first days: nothing is due before */
        struct date expires;
        char notice_on[DATE_STRLEN] = "", renew_on[DATE_STRLEN] = "";
        if (date_parse(end, &expires) == 0) {
            date_format(sub_notice_first_check(expires), notice_on);
            date_format(sub_auto_renew_first_check(expires), renew_on);
        }
        rc = order_effects_start_term(db, sub_id, start, end, notice_on, renew_on, now);
        if (rc >= 0)
            rc = subs_add_next_term(db, sub_id, start, end, source, true, now, term);
        return rc == 0 ? PD_E_INTERNAL : rc; /* no such subscription */
    }
    struct sub_row s;
    memset(&s, 0, sizeof(s));
    id_new("sub", s.id, sizeof(s.id));
    snprintf(s.partner_id, sizeof(s.partner_id), "%s", o->partner_id);
    snprintf(s.offer_code, sizeof(s.offer_code), "%s", o->offer_code);
    snprintf(s.managed_in, sizeof(s.managed_in), "partner_center");
    s.paid = true;
    snprintf(s.starts_on, sizeof(s.starts_on), "%s", start);
    snprintf(s.expires_on, sizeof(s.expires_on), "%s", end);
    s.auto_renew = true;
    *term = 1;
    snprintf(sub_id, n, "%s", s.id);
    snprintf(o->subscription_id, sizeof(o->subscription_id), "%s", s.id);
    rc = subs_insert(db, &s, now);
    return rc < 0 ? rc : subs_add_term(db, s.id, 1, start, end, source, true, now);
}

/* Whether o is paid with the card that was saved when it was made: its payment has nothing to
 * save. An automatic renewal charges the card saved when it was claimed (those claimed before
 * orders recorded it, migration 030, included); a Buy with the saved card records that card. */
static bool paid_with_saved_card(const struct order_row *o)
{
    return orders_automatic(o) ||
           (o->saved_card_known && strcmp(o->saved_card, o->card_token) == 0);
}

/* order.confirmed (subscription.renewed for an automatic renewal), but for the invoice a
 * draft is to be: an invoice issued before (a wire order's) is named already. */
static json_t *confirmed_event(struct db *db, const struct order_row *o, const char *sub_id,
                               const char *paid_on, const char *start, const char *end,
                               bool drafted)
{
    struct invoice_row inv;
    json_t *ev = orders_event(db, o);
    json_object_set_new(ev, "subscription_id", json_string(sub_id));
    json_object_set_new(ev, "paid_on", json_string(paid_on));
    json_object_set_new(ev, "starts_on", json_string(start));
    json_object_set_new(ev, "expires_on", json_string(end));
    if (!drafted && o->invoice_id[0] && invoices_find(db, o->invoice_id, &inv, NULL) == 1) {
        json_object_set_new(ev, "invoice_id", json_string(inv.id));
        json_object_set_new(ev, "invoice_number", json_string(inv.number));
    }
    return ev;
}

int confirm_order_begin(struct db *db, const struct settings *set, struct order_row *o,
                        const char *paid_on, const char *charge_id, struct confirm_pending *pending)
{
    struct offer_row offer;
    struct date paid;
    char start[DATE_STRLEN], end[DATE_STRLEN], sub_id[32];
    int64_t now = clock_now();
    int term = 1;
    memset(pending, 0, sizeof(*pending));
    int rc = offers_find(db, o->offer_code, &offer);
    if (rc <= 0)
        return rc < 0 ? rc : PD_E_INTERNAL;
    date_parse(paid_on, &paid);
    date_format(paid, start);
    date_format(date_term_end(paid, offer.term_months), end);

    const char *source = orders_automatic(o)                 ? "auto_renewal"
                         : strcmp(o->action, "renewal") == 0 ? "renewal"
                                                             : "purchase";
    rc = start_term(db, o, start, end, source, now, sub_id, sizeof(sub_id), &term);
    if (rc >= 0) /* the term's benefits, as the catalog has them now (issue 18) */
        rc = benefits_grant_term(db, sub_id, o->partner_id, o->offer_code, term, start, end);
    /* a card order's invoice is issued now, due (and paid) on its date: read now, numbered
     * by confirm_orders_end() */
    if (rc >= 0 && o->invoice_id[0] == '\0' &&
        (rc = invoice_draft(db, set, o, NULL, paid_on, start, end, &pending->draft)) >= 0)
        pending->drafted = true;
    /* the card paid with is saved, unless the partner saved another since ordering */
    if (rc >= 0 && strcmp(o->payment_method, "card") == 0 && o->save_card &&
        !paid_with_saved_card(o))
        rc = payment_method_save_paid(db, o, now);
    if (rc >= 0)
        rc = orders_set_outcome(db, o, "confirmed", paid_on,
                                pending->drafted ? pending->draft.id : NULL, NULL, sub_id, NULL,
                                now);
    if (rc >= 0)
        rc = audit(db, NULL, NULL, o->partner_id, "order.confirmed", "order", o->id,
                   json_pack("{s:s, s:s, s:s?, s:s, s:s}", "subscription_id", sub_id, "paid_on",
                             paid_on, "charge_id", charge_id, "starts_on", start, "expires_on",
                             end));
    if (rc >= 0) {
        pending->o = o;
        pending->event = confirmed_event(db, o, sub_id, paid_on, start, end, pending->drafted);
    } else {
        confirm_pending_drop(pending);
    }
    return rc < 0 ? rc : 0;
}

void confirm_pending_drop(struct confirm_pending *pending)
{
    if (pending->drafted)
        invoice_draft_drop(&pending->draft);
    json_decref(pending->event);
    pending->event = NULL;
    pending->o = NULL;
}

int confirm_orders_end(struct db *db, struct confirm_pending *pending, int n)
{
    struct invoice_draft **drafts = calloc((size_t)(n > 0 ? n : 1), sizeof(struct invoice_draft *));
    struct invoice_issued *issued = calloc((size_t)(n > 0 ? n : 1), sizeof(*issued));
    /* a batch's events are recorded together, at its end (outbox_emit_many) */
    struct outbox_event *events = n > 1 ? calloc((size_t)n, sizeof(*events)) : NULL;
    int m = 0, nevents = 0, rc = drafts && issued && (n <= 1 || events) ? 0 : PD_E_INTERNAL;
    for (int i = 0; rc >= 0 && i < n; i++)
        if (pending[i].o && pending[i].drafted)
            drafts[m++] = &pending[i].draft;
    if (rc >= 0)
        rc = invoice_drafts_issue(db, drafts, m, issued);
    for (int i = 0, j = 0; i < n; i++) {
        if (pending[i].o == NULL)
            continue;
        if (pending[i].drafted && rc >= 0) {
            json_object_set_new(pending[i].event, "invoice_id", json_string(issued[j].id));
            json_object_set_new(pending[i].event, "invoice_number", json_string(issued[j].number));
            j++;
        }
        if (pending[i].drafted) /* issued, or dropped by invoice_drafts_issue() already */
            invoice_draft_drop(&pending[i].draft);
        pending[i].drafted = false;
        const char *name =
            orders_automatic(pending[i].o) ? "subscription.renewed" : "order.confirmed";
        json_t *ev = pending[i].event;
        pending[i].event = NULL;
        if (rc < 0)
            json_decref(ev);
        else if (events)
            events[nevents++] = (struct outbox_event){pending[i].o->partner_id, name, ev};
        else
            rc = outbox_emit(db, pending[i].o->partner_id, name, ev);
        pending[i].o = NULL;
    }
    if (events && rc >= 0) /* (none was set aside otherwise) */
        rc = outbox_emit_many(db, events, nevents);
    free(events);
    free(drafts);
    free(issued);
    return rc;
}

int confirm_order(struct db *db, const struct settings *set, struct order_row *o,
                  const char *paid_on, const char *charge_id, struct invoice_issued *invoice)
{
    struct confirm_pending *pending = malloc(sizeof(*pending));
    if (pending == NULL)
        return PD_E_INTERNAL;
    int rc = confirm_order_begin(db, set, o, paid_on, charge_id, pending);
    json_t *ev = rc >= 0 ? json_incref(pending->event) : NULL; /* named by the end */
    if (rc >= 0)
        rc = confirm_orders_end(db, pending, 1);
    if (rc >= 0 && invoice) {
        const char *id = json_string_value(json_object_get(ev, "invoice_id"));
        const char *number = json_string_value(json_object_get(ev, "invoice_number"));
        snprintf(invoice->id, sizeof(invoice->id), "%s", id ? id : "");
        snprintf(invoice->number, sizeof(invoice->number), "%s", number ? number : "");
    }
    json_decref(ev);
    free(pending);
    return rc;
}
