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
                        "status, order_id, source, recorded_by, created_at) VALUES (?, ?, ?, ?, ?, "
                        "?, ?, ?, ?, ?)",
                        "ttitttttti", w->id, w->reference, w->amount, w->currency, w->received_on,
                        w->status, nul(w->order_id), w->source, nul(w->recorded_by), now);
    return rc < 0 ? (int)rc : 0;
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
