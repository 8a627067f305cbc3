/*
 * gateway/test_gateway.c - the built-in "test" gateway.
 *
 * It behaves like a real one, on its own ledger (a separate SQLite file, so tests can
 * count the charges that really happened apart from what partnerd believes):
 *   4242 4242 4242 4242  succeeds          4000 0000 0000 0002  is declined
 *   4000 0000 0000 9995  insufficient funds 4000 0000 0000 0119  times out (the charge
 *   happens, the answer is lost: GW_UNKNOWN; lookup() then says it succeeded)
 * Any other number that passes Luhn succeeds. The ledger keeps, per token, only the
 * behaviour, brand, last 4 digits and expiry: never the number, never the CVC.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/card.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "db/db.h"
#include "gateway/gateway.h"

static struct db *ledger;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static const char *schema =
    "CREATE TABLE IF NOT EXISTS gw_tokens (token TEXT PRIMARY KEY, behaviour TEXT NOT NULL,"
    " brand TEXT NOT NULL, last4 TEXT NOT NULL, exp_month INTEGER NOT NULL,"
    " exp_year INTEGER NOT NULL, created_at INTEGER NOT NULL) STRICT;"
    "CREATE TABLE IF NOT EXISTS gw_charges (id TEXT PRIMARY KEY, idempotency_key TEXT NOT NULL"
    " UNIQUE, token TEXT NOT NULL, amount INTEGER NOT NULL, currency TEXT NOT NULL,"
    " status TEXT NOT NULL, created_at INTEGER NOT NULL) STRICT;"
    "CREATE TABLE IF NOT EXISTS gw_refunds (id TEXT PRIMARY KEY, idempotency_key TEXT NOT NULL"
    " UNIQUE, charge_id TEXT NOT NULL, amount INTEGER NOT NULL, created_at INTEGER NOT NULL)"
    " STRICT;";

const char *gw_outcome_name(enum gw_outcome o)
{
    static const char *names[] = {"succeeded", "declined", "insufficient_funds", "unknown",
                                  "not_found"};
    return o <= GW_NOT_FOUND ? names[o] : "unknown";
}

int gateway_open_test(const char *path, struct pd_error *err)
{
    char url[4200];
    snprintf(url, sizeof(url), "sqlite:%s", path);
    int rc = db_open(url, &ledger, err);
    if (rc < 0)
        return rc;
    if ((rc = db_exec(ledger, schema)) < 0)
        return pd_fail(err, rc, "test gateway ledger: %s", db_errmsg(ledger));
    return 0;
}

void gateway_close(void)
{
    db_close(ledger);
    ledger = NULL;
}

int gateway_tokenize(const struct gw_card *card, struct gw_token *out, struct pd_error *err)
{
    char digits[24];
    if (!card_digits(card->number, digits, sizeof(digits)) || !card_luhn_ok(digits))
        return pd_fail_field(err, PD_E_CARD_INVALID, "payment.card.number", MSG_FIELD_CARD_NUMBER,
                             NULL);
    if (!card_not_expired(card->exp_month, card->exp_year, clock_today()))
        return pd_fail_field(err, PD_E_CARD_EXPIRED, "payment.card.exp_month",
                             MSG_FIELD_CARD_EXPIRED, NULL);
    size_t cvc_len = card->cvc ? strlen(card->cvc) : 0;
    if (cvc_len < 3 || cvc_len > 4 || strspn(card->cvc, "0123456789") != cvc_len)
        return pd_fail_field(err, PD_E_CARD_INVALID, "payment.card.cvc", MSG_FIELD_CARD_CVC, NULL);
    const char *behaviour = strcmp(digits, "4000000000000002") == 0   ? "declined"
                            : strcmp(digits, "4000000000009995") == 0 ? "insufficient_funds"
                            : strcmp(digits, "4000000000000119") == 0 ? "timeout"
                                                                      : "succeeds";
    memset(out, 0, sizeof(*out));
    char rnd[33];
    random_hex(16, rnd);
    snprintf(out->token, sizeof(out->token), "tok_test_%s", rnd);
    snprintf(out->brand, sizeof(out->brand), "%s", card_brand(digits));
    snprintf(out->last4, sizeof(out->last4), "%s", digits + strlen(digits) - 4);
    out->exp_month = card->exp_month;
    out->exp_year = card->exp_year;
    pthread_mutex_lock(&lock);
    int64_t rc = db_run(ledger,
                        "INSERT INTO gw_tokens (token, behaviour, brand, last4, exp_month, "
                        "exp_year, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        "ttttiii", out->token, behaviour, out->brand, out->last4,
                        (int64_t)out->exp_month, (int64_t)out->exp_year, clock_now());
    pthread_mutex_unlock(&lock);
    memset(digits, 0, sizeof(digits));
    return rc < 0 ? pd_fail(err, PD_E_UNAVAILABLE, "payment gateway unavailable") : 0;
}

/* Reads the charge made with key; 1 when found. */
static int find_charge(const char *key, struct gw_result *out)
{
    struct db_stmt *st;
    int rc = db_query(ledger, &st, "SELECT id, status FROM gw_charges WHERE idempotency_key = ?",
                      "t", key);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        const char *status = db_column_text(st, 1);
        snprintf(out->charge_id, sizeof(out->charge_id), "%s", db_column_text(st, 0));
        out->outcome = strcmp(status, "succeeded") == 0  ? GW_SUCCEEDED
                       : strcmp(status, "declined") == 0 ? GW_DECLINED
                                                         : GW_INSUFFICIENT_FUNDS;
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

int gateway_charge(const char *token, int64_t amount, const char *currency, const char *key,
                   struct gw_result *out)
{
    memset(out, 0, sizeof(*out));
    if (amount <= 0)
        return PD_E_INVALID_REQUEST;
    pthread_mutex_lock(&lock);
    int rc = find_charge(key, out);
    if (rc != 0) { /* the same key: the first outcome, never a second charge */
        pthread_mutex_unlock(&lock);
        return rc < 0 ? PD_E_UNAVAILABLE : 0;
    }
    struct db_stmt *st;
    char behaviour[24] = "";
    rc = db_query(ledger, &st,
                  "SELECT behaviour, exp_month, exp_year FROM gw_tokens WHERE token = ?", "t",
                  token);
    if (rc == 0 && db_step(st) == DB_ROW) {
        snprintf(behaviour, sizeof(behaviour), "%s", db_column_text(st, 0));
        /* a saved card that has expired since is declined, as by a real gateway */
        if (!card_not_expired((int)db_column_int64(st, 1), (int)db_column_int64(st, 2),
                              clock_today()))
            snprintf(behaviour, sizeof(behaviour), "declined");
    }
    db_finalize(st);
    if (behaviour[0] == '\0') {
        pthread_mutex_unlock(&lock);
        out->outcome = GW_DECLINED; /* an unknown token is declined, as by a real gateway */
        return 0;
    }
    const char *status = strcmp(behaviour, "declined") == 0             ? "declined"
                         : strcmp(behaviour, "insufficient_funds") == 0 ? "insufficient_funds"
                                                                        : "succeeded";
    char id[40];
    id_new("ch", id, sizeof(id));
    int64_t ins = db_run(ledger,
                         "INSERT INTO gw_charges (id, idempotency_key, token, amount, currency, "
                         "status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         "tttitti", id, key, token, amount, currency, status, clock_now());
    pthread_mutex_unlock(&lock);
    if (ins < 0)
        return PD_E_UNAVAILABLE;
    snprintf(out->charge_id, sizeof(out->charge_id), "%s", id);
    out->outcome = strcmp(behaviour, "timeout") == 0  ? GW_UNKNOWN
                   : strcmp(status, "succeeded") == 0 ? GW_SUCCEEDED
                   : strcmp(status, "declined") == 0  ? GW_DECLINED
                                                      : GW_INSUFFICIENT_FUNDS;
    if (out->outcome == GW_UNKNOWN)
        out->charge_id[0] = '\0'; /* the answer was lost on its way back */
    return 0;
}

int gateway_lookup(const char *key, struct gw_result *out)
{
    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&lock);
    int rc = find_charge(key, out);
    pthread_mutex_unlock(&lock);
    if (rc < 0)
        return PD_E_UNAVAILABLE;
    if (rc == 0)
        out->outcome = GW_NOT_FOUND;
    return 0;
}

int gateway_refund(const char *charge_id, int64_t amount, const char *key, struct gw_result *out)
{
    char id[40];
    memset(out, 0, sizeof(*out));
    if (amount <= 0)
        return PD_E_INVALID_REQUEST;
    id_new("re", id, sizeof(id));
    pthread_mutex_lock(&lock);
    int64_t rc = db_run(ledger,
                        "INSERT INTO gw_refunds (id, idempotency_key, charge_id, amount, "
                        "created_at) SELECT ?, ?, id, ?, ? FROM gw_charges WHERE id = ? AND "
                        "status = 'succeeded' AND amount >= ? ON CONFLICT (idempotency_key) DO "
                        "NOTHING",
                        "ttiiti", id, key, amount, clock_now(), charge_id, amount);
    /* written now, or by the first call with this key: its id is the answer */
    struct db_stmt *st;
    if (rc >= 0 &&
        (rc = db_query(ledger, &st, "SELECT id FROM gw_refunds WHERE idempotency_key = ?", "t",
                       key)) == 0) {
        out->outcome = GW_DECLINED; /* no such charge, or not that much to refund */
        if (db_step(st) == DB_ROW) {
            out->outcome = GW_SUCCEEDED;
            snprintf(out->charge_id, sizeof(out->charge_id), "%s", db_column_text(st, 0));
        }
        db_finalize(st);
    }
    pthread_mutex_unlock(&lock);
    if (rc < 0)
        return PD_E_UNAVAILABLE;
    return 0;
}
