/* store/wire_transfers.c - SQL of received wire transfers. */
#include "store/wire_transfers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

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
                        "payer_iban) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        "ttittttttittt", w->id, w->reference, w->amount, w->currency,
                        w->received_on, w->status, nul(w->order_id), w->source, nul(w->recorded_by),
                        now, w->bank_ref, w->payer_name, w->payer_iban);
    return rc < 0 ? (int)rc : 0;
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
                      "SELECT COALESCE(payer_name, ''), payer_iban FROM wire_transfers WHERE "
                      "order_id = ? AND status = 'matched' AND payer_iban IS NOT NULL AND "
                      "payer_iban <> '' ORDER BY created_at DESC, id DESC",
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

int wire_transfers_list(struct db *db, const char *status, struct wire_transfer_row **out,
                        int *count)
{
    struct db_stmt *st;
    int rc = status ? db_query(db, &st,
                               "SELECT id, reference, amount, currency, received_on, status, "
                               "order_id, source FROM wire_transfers WHERE status = ? ORDER BY "
                               "created_at DESC, id DESC",
                               "t", status)
                    : db_query(db, &st,
                               "SELECT id, reference, amount, currency, received_on, status, "
                               "order_id, source FROM wire_transfers ORDER BY created_at DESC, "
                               "id DESC",
                               "");
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
        struct wire_transfer_row *w = &rows[n++];
        memset(w, 0, sizeof(*w));
        copy(w->id, sizeof(w->id), db_column_text(st, 0));
        copy(w->reference, sizeof(w->reference), db_column_text(st, 1));
        w->amount = db_column_int64(st, 2);
        copy(w->currency, sizeof(w->currency), db_column_text(st, 3));
        copy(w->received_on, sizeof(w->received_on), db_column_text(st, 4));
        copy(w->status, sizeof(w->status), db_column_text(st, 5));
        copy(w->order_id, sizeof(w->order_id), db_column_text(st, 6));
        copy(w->source, sizeof(w->source), db_column_text(st, 7));
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
