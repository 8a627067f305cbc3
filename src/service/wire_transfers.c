/*
 * service/wire_transfers.c - recording received transfers and matching them to orders.
 *
 * A transfer's reference is compared without spaces and in capitals. A statement's text that
 * reads more than one way (core/camt.h) names the order of its first reading that names one.
 * That order is locked and read as it stands then: a transfer recorded at the same moment, or
 * the due date's cancellation, waits for this one and then sees what it did. A matched transfer
 * confirms its order in the same transaction (service/confirm.c).
 */
#include "service/wire_transfers.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/camt.h"
#include "core/card.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/date.h"
#include "core/money.h"
#include "core/msg.h"
#include "db/db.h"
#include "service/audit.h"
#include "service/confirm.h"
#include "service/refunds.h"
#include "service/settings.h"
#include "service/tx.h"
#include "service/validate.h"
#include "service/wire.h"
#include "service/wire_statement.h"
#include "store/orders.h"
#include "store/wire_transfers.h"

/* Rows a bank statement may have. */
#define STATEMENT_ROWS 2000

/* Why a transfer of t could or could not pay the order o (found: whether there is one),
 * paid already by the transfers given to it: only what it still owes matches, so the rest
 * of a part finance allocated completes it and more than the rest is an overpayment. */
static const char *match_status(bool found, const struct order_row *o,
                                const struct wire_received *t, int64_t paid)
{
    if (!found)
        return "unknown_reference";
    if (strcmp(o->status, "awaiting_payment") != 0)
        return "not_awaiting";
    if (strcmp(o->currency, t->currency) != 0)
        return "currency_mismatch";
    if (t->amount < o->total - paid)
        return "partial";
    if (t->amount > o->total - paid)
        return "excess";
    return "matched";
}

/* Locks the order t names into *o: the first of its readings that names one. w->reference
 * gets that reading, or the first when none does. 1, 0 when none, or a db error. */
static int lock_named_order(struct db *db, const struct wire_received *t,
                            struct wire_transfer_row *w, struct order_row *o)
{
    int n = t->readings ? t->readings->count : 1;
    for (int i = 0; i < n; i++) {
        char compact[sizeof(w->reference)];
        rf_compact(t->readings ? t->readings->ref[i] : t->reference, compact, sizeof(compact));
        int rc = orders_lock_by_reference(db, compact, o);
        if (i == 0 || rc == 1)
            memcpy(w->reference, compact, strlen(compact) + 1);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int wire_transfers_match(struct db *db, const struct settings *set, const struct principal *who,
                         const struct wire_received *t, const char *source,
                         struct wire_transfer_row *w)
{
    struct order_row o;
    int64_t paid = 0;
    memset(w, 0, sizeof(*w));
    int rc = lock_named_order(db, t, w, &o);
    if (rc < 0)
        return rc;
    bool found = rc == 1;
    if (found && (rc = wire_transfers_paid_to(db, o.id, &paid)) < 0)
        return rc;
    id_new("wtr", w->id, sizeof(w->id));
    w->amount = t->amount;
    snprintf(w->currency, sizeof(w->currency), "%s", t->currency);
    snprintf(w->received_on, sizeof(w->received_on), "%s", t->date);
    snprintf(w->status, sizeof(w->status), "%s", match_status(found, &o, t, paid));
    snprintf(w->order_id, sizeof(w->order_id), "%s", found ? o.id : "");
    snprintf(w->source, sizeof(w->source), "%s", source);
    snprintf(w->recorded_by, sizeof(w->recorded_by), "%s", who ? who->user_id : "");
    w->bank_ref = t->bank_ref;
    w->payer_name = t->payer_name;
    w->payer_iban = t->payer_iban;
    w->remittance = t->remittance;
    rc = wire_transfers_insert(db, w, clock_now());
    if (rc == 0 && strcmp(w->status, "matched") == 0) {
        /* a transfer cannot have been made before its order existed: a term never starts
         * before its order, whatever date was typed */
        char ordered[DATE_STRLEN];
        date_format(date_of_instant(o.created_at), ordered);
        rc = confirm_order(db, set, &o, strcmp(t->date, ordered) < 0 ? ordered : t->date, NULL,
                           NULL);
    }
    if (rc == 0)
        rc = audit(db, who, NULL, found ? o.partner_id : NULL, "wire_transfer.recorded",
                   "wire_transfer", w->id,
                   json_pack("{s:s, s:I, s:s, s:s, s:s?}", "reference", w->reference, "amount",
                             (json_int_t)t->amount, "currency", t->currency, "status", w->status,
                             "order_id", found ? o.id : NULL));
    return rc;
}

int wire_transfers_record(struct db *db, const struct principal *who, const char *ip,
                          const json_t *body, json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"reference", "amount_minor", "currency", "received_on",
                                       NULL};
    struct checks c = {0};
    struct date received;
    (void)ip;
    check_known_keys(&c, body, "", keys);
    /* no longer than the transfer keeps it: a 40th character was dropped without a word */
    const char *reference =
        check_text(&c, body, "reference", "reference", true, WIRE_REFERENCE_MAX);
    json_t *amount = json_object_get(body, "amount_minor");
    check_amount(&c, body, "amount_minor", "amount_minor");
    const char *currency = check_text(&c, body, "currency", "currency", true, 3);
    if (currency && money_currency(currency) == NULL)
        check_fail(&c, "currency", MSG_FIELD_CURRENCY);
    const char *on = check_text(&c, body, "received_on", "received_on", true, 10);
    if (on && date_parse(on, &received) < 0)
        check_fail(&c, "received_on", MSG_FIELD_DATE);
    else if (on && date_cmp(received, clock_today()) > 0)
        check_fail(&c, "received_on", MSG_FIELD_DATE_FUTURE);
    int rc = check_done(&c, err);
    if (rc < 0)
        return rc;

    struct settings set;
    struct wire_received t = {.amount = json_integer_value(amount)};
    struct wire_transfer_row w;
    snprintf(t.date, sizeof(t.date), "%s", on);
    snprintf(t.currency, sizeof(t.currency), "%s", currency);
    snprintf(t.reference, sizeof(t.reference), "%s", reference);
    if ((rc = settings_load(db, &set)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if ((rc = tx_begin(db, err)) < 0)
        return rc;
    rc = wire_transfers_match(db, &set, who, &t, "manual", &w);
    if ((rc = tx_end(db, rc, err)) < 0)
        return rc;
    /* the reference as it is kept, and found by the list's filter */
    *out = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s}", "id", w.id, "reference", w.reference,
                     "amount_minor", (json_int_t)t.amount, "currency", currency, "received_on", on,
                     "status", w.status);
    return 0;
}

int wire_transfers_import(struct db *db, const struct principal *who, const char *ip,
                          const char *csv, const char *lang, json_t **out, struct pd_error *err)
{
    struct settings set;
    json_t *problems = json_array();
    int n = 0, recorded = 0, matched = 0, already = 0;
    (void)ip;
    struct wire_received *rows = calloc(STATEMENT_ROWS, sizeof(*rows));
    char(*keys)[WIRE_KEY_SIZE] = calloc(STATEMENT_ROWS, sizeof(*keys));
    if (rows == NULL || keys == NULL) {
        free(rows);
        free(keys);
        json_decref(problems);
        return pd_fail(err, PD_E_INTERNAL, "out of memory");
    }
    n = wire_statement_read(csv, lang, rows, keys, STATEMENT_ROWS, problems);
    if (json_array_size(problems) > 0) {
        free(rows);
        free(keys);
        pd_fail(err, PD_E_INVALID_REQUEST, "bad statement; nothing recorded");
        pd_error_detail(err, "lines", problems);
        return PD_E_INVALID_REQUEST;
    }
    json_decref(problems);
    int rc = settings_load(db, &set);
    if (rc < 0 || (rc = tx_begin(db, err)) < 0) {
        free(rows);
        free(keys);
        return err->code ? err->code : pd_fail(err, rc, "%s", db_errmsg(db));
    }
    json_t *results = json_array();
    if ((rc = wire_transfers_lock_imports(db)) < 0)
        pd_fail(err, rc, "%s", db_errmsg(db));
    for (int i = 0; rc >= 0 && i < n; i++) {
        struct wire_transfer_row w;
        int seen = wire_transfers_seen(db, keys[i]);
        if (seen != 0) {
            already += seen > 0;
            rc = seen < 0 ? seen : 0;
            continue;
        }
        rows[i].bank_ref = keys[i];
        rc = wire_transfers_match(db, &set, who, &rows[i], "statement", &w);
        if (rc >= 0) {
            recorded++;
            matched += strcmp(w.status, "matched") == 0;
            json_array_append_new(results,
                                  json_pack("{s:s, s:s, s:I, s:s, s:s, s:s}", "id", w.id,
                                            "reference", rows[i].reference, "amount_minor",
                                            (json_int_t)rows[i].amount, "currency",
                                            rows[i].currency, "received_on", rows[i].date,
                                            "status", w.status));
        }
    }
    free(rows);
    free(keys);
    if ((rc = tx_end(db, rc, err)) < 0) {
        json_decref(results);
        return rc;
    }
    *out = json_pack("{s:i, s:i, s:i, s:o}", "transfers", recorded, "matched", matched,
                     "already_imported", already, "items", results);
    return 0;
}

/* Whether reopen() takes w's resolution back: a dismissal, or an allocation to an order (of
 * status order_status, NULL for none) still awaiting the rest. One that paid its order, or
 * was refunded, is final. */
static bool reopenable(const struct wire_transfer_row *w, const char *order_status)
{
    return strcmp(w->resolution, "dismissed") == 0 ||
           (strcmp(w->resolution, "allocated") == 0 && order_status &&
            strcmp(order_status, "awaiting_payment") == 0);
}

/* The JSON of a transfer, with the organisation and order it concerns when known. */
static json_t *transfer_view(const struct wire_transfer_row *w)
{
    json_t *v = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s?, s:s, s:s?, s:s?}", "id", w->id,
                          "reference", w->reference, "amount_minor", (json_int_t)w->amount,
                          "currency", w->currency, "received_on", w->received_on, "status",
                          w->status, "order_id", w->order_id[0] ? w->order_id : NULL, "source",
                          w->source, "resolution", w->resolution[0] ? w->resolution : NULL,
                          "resolution_note", w->resolution_note[0] ? w->resolution_note : NULL);
    json_object_set_new(v, "partner",
                        w->partner_id[0] ? json_pack("{s:s, s:s}", "id", w->partner_id,
                                                     "legal_name", w->partner_name)
                                         : json_null());
    json_object_set_new(v, "order_reference",
                        w->order_reference[0] ? json_string(w->order_reference) : json_null());
    json_object_set_new(v, "reopenable", json_boolean(reopenable(w, w->order_status)));
    /* who paid, as the statement showed: all finance has of a transfer naming no order */
    json_object_set_new(v, "payer",
                        w->payer[0] || w->payer_account[0]
                            ? json_pack("{s:s?, s:s?}", "name", w->payer[0] ? w->payer : NULL,
                                        "iban", w->payer_account[0] ? w->payer_account : NULL)
                            : json_null());
    /* and what they wrote: for a transfer naming no order, often the only clue to whose */
    json_object_set_new(v, "remittance",
                        w->remittance_text[0] ? json_string(w->remittance_text) : json_null());
    /* what finance still has to look at: it paid nothing by itself and is not resolved */
    bool to_review = strcmp(w->status, "matched") != 0 && !w->resolution[0];
    json_object_set_new(v, "to_review", json_boolean(to_review));
    /* and why, when it had been resolved: the order it was allocated to was cancelled */
    json_object_set_new(v, "review_reason",
                        to_review && !strcmp(w->review_reason, "order_cancelled")
                            ? json_pack("{s:s, s:s, s:s}", "code", w->review_reason, "fr",
                                        msg_text(MSG_WIRE_REVIEW_ORDER_CANCELLED, "fr"), "en",
                                        msg_text(MSG_WIRE_REVIEW_ORDER_CANCELLED, "en"))
                            : json_null());
    return v;
}

int wire_transfers_list_json(struct db *db, const struct wire_transfers_query *in, json_t **items,
                             char next[CURSOR_TEXT_MAX], struct pd_error *err)
{
    static const char *const statuses[] = {
        "matched",      "partial",           "excess", "unknown_reference",
        "not_awaiting", "currency_mismatch", NULL};
    struct checks c = {0};
    struct page_request p;
    struct wire_transfers_filter f = {.status = in->status, .reference = in->reference};
    page_check(&c, &in->page, &p);
    if (!check_one_of(in->status, statuses))
        check_fail_one_of(&c, "status", statuses);
    if (in->reference && strlen(in->reference) > 40)
        check_fail_args(&c, "reference", MSG_FIELD_TEXT_LINE, (const char *const[]){"40"}, 1);
    f.from = page_check_date(&c, "from", in->from, false);
    f.to = page_check_date(&c, "to", in->to, true);
    if (page_checks_done(&c, err) < 0)
        return err->code;
    /* as references are kept: "rf47 unknown 0001" finds RF47UNKNOWN0001 */
    char reference[48];
    if (in->reference) {
        rf_compact(in->reference, reference, sizeof(reference));
        f.reference = reference;
    }
    struct wire_transfer_row *rows = NULL;
    int n = 0;
    int rc = wire_transfers_page(db, &f, &p, &rows, &n);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    int shown = page_shown(&p, n);
    *items = json_array();
    for (int i = 0; i < shown; i++)
        json_array_append_new(*items, transfer_view(&rows[i]));
    page_next(&p, n, shown ? rows[shown - 1].created_at : 0, shown ? rows[shown - 1].id : NULL,
              next);
    free(rows);
    return 0;
}

/* ---- finance resolves a transfer that paid nothing by itself ---- */

/* Allocates transfer w to order_id, in the caller's transaction: the order's transfers
 * add up, and the one that completes its total confirms it, from the day it was received.
 * More than the order still owes is refused, unless finance asks for the surplus to be
 * refunded (refund_surplus): the order is paid, and a wire refund of the rest, made out to
 * the transfer's payer, goes to the refunds to pay (its id and amount into surplus_id and
 * *surplus_minor), and the partner is told (payment.surplus). */
static int allocate(struct db *db, const struct settings *set, const struct principal *who,
                    struct wire_transfer_row *w, const char *order_id, const char *note,
                    bool refund_surplus, struct order_row *o, char surplus_id[32],
                    int64_t *surplus_minor, struct pd_error *err)
{
    struct invoice_issued invoice;
    int64_t paid = 0;
    int rc = orders_lock(db, order_id, o);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc == 0 || strcmp(o->payment_method, "wire") != 0)
        return pd_fail_field(err, PD_E_INVALID_REQUEST, "order_id", MSG_FIELD_UNKNOWN_ORDER, NULL);
    if (strcmp(o->status, "awaiting_payment") != 0) {
        pd_fail(err, PD_E_ORDER_STATE, "order is %s", o->status);
        pd_error_detail(err, "status", json_string(o->status));
        return PD_E_ORDER_STATE;
    }
    if (strcmp(o->currency, w->currency) != 0)
        return pd_fail_field(err, PD_E_INVALID_REQUEST, "order_id", MSG_FIELD_ORDER_CURRENCY,
                             o->currency);
    if ((rc = wire_transfers_paid_to(db, o->id, &paid)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    int64_t surplus = paid + w->amount - o->total;
    if (surplus > 0 && !refund_surplus) {
        pd_fail_field(err, PD_E_INVALID_REQUEST, "order_id", MSG_FIELD_TRANSFER_EXCEEDS, NULL);
        pd_error_detail(err, "owed_minor", json_integer(o->total - paid));
        return PD_E_INVALID_REQUEST;
    }
    rc = wire_transfers_resolve(db, w->id, "allocated", note, o->id, who->user_id, clock_now());
    if (rc >= 0 && surplus > 0) {
        rc = refunds_of_surplus(db, o, w->id, surplus, surplus_id);
        *surplus_minor = surplus;
    }
    if (rc >= 0 && surplus >= 0) {
        char ordered[DATE_STRLEN];
        date_format(date_of_instant(o->created_at), ordered);
        rc = confirm_order(db, set, o,
                           strcmp(w->received_on, ordered) < 0 ? ordered : w->received_on, NULL,
                           &invoice);
    }
    if (rc >= 0 && surplus > 0) /* the partner hears the surplus goes back */
        rc = wire_emit_surplus(db, o, &invoice, paid + w->amount, surplus, surplus_id);
    return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db)) : 0;
}

/* Puts transfer w back to finance's review, in the caller's transaction, when its resolution
 * was a mistake: a dismissal, or an allocation to an order that still awaits the rest (the
 * order owes it again). A transfer that paid its order (matched, or the allocation that
 * completed it) or was refunded is not: its money went somewhere (409, details saying
 * which). Its order is again the one its reference names, if any. One already in review is
 * left as it is. */
static int reopen(struct db *db, struct wire_transfer_row *w, struct order_row *o,
                  struct pd_error *err)
{
    bool allocated = strcmp(w->resolution, "allocated") == 0;
    int rc = allocated ? orders_lock(db, w->order_id, o) : 0;
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (strcmp(w->status, "matched") != 0 && w->resolution[0] == '\0')
        return 0;
    if (!reopenable(w, allocated && rc == 1 ? o->status : NULL)) {
        pd_fail(err, PD_E_TRANSFER_FINAL, NULL);
        pd_error_detail(err, "resolution",
                        json_string(w->resolution[0] ? w->resolution : "matched"));
        if (allocated && rc == 1)
            pd_error_detail(err, "order_status", json_string(o->status));
        return PD_E_TRANSFER_FINAL;
    }
    struct order_row named;
    rc = orders_lock_by_reference(db, w->reference, &named);
    if (rc >= 0)
        rc = wire_transfers_unresolve(db, w->id, rc == 1 ? named.id : NULL);
    return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db)) : 0;
}

/* payment.returned for the order transfer w named, if it is still there. */
static int tell_returned(struct db *db, const struct wire_transfer_row *w, const char *refund_id)
{
    struct order_row o;
    int rc = orders_find(db, w->order_id, &o);
    return rc == 1 ? wire_emit_returned(db, &o, w, refund_id) : rc;
}

int wire_transfers_resolve_json(struct db *db, const struct principal *who, const char *ip,
                                const char *id, const json_t *body, json_t **out,
                                struct pd_error *err)
{
    static const char *const keys[] = {"action", "order_id", "note", "refund_surplus", NULL};
    static const char *const actions[] = {"allocate", "refund", "dismiss", "reopen", NULL};
    struct checks c = {0};
    *out = NULL;
    check_known_keys(&c, body, "", keys);
    const char *action = check_text(&c, body, "action", "action", true, 12);
    if (action && !check_one_of(action, actions))
        check_fail_one_of(&c, "action", actions), action = NULL;
    bool allocating = action && !strcmp(action, "allocate");
    const char *order_id = check_text(&c, body, "order_id", "order_id", allocating, 32);
    /* dismissing says why; a refund may say the bank's reference; a reopening, why (audit) */
    const char *note =
        check_text(&c, body, "note", "note", action && !strcmp(action, "dismiss"), 200);
    /* allocating more than the order owes: the surplus goes back to the payer */
    const json_t *surplus_v = json_object_get(body, "refund_surplus");
    if (surplus_v && !json_is_boolean(surplus_v))
        check_fail(&c, "refund_surplus", MSG_FIELD_NOT_BOOLEAN);
    else if (surplus_v && action && !allocating) /* said of another action: a mistake */
        check_fail(&c, "refund_surplus", MSG_FIELD_ALLOCATE_ONLY);
    int rc = check_done(&c, err);
    if (rc < 0)
        return rc;
    if (action == NULL)
        return pd_fail(err, PD_E_INVALID_REQUEST, NULL);

    struct settings set;
    struct wire_transfer_row w;
    struct order_row o;
    char surplus_id[32] = "", refund_id[32] = "";
    int64_t surplus_minor = 0;
    memset(&o, 0, sizeof(o));
    if ((rc = settings_load(db, &set)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if ((rc = tx_begin(db, err)) < 0)
        return rc;
    rc = wire_transfers_lock(db, id, &w);
    if (rc == 0)
        rc = pd_fail(err, PD_E_NOT_FOUND, NULL);
    else if (rc < 0)
        rc = pd_fail(err, rc, "%s", db_errmsg(db));
    else if (!strcmp(action, "reopen")) /* a mistake of finance's, taken back */
        rc = reopen(db, &w, &o, err);
    else if (strcmp(w.status, "matched") == 0 || w.resolution[0]) {
        rc = pd_fail(err, PD_E_TRANSFER_RESOLVED, NULL);
        pd_error_detail(err, "resolution", json_string(w.resolution[0] ? w.resolution : "matched"));
    } else if (allocating)
        rc = allocate(db, &set, who, &w, order_id, note, json_is_true(surplus_v), &o, surplus_id,
                      &surplus_minor, err);
    else {
        bool back = !strcmp(action, "refund");
        rc = wire_transfers_resolve(db, id, back ? "refunded" : "dismissed", note, NULL,
                                    who->user_id, clock_now());
        if (rc >= 0 && back) /* all of it goes back to its payer: a refund for finance to pay */
            rc = refunds_of_transfer(db, &w, refund_id);
        if (rc >= 0 && back && w.order_id[0]) /* the organisation it was for hears it */
            rc = tell_returned(db, &w, refund_id);
        if (rc < 0)
            rc = pd_fail(err, rc, "%s", db_errmsg(db));
    }
    bool reopened = rc >= 0 && !strcmp(action, "reopen");
    /* the organisation of the order it went to, or of the one it named (sent back, dismissed) */
    const char *partner = o.partner_id[0] ? o.partner_id : w.partner_id[0] ? w.partner_id : NULL;
    if (rc >= 0 && (!reopened || w.resolution[0]))
        rc = audit(db, who, ip, partner,
                   reopened ? "wire_transfer.reopened" : "wire_transfer.resolved",
                   "wire_transfer", id,
                   json_pack("{s:s, s:s?, s:s?, s:s?, s:s*, s:s*}", "action", action, "order_id",
                             o.id[0] ? o.id : NULL, "note", note, "was",
                             reopened ? w.resolution : NULL, "surplus_refund_id",
                             surplus_id[0] ? surplus_id : NULL, "refund_id",
                             refund_id[0] ? refund_id : NULL));
    int64_t sent_back = w.amount; /* w is read again below */
    if (rc >= 0 && (rc = wire_transfers_lock(db, id, &w)) == 1) {
        *out = transfer_view(&w);
        if (o.id[0])
            json_object_set_new(*out, "order_status", json_string(o.status));
        if (surplus_id[0]) /* what goes back to the payer */
            json_object_set_new(*out, "surplus_refund",
                                json_pack("{s:s, s:I}", "id", surplus_id, "amount_minor",
                                          (json_int_t)surplus_minor));
        if (refund_id[0]) /* the whole of it goes back */
            json_object_set_new(*out, "refund",
                                json_pack("{s:s, s:I}", "id", refund_id, "amount_minor",
                                          (json_int_t)sent_back));
    }
    if ((rc = tx_end(db, rc, err)) < 0) {
        json_decref(*out);
        *out = NULL;
        return rc;
    }
    return 0;
}
