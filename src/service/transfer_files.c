/*
 * service/transfer_files.c - paying refunds by SEPA credit transfer: finance picks the wire
 * refunds to pay, partnerd writes one pain.001.001.03 file for the bank and marks them sent.
 *
 * Each refund goes back to the account that paid its order (a surplus: the account of the
 * transfer that overpaid) when a camt.053 statement showed it (store/wire_transfers.h), or
 * to the IBAN finance gives; the name is the one
 * finance gives, else the one on the statement, else the organisation's legal name, in
 * the SEPA character set. Its EndToEndId is the refund's id with '-' for '_' (SEPA has no
 * underscore): a camt.053 statement showing that debit marks the refund paid
 * (service/bank_statements.c). All or nothing: one refund that cannot be paid (not a wire
 * refund to pay, not in euros, no account, no name in the SEPA character set) makes no
 * file, and the answer names it.
 */
#include "service/transfer_files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/date.h"
#include "core/msg.h"
#include "core/sepa.h"
#include "db/db.h"
#include "render/pain001.h"
#include "service/audit.h"
#include "service/settings.h"
#include "service/tx.h"
#include "service/validate.h"
#include "store/refunds.h"
#include "store/users.h"
#include "store/wire_transfers.h"

/* The most refunds one file pays. */
#define FILE_MAX 500

/* What finance asked for one refund. */
struct pick {
    const char *id, *iban, *name;
};

/* Reads {"refunds": [{"id", "iban"?, "name"?}], "execution_date"?} into picks; its
 * problems into c. */
static void read_body(const json_t *body, struct pick *picks, int *n, const char **date,
                      struct checks *cs)
{
    static const char *const keys[] = {"refunds", "execution_date", NULL};
    static const char *const pick_keys[] = {"id", "iban", "name", NULL};
    struct checks c = *cs;
    struct date d;
    check_known_keys(&c, body, "", keys);
    *date = check_text(&c, body, "execution_date", "execution_date", false, 10);
    if (*date && date_parse(*date, &d) < 0)
        check_fail(&c, "execution_date", MSG_FIELD_DATE);
    else if (*date && date_cmp(d, clock_today()) < 0)
        check_fail(&c, "execution_date", MSG_FIELD_DATE_PAST);
    const json_t *list = json_object_get(body, "refunds");
    *n = 0;
    if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > FILE_MAX) {
        check_fail(&c, "refunds", MSG_FIELD_REFUNDS);
        *cs = c;
        return;
    }
    size_t i;
    const json_t *item;
    json_array_foreach(list, i, item)
    {
        char prefix[32], field[48];
        snprintf(prefix, sizeof(prefix), "refunds[%zu].", i);
        if (!json_is_object(item)) {
            snprintf(field, sizeof(field), "refunds[%zu]", i);
            check_fail(&c, field, MSG_FIELD_NOT_OBJECT);
            continue;
        }
        struct pick *p = &picks[(*n)++];
        check_known_keys(&c, item, prefix, pick_keys);
        snprintf(field, sizeof(field), "%sid", prefix);
        p->id = check_text(&c, item, "id", field, true, 31);
        snprintf(field, sizeof(field), "%siban", prefix);
        p->iban = check_text(&c, item, "iban", field, false, 50);
        snprintf(field, sizeof(field), "%sname", prefix);
        p->name = check_text(&c, item, "name", field, false, 140);
        for (int k = 0; p->id && k < *n - 1; k++)
            if (picks[k].id && strcmp(picks[k].id, p->id) == 0) {
                snprintf(field, sizeof(field), "%sid", prefix);
                check_fail(&c, field, MSG_FIELD_ALREADY_USED);
            }
    }
    *cs = c;
}

/* The creditor of one refund: IBAN and name. Records a problem when there is none. */
static void payee_of(struct db *db, const struct pick *p, const struct refund_row *f, size_t i,
                     struct checks *c, struct pain001_payment *pay, char iban[35], char name[71])
{
    char field[48], read_name[141] = "", read_iban[40] = "";
    const char *seen_name = "", *seen_iban = "";
    snprintf(field, sizeof(field), "refunds[%zu].iban", i);
    if (p->iban) {
        if (!sepa_iban(p->iban, iban, 35))
            check_fail(c, field, MSG_FIELD_IBAN);
    } else {
        if (f->transfer_id) { /* a surplus or a transfer sent back: the row has its payer */
            seen_name = f->payer_name ? f->payer_name : "";
            seen_iban = f->payer_iban ? f->payer_iban : "";
        } else if (wire_transfers_payer_of(db, f->order_id, read_name, sizeof(read_name), read_iban,
                                           sizeof(read_iban)) == 1) {
            seen_name = read_name; /* the account the order was paid from */
            seen_iban = read_iban;
        }
        if (!sepa_iban(seen_iban, iban, 35))
            check_fail(c, field, MSG_FIELD_IBAN_UNKNOWN);
    }
    /* a transfer no order named has no organisation: its payer's name, or finance's */
    const char *legal_name = f->partner_legal_name ? f->partner_legal_name : "";
    const char *who = p->name ? p->name : seen_name[0] ? seen_name : legal_name;
    sepa_text(who, name, 71, 70);
    if (name[0] == '\0')
        sepa_text(legal_name, name, 71, 70);
    if (name[0] == '\0') { /* a name of no Latin letter (Greek, Cyrillic...): the bank needs one */
        snprintf(field, sizeof(field), "refunds[%zu].name", i);
        check_fail(c, field, MSG_FIELD_SEPA_NAME);
    }
    pay->iban = iban;
    pay->name = name;
    pay->amount = f->amount;
}

/* The EndToEndId of a refund: its id, '-' for '_'. */
static void end_to_end_of(const char *id, char out[36])
{
    snprintf(out, 36, "%s", id);
    for (char *p = out; *p; p++)
        if (*p == '_')
            *p = '-';
}

/* The answer: the file's facts and the refunds it pays. */
static json_t *file_view(const struct transfer_file *t, const struct pain001 *f)
{
    char download[96];
    json_t *items = json_array();
    snprintf(download, sizeof(download), "/api/v1/admin/transfer-files/%s", t->id);
    for (int i = 0; i < f->count; i++)
        json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:I}", "end_to_end_id",
                                               f->payments[i].end_to_end_id, "name",
                                               f->payments[i].name, "iban", f->payments[i].iban,
                                               "amount_minor", (json_int_t)f->payments[i].amount));
    return json_pack("{s:s, s:s, s:i, s:I, s:s, s:s, s:s, s:o}", "id", t->id, "msg_id", t->msg_id,
                     "transfers", t->transfers, "control_sum_minor", (json_int_t)t->control_sum,
                     "currency", t->currency, "execution_date", t->execution_date, "download",
                     download, "payments", items);
}

/* Checks every pick against its refund, in the transaction; fills payments. Problems go
 * into c; a negative status when the database fails. */
static int check_refunds(struct db *db, struct arena *a, const struct pick *picks, int n,
                         struct pain001_payment *pays, char (*ibans)[35], char (*names)[71],
                         char (*e2e)[36], char (*remit)[141], struct checks *cs,
                         struct pd_error *err)
{
    struct checks c = *cs;
    for (int i = 0; i < n; i++) {
        if (picks[i].id == NULL)
            continue;
        struct refund_row f;
        char field[48];
        snprintf(field, sizeof(field), "refunds[%d].id", i);
        int rc = refund_find(db, a, picks[i].id, &f);
        if (rc < 0) {
            *cs = c;
            return pd_fail(err, rc, "%s", db_errmsg(db));
        }
        if (rc == 0 || strcmp(f.method, "wire") != 0 || strcmp(f.status, "to_pay") != 0) {
            check_fail(&c, field, MSG_FIELD_REFUND_NOT_PAYABLE);
            continue;
        }
        if (strcmp(f.currency, "EUR") != 0) {
            check_fail(&c, field, MSG_FIELD_SEPA_EUR);
            continue;
        }
        payee_of(db, &picks[i], &f, (size_t)i, &c, &pays[i], ibans[i], names[i]);
        end_to_end_of(f.id, e2e[i]);
        pays[i].end_to_end_id = e2e[i];
        /* the partner reads it on its bank statement: in its language */
        char text[200];
        struct partner_row partner;
        rc = f.partner_id ? partners_find(db, f.partner_id, &partner) : 0;
        if (rc < 0) {
            *cs = c;
            return pd_fail(err, rc, "%s", db_errmsg(db));
        }
        const char *lang = rc == 1 ? partner.locale : "fr";
        if (strcmp(f.reason, "transfer") == 0) { /* sent back whole: the day, what it said */
            char day[40] = "";
            struct date received;
            if (f.transfer_received_on && date_parse(f.transfer_received_on, &received) == 0)
                date_format_long(received, lang, day, sizeof(day));
            msg_format(text, sizeof(text),
                       f.transfer_reference && f.transfer_reference[0]
                           ? MSG_TRANSFER_REMITTANCE
                           : MSG_TRANSFER_REMITTANCE_NO_REFERENCE,
                       lang, (const char *const[]){day, f.transfer_reference}, 2);
        } else if (f.transfer_id) /* a surplus: the invoice it overpaid */
            msg_format(text, sizeof(text), MSG_SURPLUS_REMITTANCE, lang,
                       (const char *const[]){f.invoice_number}, 1);
        else
            msg_format(text, sizeof(text), MSG_REFUND_REMITTANCE, lang,
                       (const char *const[]){f.credit_note_number, f.request_number}, 2);
        sepa_text(text, remit[i], 141, 140);
        pays[i].remittance = remit[i];
    }
    *cs = c;
    return 0;
}

int transfer_files_create(struct db *db, const struct principal *who, const char *ip,
                          const json_t *body, json_t **out, struct pd_error *err)
{
    struct pick *picks = calloc(FILE_MAX, sizeof(*picks));
    struct pain001_payment *pays = calloc(FILE_MAX, sizeof(*pays));
    char(*ibans)[35] = calloc(FILE_MAX, sizeof(*ibans));
    char(*names)[71] = calloc(FILE_MAX, sizeof(*names));
    char(*e2e)[36] = calloc(FILE_MAX, sizeof(*e2e));
    char(*remit)[141] = calloc(FILE_MAX, sizeof(*remit));
    struct arena a = {0};
    struct settings set;
    struct transfer_file t = {0};
    const char *date = NULL;
    char *xml = NULL, created[21], today[DATE_STRLEN], seller[71], bank_iban[35];
    int n = 0, rc;
    if (!picks || !pays || !ibans || !names || !e2e || !remit) {
        rc = pd_fail(err, PD_E_INTERNAL, "out of memory");
        goto done;
    }
    struct checks c = {0};
    read_body(body, picks, &n, &date, &c);
    if ((rc = settings_load(db, &set)) < 0) {
        check_done(&c, err);
        pd_error_clear(err);
        rc = pd_fail(err, rc, "settings");
        goto done;
    }
    if (!sepa_iban(set.bank_iban, bank_iban, sizeof(bank_iban))) {
        check_done(&c, err);
        pd_error_clear(err);
        rc = pd_fail(err, PD_E_CONFLICT, "the setting bank.iban is not a valid IBAN");
        goto done;
    }
    sepa_text(set.seller_name, seller, sizeof(seller), 70);
    if ((rc = tx_begin(db, err)) < 0) {
        struct pd_error ignored = {0};
        check_done(&c, &ignored);
        pd_error_clear(&ignored);
        goto done;
    }
    rc = check_refunds(db, &a, picks, n, pays, ibans, names, e2e, remit, &c, err);
    if (rc >= 0)
        rc = check_done(&c, err);
    else {
        struct pd_error ignored = {0};
        check_done(&c, &ignored);
        pd_error_clear(&ignored);
    }

    id_new("tfl", t.id, sizeof(t.id));
    snprintf(t.msg_id, sizeof(t.msg_id), "%s", t.id);
    end_to_end_of(t.id, t.msg_id);
    t.transfers = n;
    snprintf(t.currency, sizeof(t.currency), "EUR");
    snprintf(t.execution_date, sizeof(t.execution_date), "%s",
             date ? date : date_format(clock_today(), today));
    snprintf(t.created_by, sizeof(t.created_by), "%s", who ? who->user_id : "");
    struct pain001 f = {.msg_id = t.msg_id,
                        .created_at = instant_format(clock_now(), created),
                        .execution_date = t.execution_date,
                        .debtor_name = seller,
                        .debtor_iban = bank_iban,
                        .debtor_bic = set.bank_bic,
                        .payments = pays,
                        .count = n};
    if (rc >= 0 && (xml = pain001_render(&f, &t.control_sum)) == NULL)
        rc = pd_fail(err, PD_E_OVERFLOW, "the sum of the refunds");
    if (rc >= 0)
        rc = refund_transfer_file_insert(db, &t, xml, clock_now());
    for (int i = 0; rc >= 0 && i < n; i++) {
        rc = refund_set_sent(db, picks[i].id, names[i], ibans[i], e2e[i], t.id, clock_now());
        if (rc == 0) /* paid or put in another file since it was read */
            rc = pd_fail(err, PD_E_REFUND_NOT_PAYABLE, "refund %s", picks[i].id);
        if (rc > 0)
            rc = audit(db, who, ip, NULL, "refund.sent", "refund", picks[i].id,
                       json_pack("{s:s, s:s}", "transfer_file_id", t.id, "end_to_end_id", e2e[i]));
    }
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "transfer_file.created", "transfer_file", t.id,
                   json_pack("{s:i, s:I}", "transfers", n, "control_sum_minor",
                             (json_int_t)t.control_sum));
    if ((rc = tx_end(db, rc, err)) >= 0)
        *out = file_view(&t, &f);
done:
    free(xml);
    arena_free(&a);
    free(picks);
    free(pays);
    free(ibans);
    free(names);
    free(e2e);
    free(remit);
    return rc;
}

int transfer_files_document(struct db *db, const char *id, char **xml, struct pd_error *err)
{
    int rc = refund_transfer_file_document(db, id, xml);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    return rc == 0 ? pd_fail(err, PD_E_NOT_FOUND, NULL) : 0;
}
