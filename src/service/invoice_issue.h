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

#include <stddef.h>
#include <stdint.h>

#include "service/settings.h"
#include "store/invoices.h"
#include "store/orders.h"

struct db;

/* What was issued. */
struct invoice_issued {
    char id[32];
    char number[24];
};

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
