/* store/refunds.c - SQL of refunds. */
#include "store/refunds.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "db/db.h"
#include "store/page.h"
#include "store/rows.h"

#define REFUND_COLUMNS                                                                             \
    "SELECT f.id, f.request_id, q.number, f.partner_id, p.legal_name, p.membership_id, "           \
    "f.order_id, f.invoice_id, f.credit_note_id, c.number, f.amount, f.currency, f.method, "       \
    "f.status, f.gateway_refund_id, f.paid_on, f.reference, f.created_at, f.payee_name, "          \
    "f.payee_iban, f.end_to_end_id, f.transfer_file_id, i.number, f.transfer_id, f.reason, "       \
    "w.payer_name, w.payer_iban, w.received_on, w.reference FROM refunds f "                       \
    "LEFT JOIN partners p ON p.id = f.partner_id LEFT JOIN invoices i ON i.id = f.invoice_id "     \
    "LEFT JOIN support_requests q ON q.id = f.request_id "                                         \
    "LEFT JOIN invoices c ON c.id = f.credit_note_id "                                             \
    "LEFT JOIN wire_transfers w ON w.id = f.transfer_id "

static void read_refund(struct db_stmt *st, struct arena *a, struct refund_row *f)
{
    f->id = arena_strdup(a, db_column_text(st, 0));
    f->request_id = arena_strdup(a, db_column_text(st, 1));
    f->request_number = arena_strdup(a, db_column_text(st, 2));
    f->partner_id = arena_strdup(a, db_column_text(st, 3));
    f->partner_legal_name = arena_strdup(a, db_column_text(st, 4));
    f->partner_membership_id = arena_strdup(a, db_column_text(st, 5));
    f->order_id = arena_strdup(a, db_column_text(st, 6));
    f->invoice_id = arena_strdup(a, db_column_text(st, 7));
    f->credit_note_id = arena_strdup(a, db_column_text(st, 8));
    f->credit_note_number = arena_strdup(a, db_column_text(st, 9));
    f->amount = db_column_int64(st, 10);
    f->currency = arena_strdup(a, db_column_text(st, 11));
    f->method = arena_strdup(a, db_column_text(st, 12));
    f->status = arena_strdup(a, db_column_text(st, 13));
    f->gateway_refund_id = arena_strdup(a, db_column_text(st, 14));
    f->paid_on = arena_strdup(a, db_column_text(st, 15));
    f->reference = arena_strdup(a, db_column_text(st, 16));
    f->created_at = db_column_int64(st, 17);
    f->payee_name = arena_strdup(a, db_column_text(st, 18));
    f->payee_iban = arena_strdup(a, db_column_text(st, 19));
    f->end_to_end_id = arena_strdup(a, db_column_text(st, 20));
    f->transfer_file_id = arena_strdup(a, db_column_text(st, 21));
    f->invoice_number = arena_strdup(a, db_column_text(st, 22));
    f->transfer_id = arena_strdup(a, db_column_text(st, 23));
    f->reason = arena_strdup(a, db_column_text(st, 24));
    f->payer_name = arena_strdup(a, db_column_text(st, 25));
    f->payer_iban = arena_strdup(a, db_column_text(st, 26));
    f->transfer_received_on = arena_strdup(a, db_column_text(st, 27));
    f->transfer_reference = arena_strdup(a, db_column_text(st, 28));
}

int refund_insert(struct db *db, const struct refund_new *r, int64_t now)
{
    bool card = strcmp(r->method, "card") == 0;
    int64_t rc = db_run(db,
                        "INSERT INTO refunds (id, reason, request_id, partner_id, order_id, "
                        "invoice_id, credit_note_id, transfer_id, amount, currency, method, "
                        "status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                        "?, ?, ?, ?)",
                        "ttttttttitttii", r->id, r->reason, r->request_id, r->partner_id, r->order_id,
                        r->invoice_id, r->credit_note_id, r->transfer_id, r->amount, r->currency,
                        r->method, card ? "pending" : "to_pay", now, now);
    return rc < 0 ? (int)rc : 0;
}

int refund_page(struct db *db, struct arena *a, const char *status, const struct page_request *p,
                struct refund_row **out, int *count)
{
    struct db_stmt *st;
    struct rows r = {0};
    struct page_sql q = {0};
    page_sql_start(&q, REFUND_COLUMNS "WHERE 1 = 1");
    page_sql_and_text(&q, "f.status = ?", status);
    page_sql_finish(&q, "f", p);
    int rc = page_sql_run(db, &q, &st);
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW)
        read_refund(st, a, rows_add(a, &r, sizeof(struct refund_row)));
    db_finalize(st);
    *out = r.items;
    *count = r.count;
    return rc < 0 ? rc : 0;
}

int refund_find(struct db *db, struct arena *a, const char *id, struct refund_row *out)
{
    struct db_stmt *st;
    int rc = db_query(db, &st, REFUND_COLUMNS "WHERE f.id = ?", "t", id);
    if (rc < 0)
        return rc;
    if ((rc = db_step(st)) == DB_ROW) {
        read_refund(st, a, out);
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

int refund_card_pending(struct db *db, struct refund_due *out, int max, int *count)
{
    struct db_stmt *st;
    *count = 0;
    int rc = db_query(db, &st,
                      "SELECT id, request_id, order_id, amount FROM refunds WHERE status = "
                      "'pending' AND method = 'card' ORDER BY created_at, id LIMIT ?",
                      "i", (int64_t)max);
    if (rc < 0)
        return rc;
    while (*count < max && (rc = db_step(st)) == DB_ROW) {
        struct refund_due *d = &out[(*count)++];
        snprintf(d->id, sizeof(d->id), "%s", db_column_text(st, 0));
        snprintf(d->request_id, sizeof(d->request_id), "%s", db_column_text(st, 1));
        snprintf(d->order_id, sizeof(d->order_id), "%s", db_column_text(st, 2));
        d->amount = db_column_int64(st, 3);
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int refund_set_refunded(struct db *db, const char *id, const char *gateway_refund_id, int64_t now)
{
    int64_t rc = db_run(db,
                        "UPDATE refunds SET status = 'refunded', gateway_refund_id = ?, "
                        "updated_at = ? WHERE id = ? AND status = 'pending'",
                        "tit", gateway_refund_id, now, id);
    return rc < 0 ? (int)rc : rc > 0;
}

int refund_set_paid(struct db *db, const char *id, const char *paid_on, const char *reference,
                    int64_t now)
{
    int64_t rc = db_run(db,
                        "UPDATE refunds SET status = 'paid', paid_on = ?, reference = ?, "
                        "updated_at = ? WHERE id = ? AND status IN ('to_pay', 'sent')",
                        "ttit", paid_on, reference, now, id);
    return rc < 0 ? (int)rc : rc > 0;
}

int refund_set_sent(struct db *db, const char *id, const char *payee_name, const char *payee_iban,
                    const char *end_to_end_id, const char *file_id, int64_t now)
{
    int64_t rc = db_run(db,
                        "UPDATE refunds SET status = 'sent', payee_name = ?, payee_iban = ?, "
                        "end_to_end_id = ?, transfer_file_id = ?, updated_at = ? WHERE id = ? "
                        "AND status = 'to_pay' AND method = 'wire'",
                        "ttttit", payee_name, payee_iban, end_to_end_id, file_id, now, id);
    return rc < 0 ? (int)rc : rc > 0;
}

int refund_sent_by_end_to_end(struct db *db, const char *end_to_end_id, int64_t amount,
                              const char *currency, char id[32], char partner_id[32])
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT id, partner_id FROM refunds WHERE end_to_end_id = ? AND status = "
                      "'sent' AND amount = ? AND currency = ?",
                      "tit", end_to_end_id, amount, currency);
    if (rc < 0)
        return rc;
    if ((rc = db_step(st)) == DB_ROW) {
        const char *partner = db_column_text(st, 1); /* none: a transfer no order named */
        snprintf(id, 32, "%s", db_column_text(st, 0));
        snprintf(partner_id, 32, "%s", partner ? partner : "");
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

int refund_transfer_file_insert(struct db *db, const struct transfer_file *f, const char *document,
                                int64_t now)
{
    int64_t rc =
        db_run(db,
               "INSERT INTO transfer_files (id, msg_id, transfers, control_sum, "
               "currency, execution_date, document, created_by, created_at) VALUES (?, "
               "?, ?, ?, ?, ?, ?, ?, ?)",
               "ttiitttti", f->id, f->msg_id, (int64_t)f->transfers, f->control_sum, f->currency,
               f->execution_date, document, f->created_by[0] ? f->created_by : NULL, now);
    return rc < 0 ? (int)rc : 0;
}

int refund_transfer_file_document(struct db *db, const char *id, char **document)
{
    struct db_stmt *st;
    *document = NULL;
    int rc = db_query(db, &st, "SELECT document FROM transfer_files WHERE id = ?", "t", id);
    if (rc < 0)
        return rc;
    if ((rc = db_step(st)) == DB_ROW) {
        *document = strdup(db_column_text(st, 0));
        rc = *document ? 1 : -1;
    }
    db_finalize(st);
    return rc;
}
