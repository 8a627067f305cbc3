/*
 * store/invoices.h - SQL of invoices and credit notes.
 *
 * An invoice is frozen at issue: its figures are columns, and what its PDF shows is kept
 * as the document text written then (service/invoice_document.c reads and writes that
 * text; here it is an opaque string). A credit note is an invoice row of type
 * credit_note whose amounts are negative and which names the invoice it credits.
 */
#ifndef PD_STORE_INVOICES_H
#define PD_STORE_INVOICES_H

#include <stdint.h>

#include "core/cursor.h"

struct db;

struct invoice_row {
    char id[32];
    char type[12]; /* "invoice" or "credit_note" */
    char number[24];
    char partner_id[32];
    char order_id[32];
    char credits_invoice_id[32];
    char issued_on[11];
    char due_on[11];
    char currency[4];
    int64_t subtotal, tax_amount, total;
    int tax_rate;
    char tax_treatment[20];
    char lang[3];
    int64_t created_at;
    /* read only: the status of its order and the day it was paid ("" when none) */
    char order_status[20];
    char paid_on[11];
};

/* Invoiced in one month and currency before VAT, credit notes deducted. */
struct invoice_revenue {
    char month[8]; /* YYYY-MM */
    char currency[4];
    int64_t amount_minor;
    int64_t invoices; /* invoices issued (credit notes not counted) */
};

/* What a batch of invoices adds to their months' totals (invoice_month_totals), summed as
 * they are written and added at the batch's end (invoices_add_sums): a statement for each
 * month, currency and shard rather than one for each invoice. */
#define MONTH_SUMS_MAX 16
struct month_sums {
    int n;
    struct invoice_month_sum {
        char month[8];
        char currency[4];
        int64_t shard, amount_minor, invoices;
    } sum[MONTH_SUMS_MAX];
};

/* Inserts an invoice or credit note with its frozen document text, and adds it to its
 * month's total: at once when sums is NULL, else into sums (added when full). */
int invoices_insert(struct db *db, const struct invoice_row *inv, const char *service_start,
                    const char *service_end, const char *document, int64_t now,
                    struct month_sums *sums);

/* Adds sums to the months' totals, in the order of their keys, and empties it. */
int invoices_add_sums(struct db *db, struct month_sums *sums);

/* 1 and *out when found, 0 when not. When document is not NULL it receives the frozen
 * document text (malloc'd; owner: caller, free()). */
int invoices_find(struct db *db, const char *id, struct invoice_row *out, char **document);

/* What a list of an organisation's invoices is filtered by (NULL or 0: any). */
struct invoices_filter {
    const char *partner_id; /* required */
    const char *number;     /* exactly */
    int64_t from, to;       /* created_at in [from, to) */
};

/* A page of the organisation's invoices and credit notes, newest first: p->limit + 1 rows
 * at most (malloc'd; owner: caller). */
int invoices_page(struct db *db, const struct invoices_filter *f, const struct page_request *p,
                  struct invoice_row **out, int *count);

/* Invoiced before VAT per month and currency from `from` (YYYY-MM-DD) on, credit notes
 * deducted, by
 * month then currency (malloc'd; owner: caller). */
int invoices_revenue_by_month(struct db *db, const char *from, struct invoice_revenue **out,
                              int *count);

/* 1 when a credit note already cancels or refunds the invoice. */
int invoices_credited(struct db *db, const char *invoice_id);

/* The statements above that the jobs and the dashboard run, for the query-plan checks
 * (tests/unit/test_plans.c). */
extern const char invoices_sql_credited[];
extern const char invoices_sql_revenue[];

#endif
