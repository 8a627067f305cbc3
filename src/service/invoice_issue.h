/*
 * service/invoice_issue.h - issuing invoices and credit notes.
 *
 * An invoice is issued for an order when it is paid by card (confirmed) or bought by wire
 * (awaiting payment, with the payment instructions); a credit note cancels an unpaid wire
 * invoice at its due date, or refunds part of a paid one (service/support.c). Numbers
 * come from the year's series, taken in the issuing transaction, so they have no gap:
 * 2027-000001 for invoices, AV2027-000001 for credit notes.
 */
#ifndef PD_SERVICE_INVOICE_ISSUE_H
#define PD_SERVICE_INVOICE_ISSUE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "service/pricing.h"

#include "service/settings.h"
#include "store/invoices.h"
#include "store/orders.h"

struct db;

/* What was issued. */
struct invoice_issued {
    char id[32];
    char number[24];
};

/* An invoice or credit note read and ready to issue, all but its number and date (taken
 * last: the year's series row stays locked from a number to the commit, and any other
 * transaction issuing one waits for it all that time). Made by invoice_draft(); its id is
 * known already. o and set are the caller's, kept until it is issued. */
struct invoice_draft {
    const struct settings *set;
    const struct order_row *o;
    bool credit;
    struct invoice_row credits; /* the invoice a credit note credits */
    char id[32];
    char due_on[DATE_STRLEN], start[DATE_STRLEN], end[DATE_STRLEN]; /* empty: none */
    struct buyer buyer;
    char buyer_mail[256]; /* its electronic address when it has no SIREN; empty: none */
    const char *lang;     /* the buyer's */
    json_t *name;         /* the offer's name in lang */
};

/* In the caller's transaction: reads what invoice_issue() would issue into *d (the same
 * arguments), and gives it its id. 0, or negative; drop it with invoice_draft_drop() unless
 * it is issued. */
int invoice_draft(struct db *db, const struct settings *set, const struct order_row *o,
                  const struct invoice_row *credits, const char *due_on, const char *service_start,
                  const char *service_end, struct invoice_draft *d);

/* In the caller's transaction: issues n drafts in their order, dated today (not the day
 * they were drafted) and numbered from that year's series (the drafts of one series in a row
 * take their numbers in one statement), each with its frozen document, written and audited;
 * what was issued into out[i]. Every draft is dropped, issued or not. */
int invoice_drafts_issue(struct db *db, struct invoice_draft *const *d, int n,
                         struct invoice_issued *out);

/* What a draft holds that was allocated, freed (again: nothing). */
void invoice_draft_drop(struct invoice_draft *d);

/* In the caller's transaction: issues an invoice for o (credits NULL), or a credit note of
 * the invoice credits for o's amounts, with its frozen document (the organisation's buyer
 * facts and language, the seller of set). due_on, service_start and service_end may be
 * NULL. The new invoice's id and number into *out. */
int invoice_issue(struct db *db, const struct settings *set, const struct order_row *o,
                  const struct invoice_row *credits, const char *due_on, const char *service_start,
                  const char *service_end, struct invoice_issued *out);

/* For service/refunds.c, a refund: in the caller's transaction, a credit note of the
 * order's invoice for subtotal (before VAT), at the order's VAT rate, crediting the service
 * from service_start to service_end (the days subtotal pays back). Its id into credit_id
 * (n bytes), its total (VAT included) into *total. */
int invoice_credit(struct db *db, const struct order_row *o, int64_t subtotal,
                   const char *service_start, const char *service_end, char *credit_id, size_t n,
                   int64_t *total);

#endif
