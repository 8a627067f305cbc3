/* store/invoices.c - SQL of invoices and credit notes. */
#include "store/invoices.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
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

#define INVOICE_COLUMNS                                                                            \
    "SELECT id, type, number, partner_id, order_id, credits_invoice_id, issued_on, due_on, "       \
    "currency, subtotal, tax_rate, tax_amount, total, tax_treatment, lang, created_at, "           \
    "document, (SELECT o.status FROM orders o WHERE o.id = invoices.order_id), (SELECT "           \
    "o.paid_on FROM orders o WHERE o.id = invoices.order_id) FROM invoices "

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
    copy(v->order_status, sizeof(v->order_status), db_column_text(st, 17));
    copy(v->paid_on, sizeof(v->paid_on), db_column_text(st, 18));
}

const char invoices_sql_credited[] = "SELECT COUNT(*) FROM invoices WHERE credits_invoice_id = ?";
const char invoices_sql_revenue[] =
    "SELECT month, currency, SUM(amount_minor), SUM(invoices) FROM invoice_month_totals WHERE "
    "month >= ? GROUP BY month, currency ORDER BY month, currency";

/* Shards of a month's total (migration 018): concurrent invoices mostly add to different
 * rows, so on PostgreSQL they do not queue for one row lock until their commits. */
#define MONTH_SHARDS 8

static int64_t month_shard(const char *id)
{
    return (int64_t)(hash32_str(HASH32_START, id) % MONTH_SHARDS);
}

/* Adds to a month's total (a credit note's subtotal is negative). A renewal batch adds its
 * sums at its end, in the order of their keys (invoices_add_sums), so two transactions
 * adding to the same shards take them in the same order; each also holds its series'
 * counter row first (service/invoice_issue.c numbers a batch's invoices before writing
 * them). */
static int add_to_month(struct db *db, const struct invoice_month_sum *m)
{
    return db_write(db,
                    "INSERT INTO invoice_month_totals (month, currency, shard, amount_minor, "
                    "invoices) VALUES (?, ?, ?, ?, ?) ON CONFLICT (month, currency, shard) DO "
                    "UPDATE SET amount_minor = invoice_month_totals.amount_minor + "
                    "excluded.amount_minor, invoices = invoice_month_totals.invoices + "
                    "excluded.invoices",
                    "ttiii", m->month, m->currency, m->shard, m->amount_minor, m->invoices);
}

static int sum_order(const void *a, const void *b)
{
    const struct invoice_month_sum *x = a, *y = b;
    int c = strcmp(x->month, y->month);
    if (c == 0)
        c = strcmp(x->currency, y->currency);
    return c ? c : (x->shard > y->shard) - (x->shard < y->shard);
}

int invoices_add_sums(struct db *db, struct month_sums *sums)
{
    int rc = 0;
    qsort(sums->sum, (size_t)sums->n, sizeof(sums->sum[0]), sum_order);
    for (int i = 0; rc >= 0 && i < sums->n; i++)
        rc = add_to_month(db, &sums->sum[i]);
    sums->n = 0;
    return rc;
}

/* Adds v to its month's sum in sums, or at once when sums is NULL. */
static int add_invoice(struct db *db, const struct invoice_row *v, struct month_sums *sums)
{
    struct invoice_month_sum m = {.shard = month_shard(v->id),
                                  .amount_minor = v->subtotal,
                                  .invoices = strcmp(v->type, "invoice") == 0};
    snprintf(m.month, sizeof(m.month), "%.7s", v->issued_on);
    snprintf(m.currency, sizeof(m.currency), "%s", v->currency);
    if (sums == NULL)
        return add_to_month(db, &m);
    for (int i = 0; i < sums->n; i++)
        if (sum_order(&sums->sum[i], &m) == 0) {
            sums->sum[i].amount_minor += m.amount_minor;
            sums->sum[i].invoices += m.invoices;
            return 0;
        }
    int rc = sums->n == MONTH_SUMS_MAX ? invoices_add_sums(db, sums) : 0;
    if (rc >= 0)
        sums->sum[sums->n++] = m;
    return rc;
}

int invoices_insert(struct db *db, const struct invoice_row *v, const char *service_start,
                    const char *service_end, const char *document, int64_t now,
                    struct month_sums *sums)
{
    int rc =
        db_write(db,
                 "INSERT INTO invoices (id, type, number, partner_id, order_id, "
                 "credits_invoice_id, issued_on, due_on, service_start, service_end, "
                 "currency, subtotal, tax_rate, tax_amount, total, tax_treatment, lang, "
                 "document, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                 "?, ?, ?, ?, ?)",
                 "tttttttttttiiiittti", v->id, v->type, v->number, v->partner_id, nul(v->order_id),
                 nul(v->credits_invoice_id), v->issued_on, nul(v->due_on), nul(service_start),
                 nul(service_end), v->currency, v->subtotal, (int64_t)v->tax_rate, v->tax_amount,
                 v->total, v->tax_treatment, v->lang, document, now);
    return rc < 0 ? (int)rc : add_invoice(db, v, sums);
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

int invoices_page(struct db *db, const struct invoices_filter *f, const struct page_request *p,
                  struct invoice_row **out, int *count)
{
    struct page_sql q = {0};
    struct db_stmt *st;
    page_sql_start(&q, INVOICE_COLUMNS "WHERE 1 = 1");
    page_sql_and_text(&q, "partner_id = ?", f->partner_id);
    page_sql_and_text(&q, "number = ?", f->number);
    page_sql_created_between(&q, "", f->from, f->to);
    page_sql_finish(&q, "", p);
    int rc = page_sql_run(db, &q, &st);
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
    int rc = db_scalar(db, &n, invoices_sql_credited, "t", invoice_id);
    return rc < 0 ? rc : n > 0;
}

int invoices_revenue_by_month(struct db *db, const char *from, struct invoice_revenue **out,
                              int *count)
{
    struct db_stmt *st;
    char month[8];
    snprintf(month, sizeof(month), "%.7s", from);
    int rc = db_query(db, &st, invoices_sql_revenue, "t", month);
    if (rc < 0)
        return rc;
    int cap = 16, n = 0;
    struct invoice_revenue *rows = malloc((size_t)cap * sizeof(*rows));
    while (rows && (rc = db_step(st)) == DB_ROW) {
        if (n == cap) {
            struct invoice_revenue *grown = realloc(rows, (size_t)(cap *= 2) * sizeof(*rows));
            if (grown == NULL) {
                free(rows);
                rows = NULL;
                break;
            }
            rows = grown;
        }
        copy(rows[n].month, sizeof(rows[n].month), db_column_text(st, 0));
        copy(rows[n].currency, sizeof(rows[n].currency), db_column_text(st, 1));
        rows[n].amount_minor = db_column_int64(st, 2);
        rows[n].invoices = db_column_int64(st, 3);
        n++;
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
