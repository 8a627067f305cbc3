/*
 * service/wire_statement.h - partnerd's own CSV bank statement, read into received
 * transfers, each with the key that names it in the bank's books.
 */
#ifndef PD_SERVICE_WIRE_STATEMENT_H
#define PD_SERVICE_WIRE_STATEMENT_H

#include <jansson.h>

#include "service/wire_transfers.h"

/* The size of a line's key: "csv:" and a bank reference of 60 characters of up to 4 bytes
 * each, or what the line says. */
#define WIRE_KEY_SIZE 256

/* Reads the CSV text of a statement (header date,amount,currency,reference, and bank_ref
 * when the bank's export gives each line's own reference): its lines, at most max, into
 * rows and the key of each into keys; each problem, worded in lang, appended to problems
 * (then rows are to be ignored: the file is refused whole). Returns how many rows. Two
 * lines without bank_ref have different keys; a line has the same key in any file that
 * holds every line of its day. */
int wire_statement_read(const char *csv, const char *lang, struct wire_received *rows,
                        char (*keys)[WIRE_KEY_SIZE], int max, json_t *problems);

#endif
