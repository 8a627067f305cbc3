/*
 * service/wire.c - Buy by wire transfer, and the cancellation of what is never paid.
 *
 * The order's reference is RF + check digits + 16 characters of its id (ISO 11649), so a
 * bank statement names the order by itself. The invoice of a wire order is issued at Buy,
 * due WIRE_DUE_DAYS later; its term is decided only when the money arrives
 * (service/confirm.c), from the date it was received.
 */
#include "service/wire.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/card.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/date.h"
#include "db/db.h"
#include "service/audit.h"
#include "service/eligibility.h"
#include "service/invoice_issue.h"
#include "service/orders.h"
#include "service/outbox.h"
#include "service/tx.h"
#include "store/invoices.h"
#include "store/order_effects.h"
#include "store/outbox.h"
#include "store/subscriptions.h"
#include "store/users.h"
#include "store/wire_transfers.h"

void wire_reference_new(struct order_row *o)
{
    char body[20];
    snprintf(body, sizeof(body), "%.16s", o->id + 4);
    for (char *p = body; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    rf_reference(body, o->wire_reference, sizeof(o->wire_reference));
}

json_t *wire_instructions(const struct settings *set, const struct order_row *o)
{
    if (strcmp(o->payment_method, "wire") != 0 || o->due_on[0] == '\0')
        return json_null();
    return json_pack("{s:s, s:s, s:s, s:s}", "iban", set->bank_iban, "bic", set->bank_bic,
                     "reference", o->wire_reference, "due_on", o->due_on);
}

/* A purchase's subscription, waiting for its payment: a second purchase is refused
 * meanwhile. o names it. */
static int subscription_waiting(struct db *db, struct order_row *o, int64_t now)
{
    struct sub_row s;
    memset(&s, 0, sizeof(s));
    id_new("sub", s.id, sizeof(s.id));
    snprintf(s.partner_id, sizeof(s.partner_id), "%s", o->partner_id);
    snprintf(s.offer_code, sizeof(s.offer_code), "%s", o->offer_code);
    snprintf(s.managed_in, sizeof(s.managed_in), "partner_center");
    s.auto_renew = true;
    snprintf(o->subscription_id, sizeof(o->subscription_id), "%s", s.id);
    return subs_insert(db, &s, now);
}

/* The contact the partner named for this payment, in the organisation's language: the one
 * invoice.issued gave the payment instructions to, so the one order.cancelled tells too. */
static void payer_of(struct db *db, const struct order_row *o, struct contact *payer)
{
    struct partner_row p;
    memset(payer, 0, sizeof(*payer));
    snprintf(payer->email, sizeof(payer->email), "%s", o->wire_email);
    snprintf(payer->lang, sizeof(payer->lang), "%s",
             partners_find(db, o->partner_id, &p) == 1 ? p.locale : "fr");
}

/* invoice.issued, with what the partner needs to pay. */
static int emit_invoice_issued(struct db *db, const struct settings *set, const struct order_row *o,
                               const struct invoice_issued *issued)
{
    json_t *ev = orders_event(db, o);
    json_object_set_new(ev, "invoice_id", json_string(issued->id));
    json_object_set_new(ev, "invoice_number", json_string(issued->number));
    json_object_set_new(ev, "due_on", json_string(o->due_on));
    json_object_set_new(ev, "iban", json_string(set->bank_iban));
    json_object_set_new(ev, "bic", json_string(set->bank_bic));
    json_object_set_new(ev, "reference", json_string(o->wire_reference));
    /* the payment instructions go to the contact the partner named for this payment too */
    struct contact payer;
    payer_of(db, o, &payer);
    if (o->wire_name[0])
        json_object_set_new(ev, "contact",
                            json_pack("{s:s, s:s, s:s}", "name", o->wire_name, "phone",
                                      o->wire_phone, "email", o->wire_email));
    return outbox_emit_also(db, o->partner_id, "invoice.issued", ev, &payer);
}

int wire_purchase(struct db *db, const struct settings *set, const struct principal *who,
                  const char *ip, struct order_row *o, struct pd_error *err)
{
    struct offer_row offer;
    struct invoice_issued issued;
    char due[DATE_STRLEN], start[DATE_STRLEN], end[DATE_STRLEN];
    struct date today = clock_today();
    int64_t now = clock_now();
    if (strcmp(o->status, "review") != 0) {
        pd_fail(err, PD_E_ORDER_STATE, "order is %s", o->status);
        pd_error_detail(err, "status", json_string(o->status));
        return PD_E_ORDER_STATE;
    }
    int rc = eligibility_order(db, set, o, &offer, err);
    if (rc < 0)
        return rc;
    date_format(date_add_days(today, WIRE_DUE_DAYS), due);
    date_format(today, start);
    date_format(date_term_end(today, offer.term_months), end);
    snprintf(o->due_on, sizeof(o->due_on), "%s", due);
    if (strcmp(o->action, "purchase") == 0)
        rc = subscription_waiting(db, o, now);
    if (rc >= 0)
        rc = invoice_issue(db, set, o, NULL, due, start, end, &issued);
    if (rc >= 0)
        rc = orders_set_outcome(db, o, "awaiting_payment", NULL, issued.id, NULL,
                                o->subscription_id, due, now);
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "order.awaiting_payment", "order", o->id,
                   json_pack("{s:s, s:s}", "reference", o->wire_reference, "due_on", due));
    if (rc >= 0)
        rc = emit_invoice_issued(db, set, o, &issued);
    return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db)) : 0;
}

/* order.cancelled, with why, the invoice and the credit note that cancels it; to the
 * contact named for the payment too, who was given the payment instructions and is the
 * one who would send the transfer. */
static int emit_cancelled(struct db *db, const struct order_row *o, const char *reason,
                          const char *invoice_number, const struct invoice_issued *credit)
{
    struct contact payer;
    payer_of(db, o, &payer);
    json_t *ev = orders_event(db, o);
    json_object_set_new(ev, "reason", json_string(reason));
    json_object_set_new(ev, "due_on", json_string(o->due_on));
    json_object_set_new(ev, "invoice_number", json_string(invoice_number));
    if (credit->id[0])
        json_object_set_new(ev, "credit_note_number", json_string(credit->number));
    return outbox_emit_also(db, o->partner_id, "order.cancelled", ev, &payer);
}

/* An amount in an event: minor units and currency, as a webhook's reader computes with it. */
static json_t *event_money(int64_t amount, const char *currency)
{
    return json_pack("{s:I, s:s}", "amount_minor", (json_int_t)amount, "currency", currency);
}

int wire_emit_surplus(struct db *db, const struct order_row *o,
                      const struct invoice_issued *invoice, int64_t received, int64_t surplus,
                      const char *refund_id)
{
    struct contact payer;
    payer_of(db, o, &payer);
    json_t *ev = orders_event(db, o);
    if (invoice->number[0]) {
        json_object_set_new(ev, "invoice_id", json_string(invoice->id));
        json_object_set_new(ev, "invoice_number", json_string(invoice->number));
    }
    json_object_set_new(ev, "received", event_money(received, o->currency));
    json_object_set_new(ev, "surplus", event_money(surplus, o->currency));
    json_object_set_new(ev, "refund_id", json_string(refund_id));
    return outbox_emit_also(db, o->partner_id, "payment.surplus", ev, &payer);
}

int wire_emit_returned(struct db *db, const struct order_row *o, const struct wire_transfer_row *w,
                       const char *refund_id)
{
    struct contact payer;
    payer_of(db, o, &payer);
    json_t *ev = orders_event(db, o);
    json_object_set_new(ev, "received", event_money(w->amount, w->currency));
    json_object_set_new(ev, "received_on", json_string(w->received_on));
    json_object_set_new(ev, "reference", json_string(o->wire_reference));
    json_object_set_new(ev, "refund_id", json_string(refund_id));
    return outbox_emit_also(db, o->partner_id, "payment.returned", ev, &payer);
}

/* Cancels one order awaiting its transfer, in the caller's transaction: 1 when it was still
 * awaiting payment (a transfer recorded meanwhile wins), else 0. reason goes to the audit
 * and to order.cancelled, whose email words each reason its own way (render/email.c): the
 * due date passed, the subscription was cancelled, the PMC import superseded it. The
 * transfers finance allocated to it paid no sale: they go back to finance's review, to be
 * refunded or allocated to another order, and no longer count towards this one. */
static int cancel_unpaid(struct db *db, const struct settings *set, struct order_row *o,
                         const char *today, const char *reason)
{
    struct invoice_row inv;
    struct invoice_issued credit = {.id = "", .number = ""};
    int64_t now = clock_now();
    int rc = orders_transition(db, o, "awaiting_payment", "cancelled", now);
    if (rc != 1)
        return rc;
    int reopened = wire_transfers_reopen(db, o->id, "order_cancelled");
    if (reopened < 0)
        return reopened;
    memset(&inv, 0, sizeof(inv));
    rc = invoices_find(db, o->invoice_id, &inv, NULL);
    if (rc == 1 && (rc = invoices_credited(db, inv.id)) == 0)
        rc = invoice_issue(db, set, o, &inv, NULL, NULL, NULL, &credit);
    if (rc >= 0 && !strcmp(o->action, "purchase") && o->subscription_id[0])
        rc = order_effects_cancel_unpaid(db, o->subscription_id, today, now);
    if (rc >= 0)
        rc = audit(db, NULL, NULL, o->partner_id, "order.cancelled", "order", o->id,
                   json_pack("{s:s, s:s, s:i}", "reason", reason, "due_on", o->due_on,
                             "transfers_to_review", reopened));
    if (rc >= 0)
        rc = emit_cancelled(db, o, reason, inv.number, &credit);
    return rc < 0 ? rc : 1;
}

int wire_expiry_run(struct db *db)
{
    struct settings set;
    struct order_row *rows = NULL;
    char today[DATE_STRLEN];
    int n = 0, done = 0;
    int rc = settings_load(db, &set);
    date_format(clock_today(), today);
    /* only those past their due date (due today is still on time), from an index */
    if (rc >= 0)
        rc = orders_overdue(db, today, &rows, &n);
    for (int i = 0; rc >= 0 && i < n; i++) {
        struct pd_error err = {0};
        if ((rc = tx_begin(db, &err)) >= 0) {
            int cancelled = cancel_unpaid(db, &set, &rows[i], today, "unpaid_at_due_date");
            rc = tx_end(db, cancelled, &err);
            done += rc >= 0 && cancelled == 1;
        }
        pd_error_clear(&err);
    }
    free(rows);
    return rc < 0 ? rc : done;
}

int wire_cancel_waiting(struct db *db, const struct settings *set, const char *subscription_id,
                        const char *reason)
{
    struct order_row *rows = NULL;
    char today[DATE_STRLEN];
    int n = 0, done = 0;
    date_format(clock_today(), today);
    int rc = orders_awaiting_of(db, subscription_id, &rows, &n);
    for (int i = 0; rc >= 0 && i < n; i++)
        if ((rc = orders_lock(db, rows[i].id, &rows[i])) == 1 &&
            (rc = cancel_unpaid(db, set, &rows[i], today, reason)) == 1)
            done++;
    free(rows);
    return rc < 0 ? rc : done;
}
