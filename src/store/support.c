/* store/support.c - SQL of support requests. */
#include "store/support.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "core/date.h"
#include "db/db.h"

#define REQUEST_COLUMNS                                                                       \
    "SELECT id, number, partner_id, subscription_id, category, problem_type, kind, title, "    \
    "description, status, assignee_id, created_by, COALESCE(resolved_at, 0), resolution, "     \
    "created_at, updated_at FROM support_requests "

static json_t *request_json(struct db_stmt *st)
{
    char created[21], updated[21], resolved[21];
    int64_t r = db_column_int64(st, 12);
    return json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:s?, s:s?, "
                     "s:s, s:s}",
                     "id", db_column_text(st, 0), "number", db_column_text(st, 1), "partner_id",
                     db_column_text(st, 2), "subscription_id", db_column_text(st, 3), "category",
                     db_column_text(st, 4), "problem_type", db_column_text(st, 5), "kind",
                     db_column_text(st, 6), "title", db_column_text(st, 7), "description",
                     db_column_text(st, 8), "status", db_column_text(st, 9), "assignee_id",
                     db_column_text(st, 10), "created_by", db_column_text(st, 11), "resolved_at",
                     r ? instant_format(r, resolved) : NULL, "resolution", db_column_text(st, 13),
                     "created_at", instant_format(db_column_int64(st, 14), created), "updated_at",
                     instant_format(db_column_int64(st, 15), updated));
}

int support_insert(struct db *db, const struct support_new *r, int64_t now)
{
    int64_t rc = db_run(db,
                        "INSERT INTO support_requests (id, number, partner_id, subscription_id, "
                        "category, problem_type, kind, title, description, status, created_by, "
                        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)",
                        "ttttttttttii", r->id, r->number, r->partner_id, r->subscription_id,
                        r->category, r->problem_type, r->kind, r->title, r->description,
                        r->created_by, now, now);
    return rc < 0 ? (int)rc : 0;
}

int support_get(struct db *db, const char *id, const char *partner_id, json_t **out)
{
    struct db_stmt *st;
    int rc = partner_id ? db_query(db, &st, REQUEST_COLUMNS "WHERE id = ? AND partner_id = ?",
                                   "tt", id, partner_id)
                        : db_query(db, &st, REQUEST_COLUMNS "WHERE id = ?", "t", id);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        *out = request_json(st);
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

int support_open_cancellation(struct db *db, const char *subscription_id, char *id, size_t n)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT id FROM support_requests WHERE subscription_id = ? AND kind = "
                      "'cancellation' AND status IN ('open', 'in_progress')",
                      "t", subscription_id);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        snprintf(id, n, "%s", db_column_text(st, 0));
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

int support_list(struct db *db, const char *partner_id, const char *status, const char *category,
                 const char *assignee_id, json_t **items)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      REQUEST_COLUMNS "WHERE partner_id = COALESCE(?, partner_id) AND status = "
                                      "COALESCE(?, status) AND category = COALESCE(?, category) "
                                      "AND COALESCE(assignee_id, '') = COALESCE(?, "
                                      "COALESCE(assignee_id, '')) ORDER BY created_at DESC, id "
                                      "DESC LIMIT 500",
                      "tttt", partner_id, status, category, assignee_id);
    if (rc < 0)
        return rc;
    *items = json_array();
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(*items, request_json(st));
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int support_set_status(struct db *db, const char *id, const char *from, const char *to,
                       int64_t now)
{
    int64_t rc = db_run(db,
                        "UPDATE support_requests SET status = ?, updated_at = ?, resolved_at = "
                        "CASE WHEN ? = 'resolved' THEN ? ELSE resolved_at END WHERE id = ? AND "
                        "status = COALESCE(?, status)",
                        "tititt", to, now, to, now, id, from);
    return rc < 0 ? (int)rc : rc > 0;
}

int support_set_assignee(struct db *db, const char *id, const char *assignee_id, int64_t now)
{
    int64_t rc = db_run(db, "UPDATE support_requests SET assignee_id = ?, updated_at = ? WHERE id = ?",
                        "tit", assignee_id, now, id);
    return rc < 0 ? (int)rc : 0;
}

int support_set_resolution(struct db *db, const char *id, const char *resolution, int64_t now)
{
    int64_t rc = db_run(db, "UPDATE support_requests SET resolution = ?, updated_at = ? WHERE id = ?",
                        "tit", resolution, now, id);
    return rc < 0 ? (int)rc : 0;
}

int support_message_insert(struct db *db, const char *request_id, const char *author_id,
                           int from_staff, const char *body, int64_t now)
{
    char id[32];
    id_new("msg", id, sizeof(id));
    int64_t rc = db_run(db,
                        "INSERT INTO support_messages (id, request_id, seq, author_id, from_staff, "
                        "body, created_at) VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM "
                        "support_messages WHERE request_id = ?), ?, ?, ?, ?)",
                        "ttttiti", id, request_id, request_id, author_id, (int64_t)from_staff, body,
                        now);
    return rc < 0 ? (int)rc : 0;
}

int support_messages(struct db *db, const char *request_id, json_t **items)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT m.id, m.from_staff, u.name, m.body, m.created_at FROM support_messages "
                      "m JOIN users u ON u.id = m.author_id WHERE m.request_id = ? ORDER BY m.seq",
                      "t", request_id);
    if (rc < 0)
        return rc;
    *items = json_array();
    while ((rc = db_step(st)) == DB_ROW) {
        char at[21];
        json_array_append_new(*items,
                              json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", db_column_text(st, 0),
                                        "from", db_column_int64(st, 1) ? "staff" : "partner",
                                        "author", db_column_text(st, 2), "body",
                                        db_column_text(st, 3), "created_at",
                                        instant_format(db_column_int64(st, 4), at)));
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int support_attachment_insert(struct db *db, const char *id, const char *request_id,
                              const char *filename, const char *content_type, int64_t size,
                              const char *data_b64, const char *uploaded_by, int64_t now)
{
    int64_t rc = db_run(db,
                        "INSERT INTO support_attachments (id, request_id, seq, filename, "
                        "content_type, size, data, uploaded_by, created_at) VALUES (?, ?, (SELECT "
                        "COALESCE(MAX(seq), 0) + 1 FROM support_attachments WHERE request_id = ?), "
                        "?, ?, ?, ?, ?, ?)",
                        "tttttitti", id, request_id, request_id, filename, content_type, size,
                        data_b64, uploaded_by, now);
    return rc < 0 ? (int)rc : 0;
}

int support_attachments(struct db *db, const char *request_id, json_t **items)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT id, filename, content_type, size, created_at FROM support_attachments "
                      "WHERE request_id = ? ORDER BY seq",
                      "t", request_id);
    if (rc < 0)
        return rc;
    *items = json_array();
    while ((rc = db_step(st)) == DB_ROW) {
        char at[21];
        json_array_append_new(*items,
                              json_pack("{s:s, s:s, s:s, s:I, s:s}", "id", db_column_text(st, 0),
                                        "filename", db_column_text(st, 1), "content_type",
                                        db_column_text(st, 2), "size",
                                        (json_int_t)db_column_int64(st, 3), "created_at",
                                        instant_format(db_column_int64(st, 4), at)));
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int support_attachment_get(struct db *db, const char *id, const char *request_id,
                           char *filename, size_t fn, char *content_type, size_t ctn,
                           char **data_b64)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT filename, content_type, data FROM support_attachments WHERE id = ? "
                      "AND request_id = ?",
                      "tt", id, request_id);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        snprintf(filename, fn, "%s", db_column_text(st, 0));
        snprintf(content_type, ctn, "%s", db_column_text(st, 1));
        *data_b64 = strdup(db_column_text(st, 2));
        rc = *data_b64 ? 1 : -1;
    }
    db_finalize(st);
    return rc;
}

int support_assignable(struct db *db, const char *user_id)
{
    int64_t n = 0;
    int rc = db_scalar(db, &n,
                       "SELECT COUNT(*) FROM users u JOIN user_roles r ON r.user_id = u.id WHERE "
                       "u.id = ? AND u.kind = 'staff' AND u.status = 'active' AND r.role IN "
                       "('support', 'operator')",
                       "t", user_id);
    return rc < 0 ? rc : n > 0;
}

int support_resolved_at(struct db *db, const char *id, int64_t *at)
{
    return db_scalar(db, at, "SELECT COALESCE(resolved_at, 0) FROM support_requests WHERE id = ?",
                     "t", id);
}

int support_attachment_count(struct db *db, const char *id, int64_t *count)
{
    return db_scalar(db, count, "SELECT COUNT(*) FROM support_attachments WHERE request_id = ?",
                     "t", id);
}

int support_close_resolved(struct db *db, int64_t before, int64_t now)
{
    int64_t n = db_run(db,
                       "UPDATE support_requests SET status = 'closed', updated_at = ? WHERE "
                       "status = 'resolved' AND resolved_at < ?",
                       "ii", now, before);
    return (int)n;
}

int refund_insert(struct db *db, const struct refund_new *r, int64_t now)
{
    bool card = strcmp(r->method, "card") == 0;
    int64_t rc = db_run(db,
                        "INSERT INTO refunds (id, request_id, partner_id, order_id, invoice_id, "
                        "credit_note_id, amount, currency, method, status, created_at, "
                        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        "ttttttitttii", r->id, r->request_id, r->partner_id, r->order_id,
                        r->invoice_id, r->credit_note_id, r->amount, r->currency, r->method,
                        card ? "pending" : "to_pay", now, now);
    return rc < 0 ? (int)rc : 0;
}

#define REFUND_COLUMNS                                                                        \
    "SELECT f.id, f.request_id, q.number, f.partner_id, p.legal_name, p.membership_id, "      \
    "f.order_id, f.invoice_id, f.credit_note_id, c.number, f.amount, f.currency, f.method, "   \
    "f.status, f.gateway_refund_id, f.paid_on, f.reference, f.created_at FROM refunds f "       \
    "JOIN support_requests q ON q.id = f.request_id JOIN partners p ON p.id = f.partner_id "   \
    "JOIN invoices c ON c.id = f.credit_note_id "

static json_t *refund_json(struct db_stmt *st)
{
    char at[21];
    return json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:s, s:s, s:s, s:s, s:I, s:s, s:s, "
                     "s:s, s:s?, s:s?, s:s?, s:s}",
                     "id", db_column_text(st, 0), "request_id", db_column_text(st, 1),
                     "request_number", db_column_text(st, 2), "partner", "id",
                     db_column_text(st, 3), "legal_name", db_column_text(st, 4), "membership_id",
                     db_column_text(st, 5), "order_id", db_column_text(st, 6), "invoice_id",
                     db_column_text(st, 7), "credit_note_id", db_column_text(st, 8),
                     "credit_note_number", db_column_text(st, 9), "amount_minor",
                     (json_int_t)db_column_int64(st, 10), "currency", db_column_text(st, 11),
                     "method", db_column_text(st, 12), "status", db_column_text(st, 13),
                     "gateway_refund_id", db_column_text(st, 14), "paid_on",
                     db_column_text(st, 15), "reference", db_column_text(st, 16), "created_at",
                     instant_format(db_column_int64(st, 17), at));
}

int refunds_list(struct db *db, const char *status, json_t **items)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      REFUND_COLUMNS "WHERE f.status = COALESCE(?, f.status) ORDER BY "
                                     "f.created_at DESC, f.id DESC LIMIT 500",
                      "t", status);
    if (rc < 0)
        return rc;
    *items = json_array();
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(*items, refund_json(st));
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int refund_get(struct db *db, const char *id, json_t **out)
{
    struct db_stmt *st;
    int rc = db_query(db, &st, REFUND_COLUMNS "WHERE f.id = ?", "t", id);
    if (rc < 0)
        return rc;
    if ((rc = db_step(st)) == DB_ROW) {
        *out = refund_json(st);
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

int refunds_card_pending(struct db *db, struct refund_due *out, int max, int *count)
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

int refund_set_refunded(struct db *db, const char *id, const char *gateway_refund_id,
                        int64_t now)
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
                        "updated_at = ? WHERE id = ? AND status = 'to_pay'",
                        "ttit", paid_on, reference, now, id);
    return rc < 0 ? (int)rc : rc > 0;
}
