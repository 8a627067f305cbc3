/*
 * service/refunds.c - refunds of cancelled subscriptions.
 *
 * A refund is the prorated rest of the term, before VAT, credited by a credit note of the
 * order's invoice (invoice_credit), VAT included in the amount given back. A card charge
 * is refunded through the gateway after the commit, never inside a transaction; should
 * the gateway not answer, the refund_retry job asks again with the same key. A wire
 * payment is refunded by finance, who records the transfer.
 *
 * A transfer that paid more than its order owed leaves a surplus: finance pays it back by
 * transfer too, without a credit note (the invoice stands: the surplus was never owed). So
 * is a transfer finance sends back whole (one no order expected, or one the order no longer
 * wants): it paid nothing, so nothing is credited.
 */
#include "service/refunds.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/date.h"
#include "core/subscription.h"
#include "db/db.h"
#include "gateway/gateway.h"
#include "log.h"
#include "service/audit.h"
#include "service/invoice_issue.h"
#include "service/tx.h"
#include "service/page.h"
#include "service/validate.h"
#include "store/orders.h"
#include "store/payments.h"
#include "store/refunds.h"
#include "store/wire_transfers.h"

int refunds_make(struct db *db, const struct sub_row *s, const char *request_id, struct date today,
                 struct refund_made *out)
{
    struct order_row o;
    struct date starts, expires;
    int rc = orders_paying_term(db, s->id, &o);
    if (rc <= 0)
        return rc; /* nothing was paid here (imported from the PMC): nothing to refund */
    date_parse(s->starts_on, &starts);
    date_parse(s->expires_on, &expires);
    int64_t rest = sub_prorated(o.subtotal, starts, expires, today);
    if (rest <= 0)
        return 0;
    /* the credit note credits the days the refund pays back: from today (or the term's
     * start) to the term's end. A wire invoice's period, written at Buy, ends earlier when
     * the transfer came later than that day: the term starts on its payment. */
    char from[DATE_STRLEN];
    date_format(date_cmp(today, starts) > 0 ? today : starts, from);
    rc = invoice_credit(db, &o, rest, from, s->expires_on, out->credit_id,
                        sizeof(out->credit_id), &out->amount);
    if (rc < 0)
        return rc;
    bool card = strcmp(o.payment_method, "card") == 0 &&
                payments_succeeded_charge(db, o.id, out->charge_id, sizeof(out->charge_id)) == 1;
    if (!card)
        out->charge_id[0] = '\0';
    struct refund_new f = {.reason = "cancellation",
                           .request_id = request_id,
                           .partner_id = s->partner_id,
                           .order_id = o.id,
                           .invoice_id = o.invoice_id,
                           .credit_note_id = out->credit_id,
                           .amount = out->amount,
                           .currency = o.currency,
                           .method = card ? "card" : "wire"};
    id_new("rfd", f.id, sizeof(f.id));
    if ((rc = refund_insert(db, &f, clock_now())) < 0)
        return rc;
    snprintf(out->id, sizeof(out->id), "%s", f.id);
    return 1;
}

/* A wire refund of a transfer's money, numbered now: its id into id. */
static int insert_wire(struct db *db, struct refund_new *f, char id[32])
{
    id_new("rfd", f->id, sizeof(f->id));
    int rc = refund_insert(db, f, clock_now());
    if (rc >= 0)
        snprintf(id, 32, "%s", f->id);
    return rc;
}

int refunds_of_surplus(struct db *db, const struct order_row *o, const char *transfer_id,
                       int64_t amount, char id[32])
{
    struct refund_new f = {.reason = "surplus",
                           .partner_id = o->partner_id,
                           .order_id = o->id,
                           .invoice_id = o->invoice_id,
                           .transfer_id = transfer_id,
                           .amount = amount,
                           .currency = o->currency,
                           .method = "wire"};
    return insert_wire(db, &f, id);
}

int refunds_of_transfer(struct db *db, const struct wire_transfer_row *w, char id[32])
{
    struct refund_new f = {.reason = "transfer",
                           .partner_id = w->partner_id[0] ? w->partner_id : NULL,
                           .order_id = w->order_id[0] ? w->order_id : NULL,
                           .transfer_id = w->id,
                           .amount = w->amount,
                           .currency = w->currency,
                           .method = "wire"};
    return insert_wire(db, &f, id);
}

const char *refunds_method(const struct refund_made *f)
{
    return f->charge_id[0] ? "card" : "wire";
}

int refunds_by_gateway(struct db *db, const char *refund_id, const char *request_id,
                       const char *charge_id, int64_t amount)
{
    struct gw_result g;
    char key[64];
    snprintf(key, sizeof(key), "refund:%s", request_id);
    int rc = gateway_refund(charge_id, amount, key, &g);
    if (rc < 0 || g.outcome != GW_SUCCEEDED) {
        log_line(LOG_WARN, NULL, "refund", "refund=%s outcome=%s", refund_id,
                 gw_outcome_name(g.outcome));
        return 0;
    }
    return refund_set_refunded(db, refund_id, g.charge_id, clock_now());
}

/* The API object of a refund, for finance. */
static json_t *refund_view(const struct refund_row *f)
{
    char at[21];
    /* a cancellation's (its request, its credit note), a transfer's surplus, or a transfer
     * sent back whole (no invoice; no organisation when it named no order) */
    json_t *v = json_pack(
        "{s:s, s:s, s:s?, s:s?, s:o, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:I, s:s, "
        "s:s, s:s, s:s?, s:s?, s:s?, s:s}",
        "id", f->id, "reason", f->reason, "request_id", f->request_id, "request_number",
        f->request_number, "partner",
        f->partner_id ? json_pack("{s:s, s:s, s:s}", "id", f->partner_id, "legal_name",
                                  f->partner_legal_name, "membership_id",
                                  f->partner_membership_id)
                      : json_null(),
        "order_id", f->order_id, "invoice_id", f->invoice_id, "invoice_number",
        f->invoice_number, "credit_note_id", f->credit_note_id, "credit_note_number",
        f->credit_note_number, "wire_transfer_id", f->transfer_id, "amount_minor",
        (json_int_t)f->amount, "currency", f->currency, "method", f->method, "status", f->status,
        "gateway_refund_id", f->gateway_refund_id, "paid_on", f->paid_on, "reference",
        f->reference, "created_at", instant_format(f->created_at, at));
    /* a wire refund in a transfer file: where it went, how the statement will name it */
    json_object_set_new(v, "payee",
                        f->payee_iban
                            ? json_pack("{s:s?, s:s}", "name", f->payee_name, "iban", f->payee_iban)
                            : json_null());
    json_object_set_new(v, "end_to_end_id",
                        f->end_to_end_id ? json_string(f->end_to_end_id) : json_null());
    json_object_set_new(v, "transfer_file_id",
                        f->transfer_file_id ? json_string(f->transfer_file_id) : json_null());
    /* a transfer's refund: who sent it, from which account, as the statement said */
    json_object_set_new(v, "payer",
                        f->transfer_id && (f->payer_name || f->payer_iban)
                            ? json_pack("{s:s?, s:s?}", "name", f->payer_name, "iban",
                                        f->payer_iban)
                            : json_null());
    /* and which transfer: two sent back by one payer are told apart by day and reference */
    json_object_set_new(v, "transfer",
                        f->transfer_id && f->transfer_received_on
                            ? json_pack("{s:s, s:s?}", "received_on", f->transfer_received_on,
                                        "reference",
                                        f->transfer_reference && f->transfer_reference[0]
                                            ? f->transfer_reference
                                            : NULL)
                            : json_null());
    return v;
}

int refunds_list(struct db *db, const char *status, const struct page_in *page, json_t **items,
                 char next[CURSOR_TEXT_MAX], struct pd_error *err)
{
    static const char *const statuses[] = {"pending", "refunded", "to_pay", "sent", "paid", NULL};
    struct arena a = {0};
    struct refund_row *rows = NULL;
    struct checks c = {0};
    struct page_request p;
    int n = 0;
    page_check(&c, page, &p);
    if (!check_one_of(status, statuses))
        check_fail_one_of(&c, "status", statuses);
    if (page_checks_done(&c, err) < 0)
        return err->code;
    int rc = refund_page(db, &a, status, &p, &rows, &n);
    if (rc >= 0) {
        int shown = page_shown(&p, n);
        *items = json_array();
        for (int i = 0; i < shown; i++)
            json_array_append_new(*items, refund_view(&rows[i]));
        page_next(&p, n, shown ? rows[shown - 1].created_at : 0, shown ? rows[shown - 1].id : NULL,
                  next);
    }
    arena_free(&a);
    return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db)) : 0;
}

int refunds_record_paid(struct db *db, const struct principal *who, const char *ip, const char *id,
                        const json_t *body, json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"paid_on", "reference", NULL};
    struct checks c = {0};
    struct date d;
    check_known_keys(&c, body, "", keys);
    const char *paid_on = check_text(&c, body, "paid_on", "paid_on", true, 10);
    if (paid_on && date_parse(paid_on, &d) < 0)
        check_fail(&c, "paid_on", MSG_FIELD_DATE);
    const char *reference = check_text(&c, body, "reference", "reference", false, 64);
    int rc = check_done(&c, err);
    if (rc < 0 || (rc = tx_begin(db, err)) < 0)
        return rc;
    struct arena a = {0};
    struct refund_row f;
    json_t *view = NULL;
    rc = refund_find(db, &a, id, &f);
    if (rc == 0)
        rc = pd_fail(err, PD_E_NOT_FOUND, NULL);
    if (rc > 0 && (rc = refund_set_paid(db, id, paid_on, reference, clock_now())) == 0) {
        rc = pd_fail(err, PD_E_CONFLICT, "only a wire refund still to pay or sent");
        pd_error_detail(err, "status", json_string(f.status));
    }
    if (rc >= 0)
        rc = audit(db, who, ip, f.partner_id, "refund.paid", "refund", id,
                   json_pack("{s:s, s:s?}", "paid_on", paid_on, "reference", reference));
    if (rc >= 0) {
        f.status = "paid";
        f.paid_on = paid_on;
        f.reference = reference;
        view = refund_view(&f);
    }
    arena_free(&a);
    if ((rc = tx_end(db, rc, err)) < 0) {
        json_decref(view);
        return rc;
    }
    *out = view;
    return 0;
}

int refunds_retry_run(struct db *db)
{
    struct refund_due due[50];
    int n = 0, done = 0;
    int rc = refund_card_pending(db, due, 50, &n);
    for (int i = 0; rc >= 0 && i < n; i++) {
        char charge_id[64];
        if (payments_succeeded_charge(db, due[i].order_id, charge_id, sizeof(charge_id)) == 1)
            done +=
                refunds_by_gateway(db, due[i].id, due[i].request_id, charge_id, due[i].amount) == 1;
    }
    return rc < 0 ? rc : done;
}
