/*
 * service/wire_transfers.c - recording received transfers and matching them to orders.
 *
 * A transfer's reference is compared without spaces and in capitals. The order it names is
 * locked and read as it stands then: a transfer recorded at the same moment, or the due
 * date's cancellation, waits for this one and then sees what it did. A matched transfer
 * confirms its order in the same transaction (service/confirm.c).
 */
#include "service/wire_transfers.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/csv.h"
#include "core/date.h"
#include "core/money.h"
#include "core/text.h"
#include "db/db.h"
#include "service/audit.h"
#include "service/confirm.h"
#include "service/settings.h"
#include "service/tx.h"
#include "service/validate.h"
#include "store/orders.h"
#include "store/wire_transfers.h"

/* Rows a bank statement may have. */
#define STATEMENT_ROWS 2000

/* Why a transfer of t could or could not pay the order o (found: whether there is one). */
static const char *match_status(bool found, const struct order_row *o,
                                const struct wire_received *t)
{
    if (!found)
        return "unknown_reference";
    if (strcmp(o->status, "awaiting_payment") != 0)
        return "not_awaiting";
    if (strcmp(o->currency, t->currency) != 0)
        return "currency_mismatch";
    if (t->amount < o->total)
        return "partial";
    if (t->amount > o->total)
        return "excess";
    return "matched";
}

int wire_transfers_match(struct db *db, const struct settings *set, const struct principal *who,
                         const struct wire_received *t, const char *source,
                         struct wire_transfer_row *w)
{
    struct order_row o;
    size_t k = 0;
    memset(w, 0, sizeof(*w));
    for (const char *p = t->reference; *p && k + 1 < sizeof(w->reference); p++)
        if (*p != ' ')
            w->reference[k++] = (char)toupper((unsigned char)*p);
    w->reference[k] = '\0';
    int rc = orders_lock_by_reference(db, w->reference, &o);
    if (rc < 0)
        return rc;
    bool found = rc == 1;
    id_new("wtr", w->id, sizeof(w->id));
    w->amount = t->amount;
    snprintf(w->currency, sizeof(w->currency), "%s", t->currency);
    snprintf(w->received_on, sizeof(w->received_on), "%s", t->date);
    snprintf(w->status, sizeof(w->status), "%s", match_status(found, &o, t));
    snprintf(w->order_id, sizeof(w->order_id), "%s", found ? o.id : "");
    snprintf(w->source, sizeof(w->source), "%s", source);
    snprintf(w->recorded_by, sizeof(w->recorded_by), "%s", who ? who->user_id : "");
    w->bank_ref = t->bank_ref;
    w->payer_name = t->payer_name;
    w->payer_iban = t->payer_iban;
    rc = wire_transfers_insert(db, w, clock_now());
    if (rc == 0 && strcmp(w->status, "matched") == 0) {
        /* a transfer cannot have been made before its order existed: a term never starts
         * before its order, whatever date was typed */
        char ordered[DATE_STRLEN];
        date_format(date_of_instant(o.created_at), ordered);
        rc = confirm_order(db, set, &o, strcmp(t->date, ordered) < 0 ? ordered : t->date, NULL);
    }
    if (rc == 0)
        rc = audit(db, who, NULL, found ? o.partner_id : NULL, "wire_transfer.recorded",
                   "wire_transfer", w->id,
                   json_pack("{s:s, s:I, s:s, s:s, s:s?}", "reference", w->reference, "amount",
                             (json_int_t)t->amount, "currency", t->currency, "status", w->status,
                             "order_id", found ? o.id : NULL));
    return rc;
}

int wire_transfers_record(struct db *db, const struct principal *who, const char *ip,
                          const json_t *body, json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"reference", "amount_minor", "currency", "received_on",
                                       NULL};
    struct checks c = {0};
    struct date received;
    (void)ip;
    check_known_keys(&c, body, "", keys);
    const char *reference = check_text(&c, body, "reference", "reference", true, 40);
    json_t *amount = json_object_get(body, "amount_minor");
    check_amount(&c, body, "amount_minor", "amount_minor");
    const char *currency = check_text(&c, body, "currency", "currency", true, 3);
    if (currency && money_currency(currency) == NULL)
        check_fail(&c, "currency", MSG_FIELD_CURRENCY);
    const char *on = check_text(&c, body, "received_on", "received_on", true, 10);
    if (on && date_parse(on, &received) < 0)
        check_fail(&c, "received_on", MSG_FIELD_DATE);
    else if (on && date_cmp(received, clock_today()) > 0)
        check_fail(&c, "received_on", MSG_FIELD_DATE_FUTURE);
    int rc = check_done(&c, err);
    if (rc < 0)
        return rc;

    struct settings set;
    struct wire_received t = {.amount = json_integer_value(amount)};
    struct wire_transfer_row w;
    snprintf(t.date, sizeof(t.date), "%s", on);
    snprintf(t.currency, sizeof(t.currency), "%s", currency);
    snprintf(t.reference, sizeof(t.reference), "%s", reference);
    if ((rc = settings_load(db, &set)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if ((rc = tx_begin(db, err)) < 0)
        return rc;
    rc = wire_transfers_match(db, &set, who, &t, "manual", &w);
    if ((rc = tx_end(db, rc, err)) < 0)
        return rc;
    *out = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s}", "id", w.id, "reference", reference,
                     "amount_minor", (json_int_t)t.amount, "currency", currency, "received_on", on,
                     "status", w.status);
    return 0;
}

/* A problem of a statement's line, worded in lang. */
static void problem(json_t *problems, const char *lang, enum msg_id id, int line, const char *arg)
{
    char n[16], text[256];
    snprintf(n, sizeof(n), "%d", line);
    const char *const args[] = {arg ? arg : n};
    json_array_append_new(problems, json_string(msg_format(text, sizeof(text), id, lang, args, 1)));
}

/* Reads a statement's rows into rows (*n of them); its problems into problems. */
static void read_statement(const char *csv, const char *lang, struct wire_received *rows, int *n,
                           json_t *problems)
{
    static const char header[] = "date,amount,currency,reference";
    char *text = strdup(csv ? csv : "");
    char *cursor = text;
    int line = 0;
    *n = 0;
    for (char *l; text && (l = csv_next_line(&cursor)) != NULL;) {
        line++;
        if (line == 1) {
            if (strcmp(l, header) != 0)
                problem(problems, lang, MSG_STATEMENT_HEADER, line, header);
            continue;
        }
        if (l[0] == '\0')
            continue;
        char *f[4];
        int nf = csv_split(l, f, 4);
        struct date d;
        struct wire_received *t = &rows[*n];
        const struct currency *cur = nf == 4 ? money_currency(f[2]) : NULL;
        if (nf != 4) {
            problem(problems, lang, MSG_STATEMENT_FIELDS, line, NULL);
        } else if (date_parse(f[0], &d) < 0) {
            problem(problems, lang, MSG_STATEMENT_DATE, line, NULL);
        } else if (cur == NULL) {
            problem(problems, lang, MSG_STATEMENT_CURRENCY, line, NULL);
        } else if (*n == STATEMENT_ROWS) {
            problem(problems, lang, MSG_STATEMENT_TOO_MANY, line, NULL);
            break;
        } else if (money_parse_major(f[1], cur, &t->amount) < 0 || t->amount <= 0 ||
                   t->amount > MONEY_MAX_MINOR) {
            problem(problems, lang, MSG_STATEMENT_AMOUNT, line, NULL);
        } else if (!text_line_valid(f[3], 39)) {
            problem(problems, lang, MSG_STATEMENT_REFERENCE, line, NULL);
        } else {
            snprintf(t->date, sizeof(t->date), "%s", f[0]);
            snprintf(t->currency, sizeof(t->currency), "%s", f[2]);
            snprintf(t->reference, sizeof(t->reference), "%s", f[3]);
            (*n)++;
        }
    }
    free(text);
    if (line == 0)
        problem(problems, lang, MSG_STATEMENT_EMPTY, 1, NULL);
}

int wire_transfers_import(struct db *db, const struct principal *who, const char *ip,
                          const char *csv, const char *lang, json_t **out, struct pd_error *err)
{
    struct settings set;
    json_t *problems = json_array();
    int n = 0, matched = 0;
    (void)ip;
    struct wire_received *rows = calloc(STATEMENT_ROWS, sizeof(*rows));
    if (rows == NULL) {
        json_decref(problems);
        return pd_fail(err, PD_E_INTERNAL, "out of memory");
    }
    read_statement(csv, lang, rows, &n, problems);
    if (json_array_size(problems) > 0) {
        free(rows);
        pd_fail(err, PD_E_INVALID_REQUEST, "bad statement; nothing recorded");
        pd_error_detail(err, "lines", problems);
        return PD_E_INVALID_REQUEST;
    }
    json_decref(problems);
    int rc = settings_load(db, &set);
    if (rc < 0 || (rc = tx_begin(db, err)) < 0) {
        free(rows);
        return err->code ? err->code : pd_fail(err, rc, "%s", db_errmsg(db));
    }
    json_t *results = json_array();
    for (int i = 0; rc >= 0 && i < n; i++) {
        struct wire_transfer_row w;
        rc = wire_transfers_match(db, &set, who, &rows[i], "statement", &w);
        if (rc >= 0) {
            matched += strcmp(w.status, "matched") == 0;
            json_array_append_new(results, json_pack("{s:s, s:s, s:I, s:s, s:s}", "id", w.id,
                                                     "reference", rows[i].reference, "amount_minor",
                                                     (json_int_t)rows[i].amount, "currency",
                                                     rows[i].currency, "status", w.status));
        }
    }
    free(rows);
    if ((rc = tx_end(db, rc, err)) < 0) {
        json_decref(results);
        return rc;
    }
    *out = json_pack("{s:i, s:i, s:o}", "transfers", n, "matched", matched, "items", results);
    return 0;
}

int wire_transfers_list_json(struct db *db, const char *status, json_t **items,
                             struct pd_error *err)
{
    static const char *const statuses[] = {
        "matched",      "partial",           "excess", "unknown_reference",
        "not_awaiting", "currency_mismatch", NULL};
    struct wire_transfer_row *rows = NULL;
    int n = 0;
    if (check_filter("status", status, statuses, err) < 0)
        return err->code;
    int rc = wire_transfers_list(db, status, &rows, &n);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(
            *items,
            json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s?, s:s}", "id", rows[i].id, "reference",
                      rows[i].reference, "amount_minor", (json_int_t)rows[i].amount, "currency",
                      rows[i].currency, "received_on", rows[i].received_on, "status",
                      rows[i].status, "order_id", rows[i].order_id[0] ? rows[i].order_id : NULL,
                      "source", rows[i].source));
    free(rows);
    return 0;
}
