/* store/payments.c - SQL of card payment attempts and of the saved card. */
#include "store/payments.h"

#include <stdio.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "db/db.h"
#include "store/subscriptions.h"

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

static const char *nul(const char *s)
{
    return s && *s ? s : NULL;
}

int payments_insert(struct db *db, const char *order_id, int attempt, const char *method,
                    const char *key, int64_t amount, const char *currency, int64_t now,
                    char *id_out, size_t n)
{
    id_new("pay", id_out, n);
    int64_t rc = db_run(db,
                        "INSERT INTO payments (id, order_id, attempt, method, idempotency_key, "
                        "status, amount, currency, created_at, updated_at, sent_at) VALUES (?, ?, "
                        "?, ?, ?, 'pending', ?, ?, ?, ?, ?)",
                        "ttittitiii", id_out, order_id, (int64_t)attempt, method, key, amount,
                        currency, now, now, clock_real_now());
    return rc < 0 ? (int)rc : 0;
}

int payments_set(struct db *db, const char *key, const char *status, const char *charge_id,
                 const char *failure_code, int64_t now)
{
    return db_write(db,
                    "UPDATE payments SET status = ?, gateway_charge_id = COALESCE(?, "
                    "gateway_charge_id), failure_code = ?, updated_at = ? WHERE "
                    "idempotency_key = ?",
                    "tttit", status, nul(charge_id), nul(failure_code), now, key);
}

int payments_set_action(struct db *db, const char *key, const char *url, int64_t expires_at,
                        int64_t now)
{
    int64_t rc = db_run(db,
                        "UPDATE payments SET action_url = ?, action_expires_at = ?, updated_at = ? "
                        "WHERE idempotency_key = ? AND status = 'pending'",
                        "tiit", url, expires_at, now, key);
    return rc < 0 ? (int)rc : 0;
}

int payments_order_of(struct db *db, const char *key, char *order_id, size_t n)
{
    struct db_stmt *st;
    int rc = db_query(db, &st, "SELECT order_id FROM payments WHERE idempotency_key = ?", "t", key);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        copy(order_id, n, db_column_text(st, 0));
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

int payments_resend(struct db *db, const char *key, int64_t real_now, int64_t now)
{
    int64_t rc = db_run(db,
                        "UPDATE payments SET sent_at = ?, updated_at = ? WHERE idempotency_key = "
                        "? AND status IN ('pending', 'unknown')",
                        "iit", real_now, now, key);
    return rc < 0 ? (int)rc : rc > 0;
}

int payments_give_up(struct db *db, const char *key, int64_t sent_at, int64_t now)
{
    int64_t rc = db_run(db,
                        "UPDATE payments SET status = 'failed', failure_code = 'not_sent', "
                        "updated_at = ? WHERE idempotency_key = ? AND status IN ('pending', "
                        "'unknown') AND COALESCE(sent_at, 0) = ?",
                        "iti", now, key, sent_at);
    return rc < 0 ? (int)rc : rc > 0;
}

/* The columns read_rows() reads, in its order. */
#define PAYMENT_COLUMNS                                                                            \
    "id, attempt, idempotency_key, status, created_at, COALESCE(sent_at, 0), action_url, "         \
    "COALESCE(action_expires_at, 0), COALESCE(failure_code, '')"

/* At most max rows of st (PAYMENT_COLUMNS) into out, their number into *count; st is
 * finalized. */
static int read_rows(struct db_stmt *st, struct payment_row *out, int max, int *count)
{
    int rc, n = 0;
    while ((rc = db_step(st)) == DB_ROW && n < max) {
        copy(out[n].id, sizeof(out[n].id), db_column_text(st, 0));
        out[n].attempt = (int)db_column_int64(st, 1);
        copy(out[n].key, sizeof(out[n].key), db_column_text(st, 2));
        copy(out[n].status, sizeof(out[n].status), db_column_text(st, 3));
        out[n].created_at = db_column_int64(st, 4);
        out[n].sent_at = db_column_int64(st, 5);
        copy(out[n].action_url, sizeof(out[n].action_url), db_column_text(st, 6));
        out[n].action_expires_at = db_column_int64(st, 7);
        copy(out[n].failure_code, sizeof(out[n].failure_code), db_column_text(st, 8));
        n++;
    }
    db_finalize(st);
    *count = n;
    return rc < 0 ? rc : 0;
}

int payments_of(struct db *db, const char *order_id, struct payment_row *out, int max, int *count)
{
    struct db_stmt *st;
    int rc = db_query(
        db, &st, "SELECT " PAYMENT_COLUMNS " FROM payments WHERE order_id = ? ORDER BY attempt",
        "t", order_id);
    return rc < 0 ? rc : read_rows(st, out, max, count);
}

int payments_lost_of(struct db *db, const char *order_id, struct payment_row *out, int max,
                     int *count)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT " PAYMENT_COLUMNS " FROM payments WHERE order_id = ? AND status IN "
                      "('pending', 'unknown') ORDER BY attempt",
                      "t", order_id);
    return rc < 0 ? rc : read_rows(st, out, max, count);
}

int payments_find(struct db *db, const char *order_id, const char *key, struct payment_row *p)
{
    struct db_stmt *st;
    int n = 0;
    int rc = db_query(db, &st,
                      "SELECT " PAYMENT_COLUMNS
                      " FROM payments WHERE order_id = ? AND idempotency_key = ?",
                      "tt", order_id, key);
    if (rc >= 0)
        rc = read_rows(st, p, 1, &n);
    return rc < 0 ? rc : n;
}

int payments_succeeded_charge(struct db *db, const char *order_id, char *charge_id, size_t n)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT gateway_charge_id FROM payments WHERE order_id = ? AND status = "
                      "'succeeded' AND gateway_charge_id IS NOT NULL",
                      "t", order_id);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        copy(charge_id, n, db_column_text(st, 0));
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

/* Saves o's card for partner_id; a saved card is replaced only while it is still the one
 * while_saved names (NULL: whatever it is; "": none was saved, so it stays). */
static int save_card(struct db *db, const char *partner_id, const struct order_row *o,
                     const char *while_saved, int64_t now)
{
    int64_t rc = db_run(db,
                        "INSERT INTO payment_methods (partner_id, token, brand, last4, exp_month, "
                        "exp_year, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
                        "(partner_id) DO UPDATE SET token = excluded.token, brand = "
                        "excluded.brand, last4 = excluded.last4, exp_month = excluded.exp_month, "
                        "exp_year = excluded.exp_year, updated_at = excluded.updated_at "
                        "WHERE payment_methods.token <> excluded.token AND (CAST(? AS TEXT) IS "
                        "NULL OR payment_methods.token = ?)",
                        "ttttiiitt", partner_id, o->card_token, o->card_brand, o->card_last4,
                        (int64_t)o->card_exp_month, (int64_t)o->card_exp_year, now, while_saved,
                        while_saved);
    /* another card (a Buy with the saved card saves it again: not another): a try refused
     * for want of a card, or declined, is made at the next pass, not the next day; and the
     * first card makes the notices owed those of an automatic renewal (service/notices.c) */
    if (rc > 0 && (rc = subs_recheck_renewals(db, partner_id, NULL)) >= 0)
        rc = subs_recheck_notices(db, partner_id);
    return rc < 0 ? (int)rc : 0;
}

int payment_method_save(struct db *db, const char *partner_id, const struct order_row *o,
                        int64_t now)
{
    return save_card(db, partner_id, o, NULL, now);
}

int payment_method_save_paid(struct db *db, const struct order_row *o, int64_t now)
{
    /* an order made when no card was saved ("") saves its card only if none is saved now */
    return save_card(db, o->partner_id, o, o->saved_card_known ? o->saved_card : NULL, now);
}

int payment_method_get(struct db *db, const char *partner_id, struct order_row *card)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT token, brand, last4, exp_month, exp_year FROM payment_methods "
                      "WHERE partner_id = ?",
                      "t", partner_id);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        copy(card->card_token, sizeof(card->card_token), db_column_text(st, 0));
        copy(card->card_brand, sizeof(card->card_brand), db_column_text(st, 1));
        copy(card->card_last4, sizeof(card->card_last4), db_column_text(st, 2));
        card->card_exp_month = (int)db_column_int64(st, 3);
        card->card_exp_year = (int)db_column_int64(st, 4);
        rc = 1;
    }
    db_finalize(st);
    return rc;
}
