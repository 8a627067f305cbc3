/* store/orders.c - SQL of orders, payments, saved cards, invoices and wire transfers. */
#include "store/orders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "core/date.h"
#include "db/db.h"

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

static const char *nul(const char *s)
{
    return s && *s ? s : NULL;
}

#define ORDER_COLUMNS                                                                         \
    "SELECT id, partner_id, user_id, offer_code, action, subscription_id, status, currency, " \
    "unit_amount, subtotal, tax_rate, tax_amount, total, tax_treatment, payment_method, "     \
    "card_token, card_brand, card_last4, card_exp_month, card_exp_year, save_card, "          \
    "wire_name, wire_phone, wire_email, wire_reference, due_on, paid_on, invoice_id, "        \
    "failure_code, created_at FROM orders "

static void read_order(struct db_stmt *st, struct order_row *o)
{
    memset(o, 0, sizeof(*o));
    copy(o->id, sizeof(o->id), db_column_text(st, 0));
    copy(o->partner_id, sizeof(o->partner_id), db_column_text(st, 1));
    copy(o->user_id, sizeof(o->user_id), db_column_text(st, 2));
    copy(o->offer_code, sizeof(o->offer_code), db_column_text(st, 3));
    copy(o->action, sizeof(o->action), db_column_text(st, 4));
    copy(o->subscription_id, sizeof(o->subscription_id), db_column_text(st, 5));
    copy(o->status, sizeof(o->status), db_column_text(st, 6));
    copy(o->currency, sizeof(o->currency), db_column_text(st, 7));
    o->unit_amount = db_column_int64(st, 8);
    o->subtotal = db_column_int64(st, 9);
    o->tax_rate = (int)db_column_int64(st, 10);
    o->tax_amount = db_column_int64(st, 11);
    o->total = db_column_int64(st, 12);
    copy(o->tax_treatment, sizeof(o->tax_treatment), db_column_text(st, 13));
    copy(o->payment_method, sizeof(o->payment_method), db_column_text(st, 14));
    copy(o->card_token, sizeof(o->card_token), db_column_text(st, 15));
    copy(o->card_brand, sizeof(o->card_brand), db_column_text(st, 16));
    copy(o->card_last4, sizeof(o->card_last4), db_column_text(st, 17));
    o->card_exp_month = (int)db_column_int64(st, 18);
    o->card_exp_year = (int)db_column_int64(st, 19);
    o->save_card = db_column_int64(st, 20) != 0;
    copy(o->wire_name, sizeof(o->wire_name), db_column_text(st, 21));
    copy(o->wire_phone, sizeof(o->wire_phone), db_column_text(st, 22));
    copy(o->wire_email, sizeof(o->wire_email), db_column_text(st, 23));
    copy(o->wire_reference, sizeof(o->wire_reference), db_column_text(st, 24));
    copy(o->due_on, sizeof(o->due_on), db_column_text(st, 25));
    copy(o->paid_on, sizeof(o->paid_on), db_column_text(st, 26));
    copy(o->invoice_id, sizeof(o->invoice_id), db_column_text(st, 27));
    copy(o->failure_code, sizeof(o->failure_code), db_column_text(st, 28));
    o->created_at = db_column_int64(st, 29);
}

int orders_insert(struct db *db, const struct order_row *o, int64_t now)
{
    int64_t rc = db_run(
        db,
        "INSERT INTO orders (id, partner_id, user_id, offer_code, action, subscription_id, "
        "status, currency, unit_amount, subtotal, tax_rate, tax_amount, total, tax_treatment, "
        "payment_method, card_token, card_brand, card_last4, card_exp_month, card_exp_year, "
        "save_card, wire_name, wire_phone, wire_email, wire_reference, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "ttttttttiiiiitttttiiittttii", o->id, o->partner_id, nul(o->user_id), o->offer_code,
        o->action, nul(o->subscription_id), o->status, o->currency, o->unit_amount, o->subtotal,
        (int64_t)o->tax_rate, o->tax_amount, o->total, o->tax_treatment, o->payment_method,
        nul(o->card_token), nul(o->card_brand), nul(o->card_last4), (int64_t)o->card_exp_month,
        (int64_t)o->card_exp_year, (int64_t)o->save_card, nul(o->wire_name), nul(o->wire_phone),
        nul(o->wire_email), nul(o->wire_reference), now, now);
    return rc < 0 ? (int)rc : 0;
}

static int find_order(struct db *db, const char *where, const char *value, struct order_row *out)
{
    char sql[1024];
    struct db_stmt *st;
    snprintf(sql, sizeof(sql), ORDER_COLUMNS "WHERE %s", where);
    int rc = db_query(db, &st, sql, "t", value);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        read_order(st, out);
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

int orders_find(struct db *db, const char *id, struct order_row *out)
{
    return find_order(db, "id = ?", id, out);
}

int orders_find_by_reference(struct db *db, const char *reference, struct order_row *out)
{
    return find_order(db, "wire_reference = ?", reference, out);
}

int orders_paying_term(struct db *db, const char *subscription_id, struct order_row *out)
{
    return find_order(db,
                      "subscription_id = ? AND status = 'confirmed' ORDER BY paid_on DESC, "
                      "created_at DESC, id DESC LIMIT 1",
                      subscription_id, out);
}

static int list_orders(struct db *db, const char *sql, const char *value, struct order_row **out,
                       int *count)
{
    struct db_stmt *st;
    int rc = db_query(db, &st, sql, "t", value);
    if (rc < 0)
        return rc;
    int cap = 8, n = 0;
    struct order_row *rows = malloc((size_t)cap * sizeof(*rows));
    while (rows && (rc = db_step(st)) == DB_ROW) {
        if (n == cap) {
            struct order_row *grown = realloc(rows, (size_t)(cap *= 2) * sizeof(*rows));
            if (grown == NULL) {
                free(rows);
                rows = NULL;
                break;
            }
            rows = grown;
        }
        read_order(st, &rows[n++]);
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

int orders_list(struct db *db, const char *partner_id, struct order_row **out, int *count)
{
    return list_orders(db, ORDER_COLUMNS "WHERE partner_id = ? ORDER BY created_at DESC, id DESC",
                       partner_id, out, count);
}

int orders_in_status(struct db *db, const char *status, struct order_row **out, int *count)
{
    return list_orders(db, ORDER_COLUMNS "WHERE status = ? ORDER BY created_at, id", status, out,
                       count);
}

int orders_count_open(struct db *db, const char *partner_id, const char *offer_code,
                      const char *action, const char *except_order_id, int64_t *count)
{
    return db_scalar(db, count,
                     "SELECT COUNT(*) FROM orders WHERE partner_id = ? AND offer_code = ? AND "
                     "action = ? AND id <> ? AND status IN ('processing', 'payment_unknown', "
                     "'awaiting_payment')",
                     "tttt", partner_id, offer_code, action, except_order_id ? except_order_id : "");
}

int orders_transition(struct db *db, const char *id, const char *from, const char *to,
                      int64_t now)
{
    int64_t rc = db_run(db,
                        "UPDATE orders SET status = ?, updated_at = ? WHERE id = ? AND status = ?",
                        "titt", to, now, id, from);
    return rc < 0 ? (int)rc : rc > 0;
}

int orders_set_outcome(struct db *db, const char *id, const char *status, const char *paid_on,
                       const char *invoice_id, const char *failure_code,
                       const char *subscription_id, const char *due_on, int64_t now)
{
    int64_t rc = db_run(db,
                        "UPDATE orders SET status = ?, paid_on = COALESCE(?, paid_on), "
                        "invoice_id = COALESCE(?, invoice_id), failure_code = ?, "
                        "subscription_id = COALESCE(?, subscription_id), "
                        "due_on = COALESCE(?, due_on), updated_at = ? WHERE id = ?",
                        "ttttttit", status, nul(paid_on), nul(invoice_id), nul(failure_code),
                        nul(subscription_id), nul(due_on), now, id);
    return rc < 0 ? (int)rc : 0;
}

int payments_insert(struct db *db, const char *order_id, int attempt, const char *method,
                    const char *key, int64_t amount, const char *currency, int64_t now,
                    char *id_out, size_t n)
{
    id_new("pay", id_out, n);
    int64_t rc = db_run(db,
                        "INSERT INTO payments (id, order_id, attempt, method, idempotency_key, "
                        "status, amount, currency, created_at, updated_at) VALUES (?, ?, ?, ?, ?, "
                        "'pending', ?, ?, ?, ?)",
                        "ttittitii", id_out, order_id, (int64_t)attempt, method, key, amount,
                        currency, now, now);
    return rc < 0 ? (int)rc : 0;
}

int payments_set(struct db *db, const char *key, const char *status, const char *charge_id,
                 const char *failure_code, int64_t now)
{
    int64_t rc = db_run(db,
                        "UPDATE payments SET status = ?, gateway_charge_id = COALESCE(?, "
                        "gateway_charge_id), failure_code = ?, updated_at = ? WHERE "
                        "idempotency_key = ?",
                        "tttit", status, nul(charge_id), nul(failure_code), now, key);
    return rc < 0 ? (int)rc : 0;
}

int payments_of(struct db *db, const char *order_id, struct payment_row *out, int max, int *count)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT id, attempt, idempotency_key, status, created_at FROM payments "
                      "WHERE order_id = ? ORDER BY attempt",
                      "t", order_id);
    if (rc < 0)
        return rc;
    int n = 0;
    while ((rc = db_step(st)) == DB_ROW && n < max) {
        copy(out[n].id, sizeof(out[n].id), db_column_text(st, 0));
        out[n].attempt = (int)db_column_int64(st, 1);
        copy(out[n].key, sizeof(out[n].key), db_column_text(st, 2));
        copy(out[n].status, sizeof(out[n].status), db_column_text(st, 3));
        out[n].created_at = db_column_int64(st, 4);
        n++;
    }
    db_finalize(st);
    *count = n;
    return rc < 0 ? rc : 0;
}

int payments_succeeded_charge(struct db *db, const char *order_id, char *charge_id, size_t n)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT gateway_charge_id FROM payments WHERE order_id = ? AND status = "
                      "'succeeded' AND gateway_charge_id IS NOT NULL",
                      "t", order_id);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        copy(charge_id, n, db_column_text(st, 0));
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

int payment_method_save(struct db *db, const char *partner_id, const struct order_row *o,
                        int64_t now)
{
    int64_t rc = db_run(db,
                        "INSERT INTO payment_methods (partner_id, token, brand, last4, exp_month, "
                        "exp_year, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
                        "(partner_id) DO UPDATE SET token = excluded.token, brand = "
                        "excluded.brand, last4 = excluded.last4, exp_month = excluded.exp_month, "
                        "exp_year = excluded.exp_year, updated_at = excluded.updated_at",
                        "ttttiii", partner_id, o->card_token, o->card_brand, o->card_last4,
                        (int64_t)o->card_exp_month, (int64_t)o->card_exp_year, now);
    return rc < 0 ? (int)rc : 0;
}

int payment_method_get(struct db *db, const char *partner_id, struct order_row *card)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT token, brand, last4, exp_month, exp_year FROM payment_methods "
                      "WHERE partner_id = ?",
                      "t", partner_id);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        copy(card->card_token, sizeof(card->card_token), db_column_text(st, 0));
        copy(card->card_brand, sizeof(card->card_brand), db_column_text(st, 1));
        copy(card->card_last4, sizeof(card->card_last4), db_column_text(st, 2));
        card->card_exp_month = (int)db_column_int64(st, 3);
        card->card_exp_year = (int)db_column_int64(st, 4);
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

int counters_next(struct db *db, const char *series, int64_t *value)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "INSERT INTO counters (name, value) VALUES (?, 1) ON CONFLICT (name) DO "
                      "UPDATE SET value = counters.value + 1 RETURNING value",
                      "t", series);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW)
        *value = db_column_int64(st, 0);
    db_finalize(st);
    return rc == DB_ROW ? 0 : rc < 0 ? rc : PD_E_DB;
}

#define INVOICE_COLUMNS                                                                       \
    "SELECT id, type, number, partner_id, order_id, credits_invoice_id, issued_on, due_on, "  \
    "currency, subtotal, tax_rate, tax_amount, total, tax_treatment, lang, created_at, "      \
    "document FROM invoices "

static void read_invoice(struct db_stmt *st, struct invoice_row *v)
{
    memset(v, 0, sizeof(*v));
    copy(v->id, sizeof(v->id), db_column_text(st, 0));
    copy(v->type, sizeof(v->type), db_column_text(st, 1));
    copy(v->number, sizeof(v->number), db_column_text(st, 2));
    copy(v->partner_id, sizeof(v->partner_id), db_column_text(st, 3));
    copy(v->order_id, sizeof(v->order_id), db_column_text(st, 4));
    copy(v->credits_invoice_id, sizeof(v->credits_invoice_id), db_column_text(st, 5));
    copy(v->issued_on, sizeof(v->issued_on), db_column_text(st, 6));
    copy(v->due_on, sizeof(v->due_on), db_column_text(st, 7));
    copy(v->currency, sizeof(v->currency), db_column_text(st, 8));
    v->subtotal = db_column_int64(st, 9);
    v->tax_rate = (int)db_column_int64(st, 10);
    v->tax_amount = db_column_int64(st, 11);
    v->total = db_column_int64(st, 12);
    copy(v->tax_treatment, sizeof(v->tax_treatment), db_column_text(st, 13));
    copy(v->lang, sizeof(v->lang), db_column_text(st, 14));
    v->created_at = db_column_int64(st, 15);
}

int invoices_insert(struct db *db, const struct invoice_row *v, const char *service_start,
                    const char *service_end, const char *document, int64_t now)
{
    int64_t rc = db_run(db,
                        "INSERT INTO invoices (id, type, number, partner_id, order_id, "
                        "credits_invoice_id, issued_on, due_on, service_start, service_end, "
                        "currency, subtotal, tax_rate, tax_amount, total, tax_treatment, lang, "
                        "document, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                        "?, ?, ?, ?, ?)",
                        "tttttttttttiiiittti", v->id, v->type, v->number, v->partner_id,
                        nul(v->order_id), nul(v->credits_invoice_id), v->issued_on,
                        nul(v->due_on), nul(service_start), nul(service_end), v->currency,
                        v->subtotal, (int64_t)v->tax_rate, v->tax_amount, v->total,
                        v->tax_treatment, v->lang, document, now);
    return rc < 0 ? (int)rc : 0;
}

int invoices_find(struct db *db, const char *id, struct invoice_row *out, char **document)
{
    struct db_stmt *st;
    int rc = db_query(db, &st, INVOICE_COLUMNS "WHERE id = ?", "t", id);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        read_invoice(st, out);
        if (document)
            *document = strdup(db_column_text(st, 16));
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

int invoices_list(struct db *db, const char *partner_id, struct invoice_row **out, int *count)
{
    struct db_stmt *st;
    int rc = db_query(db, &st, INVOICE_COLUMNS "WHERE partner_id = ? ORDER BY created_at DESC, "
                                               "number DESC",
                      "t", partner_id);
    if (rc < 0)
        return rc;
    int cap = 8, n = 0;
    struct invoice_row *rows = malloc((size_t)cap * sizeof(*rows));
    while (rows && (rc = db_step(st)) == DB_ROW) {
        if (n == cap) {
            struct invoice_row *grown = realloc(rows, (size_t)(cap *= 2) * sizeof(*rows));
            if (grown == NULL) {
                free(rows);
                rows = NULL;
                break;
            }
            rows = grown;
        }
        read_invoice(st, &rows[n++]);
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

int invoices_credited(struct db *db, const char *invoice_id)
{
    int64_t n = 0;
    int rc = db_scalar(db, &n, "SELECT COUNT(*) FROM invoices WHERE credits_invoice_id = ?", "t",
                       invoice_id);
    return rc < 0 ? rc : n > 0;
}

int wire_insert(struct db *db, const char *id, const char *reference, int64_t amount,
                const char *currency, const char *received_on, const char *status,
                const char *order_id, const char *source, const char *recorded_by, int64_t now)
{
    int64_t rc = db_run(db,
                        "INSERT INTO wire_transfers (id, reference, amount, currency, received_on, "
                        "status, order_id, source, recorded_by, created_at) VALUES (?, ?, ?, ?, ?, "
                        "?, ?, ?, ?, ?)",
                        "ttitttttti", id, reference, amount, currency, received_on, status,
                        nul(order_id), source, nul(recorded_by), now);
    return rc < 0 ? (int)rc : 0;
}

int wire_list(struct db *db, const char *status, json_t **items)
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
    *items = json_array();
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(
            *items, json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s?, s:s}", "id",
                              db_column_text(st, 0), "reference", db_column_text(st, 1),
                              "amount_minor", (json_int_t)db_column_int64(st, 2), "currency",
                              db_column_text(st, 3), "received_on", db_column_text(st, 4),
                              "status", db_column_text(st, 5), "order_id",
                              db_column_text(st, 6), "source", db_column_text(st, 7)));
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int invoices_revenue_by_month(struct db *db, const char *from, json_t **items)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT substr(issued_on, 1, 7) AS month, currency, SUM(total), "
                      "SUM(CASE WHEN type = 'invoice' THEN 1 ELSE 0 END) FROM invoices WHERE "
                      "issued_on >= ? GROUP BY substr(issued_on, 1, 7), currency ORDER BY month, "
                      "currency",
                      "t", from);
    if (rc < 0)
        return rc;
    *items = json_array();
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(*items, json_pack("{s:s, s:s, s:I, s:I}", "month",
                                                db_column_text(st, 0), "currency",
                                                db_column_text(st, 1), "amount_minor",
                                                (json_int_t)db_column_int64(st, 2), "invoices",
                                                (json_int_t)db_column_int64(st, 3)));
    db_finalize(st);
    return rc < 0 ? rc : 0;
}
