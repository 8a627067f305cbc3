/*
 * gateway/test_gateway.c - the built-in "test" gateway.
 *
 * It behaves like a real one, on its own ledger (a separate SQLite file, so tests can
 * count the charges that really happened apart from what partnerd believes):
 *   4242 4242 4242 4242  succeeds          4000 0000 0000 0002  is declined
 *   4000 0000 0000 9995  insufficient funds 4000 0000 0000 0119  times out (the charge
 *   happens, the answer is lost: GW_UNKNOWN; lookup() then says it succeeded)
 *   4000 0025 0000 3155  asks the cardholder to authenticate (3-D Secure) on session, then
 *                        succeeds; off session (a renewal) it succeeds without asking
 *   4000 0027 6000 3184  asks to authenticate every time, on session or off
 * Any other number that passes Luhn succeeds. The ledger keeps, per token, only the
 * behaviour, brand, last 4 digits and expiry: never the number, never the CVC.
 *
 * A charge that asks to authenticate stays "requires_action" with a challenge
 * (/test-gateway/v1/challenges/<id>, served by partnerd in test mode) until the cardholder
 * passes it (succeeded), refuses it (declined) or the merchant cancels it (canceled: no
 * charge), keeping why in cancellation_reason ("abandoned", "handed_over"; NULL: by hand).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/card.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "db/db.h"
#include "gateway/gateway.h"
#include "gateway/test_gateway.h"

static struct db *ledger;
static char event_secret[65]; /* signs the events; in the ledger, shared by every process */

/* An event's signature is good this long (real time) after it was made. */
#define EVENT_TOLERANCE 300
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static const char *schema =
    "CREATE TABLE IF NOT EXISTS gw_tokens (token TEXT PRIMARY KEY, behaviour TEXT NOT NULL,"
    " brand TEXT NOT NULL, last4 TEXT NOT NULL, exp_month INTEGER NOT NULL,"
    " exp_year INTEGER NOT NULL, created_at INTEGER NOT NULL) STRICT;"
    "CREATE TABLE IF NOT EXISTS gw_charges (id TEXT PRIMARY KEY, idempotency_key TEXT NOT NULL"
    " UNIQUE, token TEXT NOT NULL, amount INTEGER NOT NULL, currency TEXT NOT NULL,"
    " status TEXT NOT NULL, created_at INTEGER NOT NULL, cancellation_reason TEXT) STRICT;"
    "CREATE TABLE IF NOT EXISTS gw_refunds (id TEXT PRIMARY KEY, idempotency_key TEXT NOT NULL"
    " UNIQUE, charge_id TEXT NOT NULL, amount INTEGER NOT NULL, created_at INTEGER NOT NULL)"
    " STRICT;"
    "CREATE TABLE IF NOT EXISTS gw_challenges (id TEXT PRIMARY KEY, charge_id TEXT NOT NULL"
    " UNIQUE, return_url TEXT NOT NULL, status TEXT NOT NULL, created_at INTEGER NOT NULL)"
    " STRICT;"
    "CREATE TABLE IF NOT EXISTS gw_events (id TEXT PRIMARY KEY, body TEXT NOT NULL, signature"
    " TEXT NOT NULL, created_at INTEGER NOT NULL) STRICT;"
    "CREATE TABLE IF NOT EXISTS gw_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;";

int gateway_open_test(const char *path, struct pd_error *err)
{
    char url[4200];
    snprintf(url, sizeof(url), "sqlite:%s", path);
    int rc = db_open(url, &ledger, err);
    if (rc < 0)
        return rc;
    /* a stand-in's books: a charge the process wrote survives its being killed, which is
     * what the tests count; a power cut is not simulated */
    db_not_durable(ledger);
    if ((rc = db_exec(ledger, schema)) < 0)
        return pd_fail(err, rc, "test gateway ledger: %s", db_errmsg(ledger));
    /* a ledger made before the cancellation kept its reason */
    struct db_stmt *col;
    if (db_query(ledger, &col,
                 "SELECT count(*) FROM pragma_table_info('gw_charges') WHERE name = "
                 "'cancellation_reason'",
                 "") < 0)
        return pd_fail(err, PD_E_UNAVAILABLE, "test gateway ledger: %s", db_errmsg(ledger));
    bool has_reason = db_step(col) == DB_ROW && db_column_int64(col, 0) > 0;
    db_finalize(col);
    if (!has_reason &&
        db_exec(ledger, "ALTER TABLE gw_charges ADD COLUMN cancellation_reason TEXT") < 0)
        return pd_fail(err, PD_E_UNAVAILABLE, "test gateway ledger: %s", db_errmsg(ledger));
    /* the first process makes the secret; every other one reads it */
    char fresh[65];
    random_hex(32, fresh);
    struct db_stmt *st;
    if (db_run(ledger,
               "INSERT INTO gw_settings (key, value) VALUES ('event_secret', ?) ON CONFLICT "
               "(key) DO NOTHING",
               "t", fresh) < 0 ||
        db_query(ledger, &st, "SELECT value FROM gw_settings WHERE key = 'event_secret'", "") < 0)
        return pd_fail(err, PD_E_UNAVAILABLE, "test gateway ledger: %s", db_errmsg(ledger));
    if (db_step(st) == DB_ROW)
        snprintf(event_secret, sizeof(event_secret), "%s", db_column_text(st, 0));
    db_finalize(st);
    gateway_use(&gateway_test_ops);
    return 0;
}

static void test_close(void)
{
    db_close(ledger);
    ledger = NULL;
}

int test_gateway_tokenize(const struct gw_card *card, struct gw_token *out, struct pd_error *err)
{
    char digits[24];
    if (!card_digits(card->number, digits, sizeof(digits)) || !card_luhn_ok(digits))
        return pd_fail_field(err, PD_E_CARD_INVALID, "card.number", MSG_FIELD_CARD_NUMBER, NULL);
    if (!card_not_expired(card->exp_month, card->exp_year, clock_today()))
        return pd_fail_field(err, PD_E_CARD_EXPIRED, "card.exp_month", MSG_FIELD_CARD_EXPIRED,
                             NULL);
    size_t cvc_len = card->cvc ? strlen(card->cvc) : 0;
    if (cvc_len < 3 || cvc_len > 4 || strspn(card->cvc, "0123456789") != cvc_len)
        return pd_fail_field(err, PD_E_CARD_INVALID, "card.cvc", MSG_FIELD_CARD_CVC, NULL);
    const char *behaviour = strcmp(digits, "4000000000000002") == 0   ? "declined"
                            : strcmp(digits, "4000000000009995") == 0 ? "insufficient_funds"
                            : strcmp(digits, "4000000000000119") == 0 ? "timeout"
                            : strcmp(digits, "4000002500003155") == 0 ? "sca"
                            : strcmp(digits, "4000002760003184") == 0 ? "sca_always"
                                                                      : "succeeds";
    memset(out, 0, sizeof(*out));
    char rnd[33];
    random_hex(16, rnd);
    snprintf(out->token, sizeof(out->token), "pm_test_%s", rnd);
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

static enum gw_outcome outcome_of(const char *status)
{
    return strcmp(status, "succeeded") == 0            ? GW_SUCCEEDED
           : strcmp(status, "insufficient_funds") == 0 ? GW_INSUFFICIENT_FUNDS
           : strcmp(status, "requires_action") == 0    ? GW_REQUIRES_ACTION
                                                       : GW_DECLINED; /* declined, canceled */
}

/* The charge made with key into out (its challenge's URL when it waits for one); 1 when
 * found. Under lock. */
static int find_charge(const char *key, struct gw_result *out)
{
    struct db_stmt *st;
    int rc = db_query(ledger, &st,
                      "SELECT c.id, c.status, h.id, c.cancellation_reason FROM gw_charges c "
                      "LEFT JOIN gw_challenges h "
                      "ON h.charge_id = c.id WHERE c.idempotency_key = ?",
                      "t", key);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        snprintf(out->charge_id, sizeof(out->charge_id), "%s", db_column_text(st, 0));
        out->outcome = outcome_of(db_column_text(st, 1));
        out->cancelled = strcmp(db_column_text(st, 1), "canceled") == 0;
        const char *why = out->cancelled ? db_column_text(st, 3) : NULL;
        out->cancel_reason = why == NULL                       ? GW_CANCEL_NONE
                             : strcmp(why, "abandoned") == 0   ? GW_CANCEL_ABANDONED
                             : strcmp(why, "handed_over") == 0 ? GW_CANCEL_HANDED_OVER
                                                               : GW_CANCEL_OTHER;
        if (out->outcome == GW_REQUIRES_ACTION && db_column_text(st, 2))
            snprintf(out->action_url, sizeof(out->action_url), "/test-gateway/v1/challenges/%s",
                     db_column_text(st, 2));
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

/* The behaviour of token into b (n bytes): "" when unknown; "declined" once expired. */
static int token_behaviour(const char *token, char *b, size_t n)
{
    struct db_stmt *st;
    b[0] = '\0';
    int rc = db_query(ledger, &st,
                      "SELECT behaviour, exp_month, exp_year FROM gw_tokens WHERE token = ?", "t",
                      token);
    if (rc == 0 && db_step(st) == DB_ROW) {
        snprintf(b, n, "%s", db_column_text(st, 0));
        /* a saved card that has expired since is declined, as by a real gateway */
        if (!card_not_expired((int)db_column_int64(st, 1), (int)db_column_int64(st, 2),
                              clock_today()))
            snprintf(b, n, "declined");
    }
    db_finalize(st);
    return rc;
}

static int test_charge(const struct gw_charge_req *req, struct gw_result *out)
{
    if (req->amount <= 0 || req->key == NULL || req->payment_method == NULL)
        return PD_E_INVALID_REQUEST;
    pthread_mutex_lock(&lock);
    int rc = find_charge(req->key, out);
    if (rc != 0) { /* the same key: the first outcome, never a second charge */
        pthread_mutex_unlock(&lock);
        return rc < 0 ? PD_E_UNAVAILABLE : 0;
    }
    char behaviour[24];
    token_behaviour(req->payment_method, behaviour, sizeof(behaviour));
    if (behaviour[0] == '\0') {
        pthread_mutex_unlock(&lock);
        out->outcome = GW_DECLINED; /* an unknown token is declined, as by a real gateway */
        return 0;
    }
    /* 3155 asks on session only: its first, authenticated payment set it up for renewals */
    bool ask = strcmp(behaviour, "sca_always") == 0 ||
               (strcmp(behaviour, "sca") == 0 && !req->off_session);
    const char *status = ask                                            ? "requires_action"
                         : strcmp(behaviour, "declined") == 0           ? "declined"
                         : strcmp(behaviour, "insufficient_funds") == 0 ? "insufficient_funds"
                                                                        : "succeeded";
    char id[40], chl[40];
    id_new("ch", id, sizeof(id));
    id_new("chl", chl, sizeof(chl));
    int64_t ins = db_run(ledger,
                         "INSERT INTO gw_charges (id, idempotency_key, token, amount, currency, "
                         "status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         "tttitti", id, req->key, req->payment_method, req->amount, req->currency,
                         status, clock_now());
    if (ins >= 0 && ask)
        ins = db_run(ledger,
                     "INSERT INTO gw_challenges (id, charge_id, return_url, status, created_at) "
                     "VALUES (?, ?, ?, 'pending', ?)",
                     "ttti", chl, id, req->return_url ? req->return_url : "", clock_now());
    pthread_mutex_unlock(&lock);
    if (ins < 0)
        return PD_E_UNAVAILABLE;
    snprintf(out->charge_id, sizeof(out->charge_id), "%s", id);
    out->outcome = strcmp(behaviour, "timeout") == 0 && !ask ? GW_UNKNOWN : outcome_of(status);
    if (out->outcome == GW_UNKNOWN)
        out->charge_id[0] = '\0'; /* the answer was lost on its way back */
    if (ask)
        snprintf(out->action_url, sizeof(out->action_url), "/test-gateway/v1/challenges/%s", chl);
    return 0;
}

static int test_lookup(const char *key, struct gw_result *out)
{
    pthread_mutex_lock(&lock);
    int rc = find_charge(key, out);
    pthread_mutex_unlock(&lock);
    if (rc < 0)
        return PD_E_UNAVAILABLE;
    if (rc == 0)
        out->outcome = GW_NOT_FOUND;
    return 0;
}

static int test_refund(const char *charge_id, int64_t amount, const char *key,
                       struct gw_result *out)
{
    char id[40];
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

static int test_payment_method(const char *id, struct gw_token *out, struct pd_error *err)
{
    struct db_stmt *st;
    int found = 0;
    pthread_mutex_lock(&lock);
    int rc = db_query(ledger, &st,
                      "SELECT token, brand, last4, exp_month, exp_year FROM gw_tokens WHERE "
                      "token = ?",
                      "t", id);
    if (rc == 0 && db_step(st) == DB_ROW) {
        snprintf(out->token, sizeof(out->token), "%s", db_column_text(st, 0));
        snprintf(out->brand, sizeof(out->brand), "%s", db_column_text(st, 1));
        snprintf(out->last4, sizeof(out->last4), "%s", db_column_text(st, 2));
        out->exp_month = (int)db_column_int64(st, 3);
        out->exp_year = (int)db_column_int64(st, 4);
        found = 1;
    }
    if (rc == 0)
        db_finalize(st);
    pthread_mutex_unlock(&lock);
    if (rc < 0)
        return pd_fail(err, PD_E_UNAVAILABLE, "payment gateway unavailable");
    if (!found)
        return pd_fail_field(err, PD_E_CARD_INVALID, "payment.payment_method",
                             MSG_FIELD_PAYMENT_METHOD_UNKNOWN, NULL);
    return 0;
}

static int test_cancel(const char *key, enum gw_cancel_reason reason, struct gw_result *out)
{
    const char *why = reason == GW_CANCEL_ABANDONED     ? "abandoned"
                      : reason == GW_CANCEL_HANDED_OVER ? "handed_over"
                                                        : NULL;
    pthread_mutex_lock(&lock);
    int64_t rc = db_run(ledger,
                        "UPDATE gw_charges SET status = 'canceled', cancellation_reason = ? "
                        "WHERE idempotency_key = ? AND status = 'requires_action'",
                        "tt", why, key);
    if (rc >= 0)
        rc = db_run(ledger,
                    "UPDATE gw_challenges SET status = 'expired' WHERE status = 'pending' AND "
                    "charge_id IN (SELECT id FROM gw_charges WHERE idempotency_key = ?)",
                    "t", key);
    int found = rc < 0 ? -1 : find_charge(key, out);
    pthread_mutex_unlock(&lock);
    if (found < 0)
        return PD_E_UNAVAILABLE;
    if (found == 0)
        out->outcome = GW_NOT_FOUND;
    return 0;
}

/* The signature header of body made at t: "t=<t>,v1=<hex HMAC-SHA256(secret, t.body)>". */
static void sign(const char *body, int64_t t, char sig[160])
{
    char ts[24], hex[2 * HMAC_SHA256_BYTES + 1];
    unsigned char mac[HMAC_SHA256_BYTES];
    snprintf(ts, sizeof(ts), "%lld", (long long)t);
    hmac_sha256(event_secret, strlen(event_secret), (const char *const[]){ts, ".", body}, 3, mac);
    bytes_hex(mac, sizeof(mac), hex);
    snprintf(sig, 160, "t=%s,v1=%s", ts, hex);
}

static int test_event(const char *body, size_t len, const char *signature, char *key, size_t n)
{
    long long t = 0;
    char v1[80] = "", want[160], copy[8192];
    if (len >= sizeof(copy) || memchr(body, '\0', len))
        return PD_E_EVENT_SIGNATURE;
    memcpy(copy, body, len);
    copy[len] = '\0';
    if (sscanf(signature, "t=%lld,v1=%64[0-9a-f]", &t, v1) != 2)
        return PD_E_EVENT_SIGNATURE;
    int64_t now = clock_real_now();
    if (t > now + EVENT_TOLERANCE || t < now - EVENT_TOLERANCE)
        return PD_E_EVENT_SIGNATURE; /* stale: a replay of an old event */
    sign(copy, t, want);
    if (!secret_equal(want, signature))
        return PD_E_EVENT_SIGNATURE;
    json_t *ev = json_loadb(body, len, 0, NULL);
    const char *k =
        json_string_value(json_object_get(json_object_get(ev, "data"), "idempotency_key"));
    int rc = k ? 0 : PD_E_INVALID_REQUEST;
    if (k)
        snprintf(key, n, "%s", k);
    json_decref(ev);
    return rc;
}

/* Reads challenge id with its charge and card into *out: 1, 0, or < 0. Under lock. */
static int read_challenge(const char *id, struct test_challenge *out, char *key, size_t n)
{
    struct db_stmt *st;
    memset(out, 0, sizeof(*out));
    int rc = db_query(ledger, &st,
                      "SELECT h.id, h.status, c.amount, c.currency, t.brand, t.last4, "
                      "h.return_url, c.idempotency_key FROM gw_challenges h JOIN gw_charges c ON "
                      "c.id = h.charge_id JOIN gw_tokens t ON t.token = c.token WHERE h.id = ?",
                      "t", id);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        snprintf(out->id, sizeof(out->id), "%s", db_column_text(st, 0));
        snprintf(out->status, sizeof(out->status), "%s", db_column_text(st, 1));
        out->amount = db_column_int64(st, 2);
        snprintf(out->currency, sizeof(out->currency), "%s", db_column_text(st, 3));
        snprintf(out->brand, sizeof(out->brand), "%s", db_column_text(st, 4));
        snprintf(out->last4, sizeof(out->last4), "%s", db_column_text(st, 5));
        snprintf(out->return_url, sizeof(out->return_url), "%s", db_column_text(st, 6));
        if (key)
            snprintf(key, n, "%s", db_column_text(st, 7));
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

int test_gateway_challenge(const char *id, struct test_challenge *out)
{
    pthread_mutex_lock(&lock);
    int rc = read_challenge(id, out, NULL, 0);
    pthread_mutex_unlock(&lock);
    return rc;
}

int test_gateway_challenge_decide(const char *id, bool pass, struct test_challenge *out,
                                  char **event, char sig[160])
{
    char key[128], evid[40];
    *event = NULL;
    pthread_mutex_lock(&lock);
    int rc = read_challenge(id, out, key, sizeof(key));
    if (rc <= 0 || strcmp(out->status, "pending") != 0) {
        pthread_mutex_unlock(&lock);
        return rc < 0 ? rc : 0;
    }
    const char *status = pass ? "passed" : "refused";
    int64_t w =
        db_run(ledger, "UPDATE gw_challenges SET status = ? WHERE id = ?", "tt", status, id);
    if (w >= 0)
        w = db_run(ledger,
                   "UPDATE gw_charges SET status = ? WHERE idempotency_key = ? AND status = "
                   "'requires_action'",
                   "tt", pass ? "succeeded" : "declined", key);
    snprintf(out->status, sizeof(out->status), "%s", status);
    id_new("evt", evid, sizeof(evid));
    json_t *ev =
        json_pack("{s:s, s:s, s:I, s:{s:s, s:s}}", "id", evid, "type",
                  pass ? "charge.succeeded" : "charge.failed", "created",
                  (json_int_t)clock_real_now(), "data", "challenge", id, "idempotency_key", key);
    *event = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    sign(*event, clock_real_now(), sig);
    if (w >= 0)
        w = db_run(ledger,
                   "INSERT INTO gw_events (id, body, signature, created_at) VALUES (?, ?, ?, ?)",
                   "ttti", evid, *event, sig, clock_now());
    pthread_mutex_unlock(&lock);
    if (w < 0) {
        free(*event);
        *event = NULL;
        return PD_E_UNAVAILABLE;
    }
    return 1;
}

const struct gateway_ops gateway_test_ops = {
    .name = "test",
    .in_process = true,
    .payment_method = test_payment_method,
    .charge = test_charge,
    .lookup = test_lookup,
    .refund = test_refund,
    .cancel = test_cancel,
    .event_header = "Test-Gateway-Signature",
    .event = test_event,
    .close = test_close,
};
