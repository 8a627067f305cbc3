/*
 * service/wire_statement.c - reading partnerd's own CSV bank statement: one received
 * transfer a line after the header date,amount,currency,reference[,bank_ref].
 *
 * Each line gets the key that names it in the bank's books (kept as a transfer's bank_ref,
 * as camt.053 movements are), so that a file imported twice, or two exports that overlap,
 * record it once: the bank's own reference when the export has that column, else what the
 * line says and how many lines before it in the file say the same (csv_key_of). No
 * database here: service/wire_transfers.c records what this reads, and the fuzzer reads
 * anything with it.
 */
#include "service/wire_statement.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/card.h"
#include "core/clock.h"
#include "core/csv.h"
#include "core/date.h"
#include "core/money.h"
#include "core/msg.h"
#include "core/text.h"

/* A problem of a statement's line, worded in lang: {0} the line, {1} arg. */
static void problem(json_t *problems, const char *lang, enum msg_id id, int line, const char *arg)
{
    char n[16], text[256];
    snprintf(n, sizeof(n), "%d", line);
    const char *const args[] = {n, arg ? arg : ""};
    json_array_append_new(problems, json_string(msg_format(text, sizeof(text), id, lang, args, 2)));
}

/* The columns of a statement: the four of every file, and the bank's own reference of each
 * line when its export gives one. */
static const char *const COLUMNS[] = {"date", "amount", "currency", "reference", "bank_ref"};
#define COLUMNS_MIN 4
#define COLUMNS_MAX 5

/* How many columns a header of nf fields f names (4 or 5), or 0 when it is not one. */
static int header_columns(char **f, int nf)
{
    if (nf < COLUMNS_MIN || nf > COLUMNS_MAX)
        return 0;
    for (int k = 0; k < nf; k++)
        if (strcmp(f[k], COLUMNS[k]) != 0)
            return 0;
    return nf;
}

/* Reads a statement's rows into rows (*n of them, max at most), the bank's reference of
 * each (empty when the file has no bank_ref column) into bank_refs; its problems into
 * problems. */
static void read_rows(const char *csv, const char *lang, struct wire_received *rows,
                      char (*bank_refs)[WIRE_KEY_SIZE], int max, int *n, json_t *problems)
{
    char *text = strdup(csv ? csv : "");
    /* a spreadsheet's "CSV UTF-8" export starts with a byte order mark and may quote fields */
    char *cursor = csv_skip_bom(text);
    int line = 0, columns = COLUMNS_MIN;
    *n = 0;
    for (char *l; text && (l = csv_next_line(&cursor)) != NULL;) {
        line++;
        char *f[COLUMNS_MAX];
        int nf = l[0] ? csv_split(l, f, COLUMNS_MAX) : 0;
        for (int k = 0; k < nf && k < COLUMNS_MAX; k++)
            csv_unquote(f[k]);
        if (line == 1) {
            if ((columns = header_columns(f, nf)) == 0)
                problem(problems, lang, MSG_STATEMENT_HEADER, line,
                        "date,amount,currency,reference[,bank_ref]");
            continue;
        }
        if (l[0] == '\0')
            continue;
        struct date d;
        struct wire_received *t = &rows[*n];
        const struct currency *cur = nf == columns ? money_currency(f[2]) : NULL;
        char want[12];
        snprintf(want, sizeof(want), "%d", columns);
        if (nf != columns) {
            problem(problems, lang, MSG_STATEMENT_FIELDS, line, want);
        } else if (date_parse(f[0], &d) < 0) {
            problem(problems, lang, MSG_STATEMENT_DATE, line, NULL);
        } else if (date_cmp(d, clock_today()) > 0) { /* a term would start that day */
            problem(problems, lang, MSG_STATEMENT_DATE_FUTURE, line, NULL);
        } else if (cur == NULL) {
            problem(problems, lang, MSG_STATEMENT_CURRENCY, line, NULL);
        } else if (*n == max) {
            problem(problems, lang, MSG_STATEMENT_TOO_MANY, line, NULL);
            break;
        } else if (money_parse_major(f[1], cur, &t->amount) < 0 || t->amount <= 0 ||
                   t->amount > MONEY_MAX_MINOR) {
            problem(problems, lang, MSG_STATEMENT_AMOUNT, line, NULL);
        } else if (!text_line_valid(f[3], WIRE_REFERENCE_MAX)) {
            problem(problems, lang, MSG_STATEMENT_REFERENCE, line, NULL);
        } else if (columns == COLUMNS_MAX && !text_line_valid(f[4], 60)) {
            problem(problems, lang, MSG_STATEMENT_BANK_REF, line, NULL);
        } else {
            snprintf(t->date, sizeof(t->date), "%s", f[0]);
            snprintf(t->currency, sizeof(t->currency), "%s", f[2]);
            snprintf(t->reference, sizeof(t->reference), "%s", f[3]);
            /* the key of a line the bank names: its name (csv_key_of) */
            snprintf(bank_refs[*n], WIRE_KEY_SIZE, "%s%s", columns == COLUMNS_MAX ? "csv:" : "",
                     columns == COLUMNS_MAX ? f[4] : "");
            (*n)++;
        }
    }
    free(text);
    if (line == 0)
        problem(problems, lang, MSG_STATEMENT_EMPTY, 1, NULL);
}

/* The key that names row i of a statement in the bank's books, so that a file imported
 * twice, or two exports that overlap, record it once, into keys[i]. The bank's own
 * reference when the file has one (there already, "csv:" and it). Else what the line says
 * (day, amount, currency, reference, compared as they are kept) and how many lines before
 * it in the file say the same: two identical payments of one day are two, and an export
 * of that whole day holds both, in any file. keys[j] for j < i are still empty or the
 * bank's. */
static void csv_key_of(const struct wire_received *rows, char (*keys)[WIRE_KEY_SIZE], int i)
{
    char ref[sizeof(rows->reference)], other[sizeof(rows->reference)]; /* whole: no two alike */
    if (keys[i][0])
        return;
    rf_compact(rows[i].reference, ref, sizeof(ref));
    int occurrence = 1;
    for (int j = 0; j < i; j++) {
        const struct wire_received *a = &rows[j], *b = &rows[i];
        if (keys[j][0] || a->amount != b->amount || strcmp(a->date, b->date) != 0 ||
            strcmp(a->currency, b->currency) != 0)
            continue;
        rf_compact(a->reference, other, sizeof(other));
        occurrence += strcmp(other, ref) == 0;
    }
    snprintf(keys[i], WIRE_KEY_SIZE, "csv:%s/%lld/%s/%s#%d", rows[i].date,
             (long long)rows[i].amount, rows[i].currency, ref, occurrence);
}

int wire_statement_read(const char *csv, const char *lang, struct wire_received *rows,
                        char (*keys)[WIRE_KEY_SIZE], int max, json_t *problems)
{
    int n = 0;
    read_rows(csv, lang, rows, keys, max, &n, problems);
    /* keyed from the end: a line's key counts the lines before it as read */
    for (int i = n - 1; i >= 0; i--)
        csv_key_of(rows, keys, i);
    return n;
}
