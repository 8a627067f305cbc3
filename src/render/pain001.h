/*
 * render/pain001.h - a SEPA credit transfer initiation (ISO 20022 pain.001.001.03), the
 * file a company uploads to its bank to pay: here, the refunds finance pays by transfer.
 *
 * One payment information block (one debit of the seller's account) with one credit
 * transfer per refund, under the EPC rules: service level SEPA, charges SLEV, EUR.
 * Texts must already be in the SEPA character set (core/sepa.h); the renderer checks the
 * sums, not the words.
 */
#ifndef PD_RENDER_PAIN001_H
#define PD_RENDER_PAIN001_H

#include <stdint.h>

/* One credit transfer. */
struct pain001_payment {
    const char *end_to_end_id; /* 1..35 SEPA characters */
    const char *name;          /* the creditor, at most 70 */
    const char *iban;          /* compact */
    const char *remittance;    /* unstructured, at most 140 */
    int64_t amount;            /* minor units of EUR, > 0 */
};

/* The file. */
struct pain001 {
    const char *msg_id;         /* also the PmtInfId */
    const char *created_at;     /* ISO date-time, e.g. 2028-06-01T10:00:00Z */
    const char *execution_date; /* YYYY-MM-DD */
    const char *debtor_name, *debtor_iban, *debtor_bic; /* the seller; BIC may be "" */
    const struct pain001_payment *payments;
    int count;
};

/* The XML document (malloc'd, owner: caller, free()) and in *control_sum the sum of the
 * amounts, or NULL when out of memory or a sum overflows. */
char *pain001_render(const struct pain001 *f, int64_t *control_sum);

#endif
