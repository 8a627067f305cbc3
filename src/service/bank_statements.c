/*
 * service/bank_statements.c - importing a camt.053 bank statement.
 *
 * Booked credits are received transfers, recorded and matched to orders by their RF
 * reference exactly as the CSV import does (service/wire_transfers.c), with who paid
 * from which account. Booked debits whose EndToEndId names a refund sent in a transfer
 * file mark it paid on their booking date. A reversal (RvslInd: a credit returned, a debit
 * of ours come back) is never money received: it is shown to finance, with the transfer it
 * takes back when one was recorded, for finance to act on. Everything else (entries not
 * booked, other debits) is counted and left alone. A statement of another account than the program's
 * (setting bank.iban) is refused whole, and so is one with a booked movement dated ahead. Each movement's bank key is kept, so a statement
 * imported twice, or two statements that overlap, record each movement once. One
 * transaction: the whole statement or nothing.
 */
#include "service/bank_statements.h"

#include <stdio.h>
#include <string.h>

#include "core/camt.h"
#include "core/card.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/msg.h"
#include "core/sepa.h"
#include "db/db.h"
#include "service/audit.h"
#include "service/settings.h"
#include "service/tx.h"
#include "service/wire_transfers.h"
#include "store/refunds.h"
#include "store/wire_transfers.h"

/* What one import did. */
struct tally {
    int transfers, matched, already, not_booked, debits, refunds_paid;
    json_t *items, *refunds, *reversals;
};

/* A booked credit: recorded and matched, unless its key is known already. */
static int credit(struct db *db, const struct settings *set, const struct principal *who,
                  const struct camt_move *m, struct tally *t)
{
    int rc = wire_transfers_seen(db, m->key);
    if (rc != 0) {
        t->already += rc > 0;
        return rc < 0 ? rc : 0;
    }
    struct wire_received r = {.amount = m->amount,
                              .bank_ref = m->key,
                              .payer_name = m->party_name[0] ? m->party_name : NULL,
                              .payer_iban = m->party_iban[0] ? m->party_iban : NULL,
                              .remittance = m->remittance[0] ? m->remittance : NULL};
    struct wire_transfer_row w;
    snprintf(r.date, sizeof(r.date), "%s", m->booked_on);
    snprintf(r.currency, sizeof(r.currency), "%s", m->currency);
    r.readings = &m->refs;
    if ((rc = wire_transfers_match(db, set, who, &r, "camt053", &w)) < 0)
        return rc;
    t->transfers++;
    t->matched += strcmp(w.status, "matched") == 0;
    json_array_append_new(t->items,
                          json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s?, s:s?}", "id", w.id,
                                    "reference", w.reference, "amount_minor", (json_int_t)m->amount,
                                    "currency", m->currency, "received_on", m->booked_on, "status",
                                    w.status, "payer_name", r.payer_name, "remittance",
                                    m->remittance[0] ? m->remittance : NULL));
    return 0;
}

/* A reversal: shown, with the transfer a returned credit takes back (the latest recorded
 * under its reference for that amount), never recorded. */
static int reversal(struct db *db, const struct camt_move *m, struct tally *t)
{
    char id[32] = "", order[32] = "";
    int rc = 0;
    for (int i = 0; !m->credit && rc == 0 && i < m->refs.count; i++)
        rc = wire_transfers_find(db, m->refs.ref[i], m->amount, m->currency, id, order);
    if (rc < 0)
        return rc;
    bool e2e = m->end_to_end_id[0] && strcmp(m->end_to_end_id, "NOTPROVIDED") != 0;
    json_array_append_new(
        t->reversals,
        json_pack("{s:s, s:I, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?}", "side",
                  m->credit ? "credit" : "debit", "amount_minor", (json_int_t)m->amount, "currency",
                  m->currency, "booked_on", m->booked_on, "reference",
                  m->refs.count ? m->refs.ref[0] : NULL, "end_to_end_id",
                  e2e ? m->end_to_end_id : NULL, "party_name",
                  m->party_name[0] ? m->party_name : NULL, "transfer_id", id[0] ? id : NULL,
                  "order_id", order[0] ? order : NULL));
    return 0;
}

/* A booked debit: the refund it pays, if it names one that was sent, for its amount (a debit
 * of another amount is not that refund paid: finance marks it paid by hand once it knows). */
static int debit(struct db *db, const struct principal *who, const char *ip,
                 const struct camt_move *m, struct tally *t)
{
    char id[32], partner[32];
    int rc = m->end_to_end_id[0] ? refund_sent_by_end_to_end(db, m->end_to_end_id, m->amount,
                                                             m->currency, id, partner)
                                 : 0;
    if (rc <= 0) {
        t->debits += rc == 0;
        return rc;
    }
    if ((rc = refund_set_paid(db, id, m->booked_on, m->end_to_end_id, clock_now())) <= 0)
        return rc;
    t->refunds_paid++;
    json_array_append_new(t->refunds, json_string(id));
    return audit(db, who, ip, partner[0] ? partner : NULL, "refund.paid", "refund", id,
                 json_pack("{s:s, s:s, s:s}", "paid_on", m->booked_on, "reference",
                           m->end_to_end_id, "source", "camt053"));
}

/* Refuses a statement of another account than the program's (setting bank.iban): one
 * uploaded by mistake would record another company's receipts as partners' payments. */
static int check_account(const struct camt_statement *s, const struct settings *set,
                         struct pd_error *err)
{
    char ours[35];
    if (!sepa_iban(set->bank_iban, ours, sizeof(ours)))
        rf_compact(set->bank_iban, ours, sizeof(ours));
    if (s->iban[0] && strcmp(s->iban, ours) == 0)
        return 0;
    pd_fail(err, PD_E_STATEMENT_OTHER_ACCOUNT, "statement %s: account %s, not %s", s->id,
            s->iban[0] ? s->iban : "without IBAN", ours);
    pd_error_detail(err, "statement_iban", s->iban[0] ? json_string(s->iban) : json_null());
    pd_error_detail(err, "program_iban", json_string(ours));
    pd_error_detail(err, "problem",
                    s->iban[0] ? pd_problem(MSG_STATEMENT_OTHER_ACCOUNT,
                                            (const char *const[]){s->id, s->iban, ours}, 3)
                               : pd_problem(MSG_STATEMENT_NO_IBAN,
                                            (const char *const[]){s->id, ours}, 2));
    return PD_E_STATEMENT_OTHER_ACCOUNT;
}

/* Refuses a statement with a booked movement dated after today, as a CSV statement's line
 * is: a transfer received that day would confirm its order and start a term then, and a
 * refund would be paid on a day to come (a date mistyped, a file altered). why says which
 * entry. 0, or -1. */
static int booked_ahead(const struct camt_statement *s, struct camt_problem *why)
{
    struct date today = clock_today(), on;
    for (int i = 0; i < s->count; i++) {
        const struct camt_move *m = &s->moves[i];
        if (!m->booked || date_parse(m->booked_on, &on) < 0 || date_cmp(on, today) <= 0)
            continue;
        memset(why, 0, sizeof(*why));
        why->at = MSG_CAMT_AT_ENTRY;
        snprintf(why->at_args[0], sizeof(why->at_args[0]), "%d", m->entry);
        why->at_nargs = 1;
        why->id = MSG_CAMT_BOOKING_DATE_FUTURE;
        snprintf(why->args[0], sizeof(why->args[0]), "%s", m->booked_on);
        why->nargs = 1;
        return -1;
    }
    return 0;
}

/* Refuses a document camt_parse() could not read, saying why in the reader's language. */
static int refuse_statement(const struct camt_problem *why, struct pd_error *err)
{
    char text[300];
    json_t *problem = camt_problem_json(why);
    pd_fail(err, PD_E_STATEMENT_INVALID, "%s", pd_problem_text(problem, "en", text, sizeof(text)));
    pd_error_detail(err, "problem", problem);
    return PD_E_STATEMENT_INVALID;
}

int bank_statements_import_camt(struct db *db, const struct principal *who, const char *ip,
                                const char *xml, size_t len, json_t **out, struct pd_error *err)
{
    struct camt_statement s;
    struct camt_problem why;
    struct settings set;
    if (camt_parse(xml, len, &s, &why) < 0)
        return refuse_statement(&why, err);
    int rc = settings_load(db, &set);
    if (rc >= 0 && (rc = check_account(&s, &set, err)) < 0) {
        camt_free(&s);
        return rc;
    }
    if (rc >= 0 && booked_ahead(&s, &why) < 0) {
        camt_free(&s);
        return refuse_statement(&why, err);
    }
    if (rc < 0 || (rc = tx_begin(db, err)) < 0) {
        camt_free(&s);
        return err->code ? err->code : pd_fail(err, rc, "settings");
    }
    struct tally t = {.items = json_array(), .refunds = json_array(), .reversals = json_array()};
    if ((rc = wire_transfers_lock_imports(db)) < 0)
        pd_fail(err, rc, "%s", db_errmsg(db));
    for (int i = 0; rc >= 0 && i < s.count; i++) {
        const struct camt_move *m = &s.moves[i];
        if (!m->booked)
            t.not_booked++;
        else if (m->reversal)
            rc = reversal(db, m, &t);
        else if (m->credit)
            rc = credit(db, &set, who, m, &t);
        else
            rc = debit(db, who, ip, m, &t);
    }
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "bank_statement.imported", "bank_statement", s.id,
                   json_pack("{s:s, s:i, s:i, s:i, s:i, s:i}", "format", "camt.053", "version",
                             s.version, "transfers", t.transfers, "already_imported", t.already,
                             "refunds_paid", t.refunds_paid, "reversals",
                             (int)json_array_size(t.reversals)));
    char format[24];
    snprintf(format, sizeof(format), "camt.053.001.%02d", s.version);
    json_t *view = json_pack(
        "{s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:o, s:o, s:o}", "format", format,
        "statement_id", s.id, "account_iban", s.iban, "transfers", t.transfers, "matched",
        t.matched, "already_imported", t.already, "not_booked", t.not_booked, "other_debits",
        t.debits, "refunds_paid", t.refunds_paid, "items", t.items, "refunds", t.refunds,
        "reversals", t.reversals);
    camt_free(&s);
    if ((rc = tx_end(db, rc, err)) < 0) {
        json_decref(view);
        return rc;
    }
    *out = view;
    return 0;
}
