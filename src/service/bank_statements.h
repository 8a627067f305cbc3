/*
 * service/bank_statements.h - bank statements in ISO 20022 camt.053 (001.02 and 001.08),
 * beside the CSV of service/wire_transfers.h: received transfers matched to orders, and
 * the debits of refunds sent in a transfer file marked paid.
 */
#ifndef PD_SERVICE_BANK_STATEMENTS_H
#define PD_SERVICE_BANK_STATEMENTS_H

#include <jansson.h>
#include <stddef.h>

#include "core/error.h"
#include "service/principal.h"

struct db;

/* Imports a camt.053 document of len bytes, all or nothing; a movement imported before is
 * not recorded again. *out: {"format","statement_id","account_iban","transfers","matched",
 * "already_imported","not_booked","other_debits","refunds_paid","items","refunds",
 * "reversals"}. A document that cannot be read fails with PD_E_STATEMENT_INVALID and
 * details.problem; one of another account than the setting bank.iban with
 * PD_E_STATEMENT_OTHER_ACCOUNT. */
int bank_statements_import_camt(struct db *db, const struct principal *who, const char *ip,
                                const char *xml, size_t len, json_t **out, struct pd_error *err);

#endif
