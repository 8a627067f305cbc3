/* store/orders.c - SQL of orders (see store/orders.h). */
#include "store/orders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "db/db.h"
#include "store/subscriptions.h"
#include "store/page.h"

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

static const char *nul(const char *s)
{
    return s && *s ? s : NULL;
}

#define ORDER_COLUMNS                                                                              \
    "SELECT id, partner_id, user_id, offer_code, action, subscription_id, status, currency, "      \
    "unit_amount, subtotal, tax_rate, tax_amount, total, tax_treatment, payment_method, "          \
    "card_token, card_brand, card_last4, card_exp_month, card_exp_year, save_card, "               \
    "wire_name, wire_phone, wire_email, wire_reference, due_on, paid_on, invoice_id, "             \
    "failure_code, created_at, saved_card FROM orders "

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
    o->saved_card_known = !db_column_is_null(st, 30);
    copy(o->saved_card, sizeof(o->saved_card), db_column_text(st, 30));
}

int orders_insert(struct db *db, const struct order_row *o, int64_t now)
{
    int64_t rc = db_run(
        db,
        "INSERT INTO orders (id, partner_id, user_id, offer_code, action, subscription_id, "
        "status, currency, unit_amount, subtotal, tax_rate, tax_amount, total, tax_treatment, "
        "payment_method, card_token, card_brand, card_last4, card_exp_month, card_exp_year, "
        "save_card, wire_name, wire_phone, wire_email, wire_reference, created_at, updated_at, "
        "saved_card) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?, ?, COALESCE(?, (SELECT token FROM payment_methods WHERE partner_id = ?), ''))",
        "ttttttttiiiiitttttiiittttiitt", o->id, o->partner_id, nul(o->user_id), o->offer_code,
        o->action, nul(o->subscription_id), o->status, o->currency, o->unit_amount, o->subtotal,
        (int64_t)o->tax_rate, o->tax_amount, o->total, o->tax_treatment, o->payment_method,
        nul(o->card_token), nul(o->card_brand), nul(o->card_last4), (int64_t)o->card_exp_month,
        (int64_t)o->card_exp_year, (int64_t)o->save_card, nul(o->wire_name), nul(o->wire_phone),
        nul(o->wire_email), nul(o->wire_reference), now, now,
        o->saved_card_known ? o->saved_card : NULL, o->partner_id);
    return rc < 0 ? (int)rc : 0;
}

/* The statements of the jobs' lookups, named for tests/unit/test_plans.c, which checks that
 * an index serves each (migration 018). */
const char orders_sql_paying_term[] =
    ORDER_COLUMNS "WHERE subscription_id = ? AND status = 'confirmed' ORDER BY paid_on DESC, "
                  "created_at DESC, id DESC LIMIT 1";
const char orders_sql_in_status[] = ORDER_COLUMNS "WHERE status = ? ORDER BY created_at, id";
const char orders_sql_overdue[] =
    ORDER_COLUMNS "WHERE status = 'awaiting_payment' AND due_on < ? ORDER BY due_on, id";
const char orders_sql_awaiting_of[] =
    ORDER_COLUMNS "WHERE subscription_id = ? AND status = 'awaiting_payment' ORDER BY "
                  "created_at, id";

/* The first row of st, if any, into *out (1; 0 when none), and st finalized. */
static int first_order(struct db_stmt *st, struct order_row *out)
{
    int rc = db_step(st);
    if (rc == DB_ROW) {
        read_order(st, out);
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

/* The first row of sql, bound to value. */
static int find_order_sql(struct db *db, const char *sql, const char *value, struct order_row *out)
{
    struct db_stmt *st;
    int rc = db_query(db, &st, sql, "t", value);
    return rc < 0 ? rc : first_order(st, out);
}

static int find_order(struct db *db, const char *where, const char *value, struct order_row *out)
{
    char sql[1024];
    snprintf(sql, sizeof(sql), ORDER_COLUMNS "WHERE %s", where);
    return find_order_sql(db, sql, value, out);
}

int orders_find(struct db *db, const char *id, struct order_row *out)
{
    return find_order(db, "id = ?", id, out);
}

int orders_lock(struct db *db, const char *id, struct order_row *out)
{
    struct db_stmt *st;
    int rc = db_query_locked(db, &st, ORDER_COLUMNS "WHERE id = ?", "t", id);
    return rc < 0 ? rc : first_order(st, out);
}

int orders_lock_by_reference(struct db *db, const char *reference, struct order_row *out)
{
    /* the id first, to lock its row; then the order as it stands once locked: a transfer
     * recorded at the same moment, or the due date's cancellation, waits for this one */
    int rc = find_order(db, "wire_reference = ?", reference, out);
    if (rc == 1) {
        char id[sizeof(out->id)];
        snprintf(id, sizeof(id), "%s", out->id);
        rc = orders_lock(db, id, out);
    }
    return rc;
}

int orders_lock_buyer(struct db *db, const char *partner_id)
{
    return db_lock_row(db, "partners", partner_id);
}

/* An open order: paid by card and not settled yet, or awaiting a transfer. The terms of the
 * partial index orders_open (migration 025), word for word: a planner uses that index only
 * for a query that names them. */
#define ORDERS_OPEN "status IN ('processing', 'payment_unknown', 'awaiting_payment')"

int orders_lock_open_of(struct db *db, const char *partner_id, const char *offer_code, int *paying)
{
    struct db_stmt *st;
    *paying = 0;
    int rc = db_query_locked(db, &st,
                             "SELECT status FROM orders WHERE partner_id = ? AND offer_code = ? "
                             "AND " ORDERS_OPEN " ORDER BY id",
                             "tt", partner_id, offer_code);
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW)
        *paying += strcmp(db_column_text(st, 0), "awaiting_payment") != 0;
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int orders_paying_term(struct db *db, const char *subscription_id, struct order_row *out)
{
    return find_order_sql(db, orders_sql_paying_term, subscription_id, out);
}

static int read_orders(struct db_stmt *st, struct order_row **out, int *count);

static int list_orders(struct db *db, const char *sql, const char *value, struct order_row **out,
                       int *count)
{
    struct db_stmt *st;
    int rc = db_query(db, &st, sql, "t", value);
    return rc < 0 ? rc : read_orders(st, out, count);
}

/* Reads every row of st into a malloc'd array and finalizes st. */
static int read_orders(struct db_stmt *st, struct order_row **out, int *count)
{
    int rc = 0;
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

int orders_page(struct db *db, const struct orders_filter *f, const struct page_request *p,
                struct order_row **out, int *count)
{
    struct page_sql q = {0};
    struct db_stmt *st;
    page_sql_start(&q, ORDER_COLUMNS "WHERE 1 = 1");
    page_sql_and_text(&q, "partner_id = ?", f->partner_id);
    page_sql_and_text(&q, "status = ?", f->status);
    page_sql_and_text(&q, "wire_reference = ?", f->wire_reference);
    page_sql_created_between(&q, "", f->from, f->to);
    page_sql_finish(&q, "", p);
    int rc = page_sql_run(db, &q, &st);
    return rc < 0 ? rc : read_orders(st, out, count);
}

int orders_in_status(struct db *db, const char *status, struct order_row **out, int *count)
{
    return list_orders(db, orders_sql_in_status, status, out, count);
}

int orders_overdue(struct db *db, const char *today, struct order_row **out, int *count)
{
    return list_orders(db, orders_sql_overdue, today, out, count);
}

int orders_awaiting_of(struct db *db, const char *subscription_id, struct order_row **out,
                       int *count)
{
    return list_orders(db, orders_sql_awaiting_of, subscription_id, out, count);
}

int orders_card_paying_of(struct db *db, const char *subscription_id, char *out, size_t n)
{
    return db_text(db, out, n,
                   "SELECT id FROM orders WHERE subscription_id = ? AND payment_method = "
                   "'card' AND status IN ('processing', 'payment_unknown') LIMIT 1",
                   "t", subscription_id);
}

const char orders_sql_count_open[] =
    "SELECT COUNT(*) FROM orders WHERE partner_id = ? AND offer_code = ? AND action = ? AND "
    "id <> ? AND " ORDERS_OPEN;

int orders_count_open(struct db *db, const char *partner_id, const char *offer_code,
                      const char *action, const char *except_order_id, int64_t *count)
{
    return db_scalar(db, count, orders_sql_count_open, "tttt", partner_id, offer_code, action,
                     except_order_id ? except_order_id : "");
}

const char orders_sql_open_method[] =
    "SELECT payment_method FROM orders WHERE partner_id = ? AND offer_code = ? AND action = ? "
    "AND " ORDERS_OPEN " LIMIT 1";

int orders_open_method(struct db *db, const char *partner_id, const char *offer_code,
                       const char *action, char *method, size_t n)
{
    return db_text(db, method, n, orders_sql_open_method, "ttt", partner_id, offer_code, action);
}

/* An open renewal order keeps its offer's automatic renewal from being tried
 * (orders_count_open): once it ends without a term (one that renewed wrote the term's
 * days), the tries are looked at again at the next pass. */
static int renewal_order_ended(struct db *db, const struct order_row *o, const char *status)
{
    if (strcmp(o->action, "renewal") != 0 || !strcmp(status, "confirmed") ||
        !strcmp(status, "processing") || !strcmp(status, "payment_unknown") ||
        !strcmp(status, "awaiting_payment"))
        return 0;
    return subs_recheck_renewals(db, o->partner_id, o->offer_code);
}

int orders_transition(struct db *db, struct order_row *o, const char *from, const char *to,
                      int64_t now)
{
    int64_t rc =
        db_run(db, "UPDATE orders SET status = ?, updated_at = ? WHERE id = ? AND status = ?",
               "titt", to, now, o->id, from);
    if (rc > 0 && to != o->status)
        copy(o->status, sizeof(o->status), to);
    if (rc > 0 && (rc = renewal_order_ended(db, o, to)) >= 0)
        rc = 1;
    return rc < 0 ? (int)rc : rc > 0;
}

/* COALESCE(value, field) of the row in memory (value may be the field itself). */
static void keep_or_set(char *field, size_t n, const char *value)
{
    if (nul(value) && value != field)
        copy(field, n, value);
}

int orders_set_outcome(struct db *db, struct order_row *o, const char *status, const char *paid_on,
                       const char *invoice_id, const char *failure_code,
                       const char *subscription_id, const char *due_on, int64_t now)
{
    int64_t rc = db_run(db,
                        "UPDATE orders SET status = ?, paid_on = COALESCE(?, paid_on), "
                        "invoice_id = COALESCE(?, invoice_id), failure_code = ?, "
                        "subscription_id = COALESCE(?, subscription_id), "
                        "due_on = COALESCE(?, due_on), updated_at = ? WHERE id = ?",
                        "ttttttit", status, nul(paid_on), nul(invoice_id), nul(failure_code),
                        nul(subscription_id), nul(due_on), now, o->id);
    if (rc >= 0)
        rc = renewal_order_ended(db, o, status);
    if (rc < 0)
        return (int)rc;
    if (status != o->status)
        copy(o->status, sizeof(o->status), status);
    keep_or_set(o->paid_on, sizeof(o->paid_on), paid_on);
    keep_or_set(o->invoice_id, sizeof(o->invoice_id), invoice_id);
    if (failure_code != o->failure_code)
        copy(o->failure_code, sizeof(o->failure_code), nul(failure_code));
    keep_or_set(o->subscription_id, sizeof(o->subscription_id), subscription_id);
    keep_or_set(o->due_on, sizeof(o->due_on), due_on);
    return 0;
}
