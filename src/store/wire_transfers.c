/* store/wire_transfers.c - SQL of received wire transfers. */
#include "store/wire_transfers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "store/page.h"

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

static const char *nul(const char *s)
{
    return s && *s ? s : NULL;
}

int wire_transfers_insert(struct db *db, const struct wire_transfer_row *w, int64_t now)
{
    int64_t rc = db_run(db,
                        "INSERT INTO wire_transfers (id, reference, amount, currency, received_on, "
                        "status, order_id, source, recorded_by, created_at, bank_ref, payer_name, "
                        "payer_iban, remittance) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        "ttittttttitttt", w->id, w->reference, w->amount, w->currency,
                        w->received_on, w->status, nul(w->order_id), w->source, nul(w->recorded_by),
                        now, w->bank_ref, w->payer_name, w->payer_iban, nul(w->remittance));
    return rc < 0 ? (int)rc : 0;
}

int wire_transfers_find(struct db *db, const char *reference, int64_t amount, const char *currency,
                        char id[32], char order_id[32])
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT id, order_id FROM wire_transfers WHERE reference = ? AND amount = ? "
                      "AND currency = ? ORDER BY created_at DESC, id DESC",
                      "tit", reference, amount, currency);
    if (rc < 0)
        return rc;
    if ((rc = db_step(st)) == DB_ROW) {
        copy(id, 32, db_column_text(st, 0));
        copy(order_id, 32, db_column_text(st, 1));
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

int wire_transfers_lock_imports(struct db *db)
{
    return db_lock_key(db, "wire_transfers.import");
}

int wire_transfers_seen(struct db *db, const char *bank_ref)
{
    int64_t n = 0;
    int rc =
        db_scalar(db, &n, "SELECT COUNT(*) FROM wire_transfers WHERE bank_ref = ?", "t", bank_ref);
    return rc < 0 ? rc : n > 0;
}

int wire_transfers_payer_of(struct db *db, const char *order_id, char *name, size_t name_size,
                            char *iban, size_t iban_size)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT COALESCE(payer_name, ''), payer_iban FROM wire_transfers "
                      "WHERE order_id = ? AND (status = 'matched' OR resolution = 'allocated') "
                      "AND payer_iban IS NOT NULL AND payer_iban <> '' "
                      "ORDER BY created_at DESC, id DESC",
                      "t", order_id);
    if (rc < 0)
        return rc;
    if ((rc = db_step(st)) == DB_ROW) {
        snprintf(name, name_size, "%s", db_column_text(st, 0));
        snprintf(iban, iban_size, "%s", db_column_text(st, 1));
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

#define TRANSFER_COLUMNS                                                                           \
    "SELECT w.id, w.reference, w.amount, w.currency, w.received_on, w.status, w.order_id, "        \
    "w.source, w.recorded_by, w.resolution, w.resolution_note, o.partner_id, p.legal_name, "       \
    "o.wire_reference, w.created_at, w.review_reason, w.payer_name, w.payer_iban, o.status, "      \
    "w.remittance FROM wire_transfers w LEFT JOIN orders o "                                       \
    "ON o.id = w.order_id LEFT JOIN partners p ON p.id = o.partner_id "

static void read_transfer(struct db_stmt *st, struct wire_transfer_row *w)
{
    memset(w, 0, sizeof(*w));
    copy(w->id, sizeof(w->id), db_column_text(st, 0));
    copy(w->reference, sizeof(w->reference), db_column_text(st, 1));
    w->amount = db_column_int64(st, 2);
    copy(w->currency, sizeof(w->currency), db_column_text(st, 3));
    copy(w->received_on, sizeof(w->received_on), db_column_text(st, 4));
    copy(w->status, sizeof(w->status), db_column_text(st, 5));
    copy(w->order_id, sizeof(w->order_id), db_column_text(st, 6));
    copy(w->source, sizeof(w->source), db_column_text(st, 7));
    copy(w->recorded_by, sizeof(w->recorded_by), db_column_text(st, 8));
    copy(w->resolution, sizeof(w->resolution), db_column_text(st, 9));
    copy(w->resolution_note, sizeof(w->resolution_note), db_column_text(st, 10));
    copy(w->partner_id, sizeof(w->partner_id), db_column_text(st, 11));
    copy(w->partner_name, sizeof(w->partner_name), db_column_text(st, 12));
    copy(w->order_reference, sizeof(w->order_reference), db_column_text(st, 13));
    w->created_at = db_column_int64(st, 14);
    copy(w->review_reason, sizeof(w->review_reason), db_column_text(st, 15));
    copy(w->payer, sizeof(w->payer), db_column_text(st, 16));
    copy(w->payer_account, sizeof(w->payer_account), db_column_text(st, 17));
    copy(w->order_status, sizeof(w->order_status), db_column_text(st, 18));
    copy(w->remittance_text, sizeof(w->remittance_text), db_column_text(st, 19));
}

int wire_transfers_page(struct db *db, const struct wire_transfers_filter *f,
                        const struct page_request *p, struct wire_transfer_row **out, int *count)
{
    struct page_sql q = {0};
    struct db_stmt *st;
    page_sql_start(&q, TRANSFER_COLUMNS "WHERE 1 = 1");
    page_sql_and_text(&q, "w.status = ?", f->status);
    page_sql_and_text(&q, "w.reference = ?", f->reference);
    page_sql_created_between(&q, "w", f->from, f->to);
    page_sql_finish(&q, "w", p);
    int rc = page_sql_run(db, &q, &st);
    if (rc < 0)
        return rc;
    int cap = 16, n = 0;
    struct wire_transfer_row *rows = malloc((size_t)cap * sizeof(*rows));
    while (rows && (rc = db_step(st)) == DB_ROW) {
        if (n == cap) {
            struct wire_transfer_row *grown = realloc(rows, (size_t)(cap *= 2) * sizeof(*rows));
            if (grown == NULL) {
                free(rows);
                rows = NULL;
                break;
            }
            rows = grown;
        }
        read_transfer(st, &rows[n++]);
    }
    db_finalize(st);
    if (rows == NULL || rc < 0) {
        free(rows);
        return rc < 0 ? rc : PD_E_INTERNAL;
    }
    *out = rows;
    *count = n;
    return 0;
}

int wire_transfers_lock(struct db *db, const char *id, struct wire_transfer_row *out)
{
    struct db_stmt *st;
    int rc = db_lock_row(db, "wire_transfers", id);
    if (rc < 0 || (rc = db_query(db, &st, TRANSFER_COLUMNS "WHERE w.id = ?", "t", id)) < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        read_transfer(st, out);
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

int wire_transfers_resolve(struct db *db, const char *id, const char *resolution, const char *note,
                           const char *order_id, const char *by, int64_t now)
{
    int64_t rc = order_id ? db_run(db,
                                   "UPDATE wire_transfers SET resolution = ?, resolution_note = "
                                   "?, order_id = ?, resolved_by = ?, resolved_at = ? WHERE id = ?",
                                   "ttttit", resolution, nul(note), order_id, by, now, id)
                          : db_run(db,
                                   "UPDATE wire_transfers SET resolution = ?, resolution_note = "
                                   "?, resolved_by = ?, resolved_at = ? WHERE id = ?",
                                   "tttit", resolution, nul(note), by, now, id);
    return rc < 0 ? (int)rc : 0;
}

int wire_transfers_unresolve(struct db *db, const char *id, const char *order_id)
{
    int64_t rc = db_run(db,
                        "UPDATE wire_transfers SET resolution = NULL, resolution_note = NULL, "
                        "resolved_by = NULL, resolved_at = NULL, review_reason = NULL, "
                        "order_id = ? WHERE id = ?",
                        "tt", nul(order_id), id);
    return rc < 0 ? (int)rc : 0;
}

int wire_transfers_reopen(struct db *db, const char *order_id, const char *reason)
{
    int64_t rc = db_run(db,
                        "UPDATE wire_transfers SET resolution = NULL, resolution_note = NULL, "
                        "resolved_by = NULL, resolved_at = NULL, review_reason = ? "
                        "WHERE order_id = ? AND resolution = 'allocated'",
                        "tt", reason, order_id);
    return (int)rc;
}

int wire_transfers_paid_to(struct db *db, const char *order_id, int64_t *sum)
{
    return db_scalar(db, sum,
                     "SELECT COALESCE(SUM(amount), 0) FROM wire_transfers WHERE order_id = ? AND "
                     "(status = 'matched' OR resolution = 'allocated')",
                     "t", order_id);
}
