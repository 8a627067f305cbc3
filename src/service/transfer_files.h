/*
 * service/transfer_files.h - SEPA credit transfer files (pain.001.001.03) for the refunds
 * finance pays by transfer: to_pay -> sent when the file is made, -> paid when a camt.053
 * statement shows the debit (service/bank_statements.h).
 */
#ifndef PD_SERVICE_TRANSFER_FILES_H
#define PD_SERVICE_TRANSFER_FILES_H

#include <jansson.h>

#include "core/error.h"
#include "service/principal.h"

struct db;

/* {"refunds": [{"id", "iban"?, "name"?}], "execution_date"?} -> one file paying them all,
 * kept, and the refunds marked sent. *out: {"id","msg_id","transfers","control_sum_minor",
 * "currency","execution_date","download","payments"}. */
int transfer_files_create(struct db *db, const struct principal *who, const char *ip,
                          const json_t *body, json_t **out, struct pd_error *err);

/* The XML of a transfer file (malloc'd, owner: caller, free()). */
int transfer_files_document(struct db *db, const char *id, char **xml, struct pd_error *err);

#endif
