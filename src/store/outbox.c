/* store/outbox.c - SQL of the outbox, its emails, and the claiming and listing of deliveries. */
#include "store/outbox.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "db/db.h"
#include "store/page.h"

int outbox_insert(struct db *db, const char *id, const char *event, const char *partner_id,
                  const char *payload, int64_t now)
{
    return db_write(db,
                    "INSERT INTO outbox (id, event, partner_id, payload, created_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    "tttti", id, event, partner_id, payload, now);
}

int delivery_id_stem(const char *kind, const char *outbox_id, char out[DELIVERY_STEM_SIZE])
{
    const char *body = strchr(outbox_id, '_');
    int n = snprintf(out, DELIVERY_STEM_SIZE, "%s_%s-", kind, body ? body + 1 : outbox_id);
    return n > 0 && n < DELIVERY_STEM_SIZE ? 0 : PD_E_INTERNAL;
}

int email_delivery_insert(struct db *db, const char *outbox_id, int number, const char *recipient,
                          const char *lang, int64_t now)
{
    char stem[DELIVERY_STEM_SIZE], id[32];
    int rc = delivery_id_stem("eml", outbox_id, stem);
    if (rc < 0)
        return rc;
    snprintf(id, sizeof(id), "%s%d", stem, number);
    return db_write(db,
                    "INSERT INTO email_deliveries (id, outbox_id, recipient, lang, status, "
                    "next_attempt_at, created_at) VALUES (?, ?, ?, ?, 'pending', ?, ?) "
                    "ON CONFLICT (outbox_id, recipient) DO NOTHING",
                    "ttttii", id, outbox_id, recipient, lang, now, now);
}

/* Who billing_contacts() reads, as a subquery of (email, locale) rows. */
#define BILLING_CONTACTS                                                                           \
    "SELECT DISTINCT u.email, u.locale FROM users u JOIN user_roles r ON r.user_id = u.id "        \
    "WHERE u.partner_id = ? AND u.status = 'active' AND r.role IN ('global_admin', "               \
    "'billing_admin')"

int email_deliveries_to_billing(struct db *db, const char *outbox_id, const char *partner_id,
                                int64_t now)
{
    char stem[DELIVERY_STEM_SIZE];
    int rc = delivery_id_stem("eml", outbox_id, stem);
    if (rc < 0)
        return rc;
    /* (the WHERE lets SQLite tell the upsert's ON from a join's) */
    return db_write(db,
                    "INSERT INTO email_deliveries (id, outbox_id, recipient, lang, status, "
                    "next_attempt_at, created_at) SELECT CAST(? AS TEXT) || CAST(ROW_NUMBER() "
                    "OVER (ORDER BY c.email) AS TEXT), ?, c.email, c.locale, 'pending', ?, ? "
                    "FROM (" BILLING_CONTACTS ") AS c WHERE true "
                    "ON CONFLICT (outbox_id, recipient) DO NOTHING",
                    "ttiit", stem, outbox_id, now, now, partner_id);
}

_Static_assert(OUTBOX_MANY == 4 * 4, "OUTBOX_VALUES: a row of values for each event");

int outbox_rows_run(struct db *db, const char *sql, int nnow, int64_t now,
                    const struct outbox_new *rows, int n, int cols,
                    const char *(*value)(const struct outbox_new *row, int col, char *buffer))
{
    struct db_stmt *st;
    char buffer[DELIVERY_STEM_SIZE];
    int rc = n > OUTBOX_MANY ? PD_E_INTERNAL : db_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    int idx = 1;
    for (int i = 0; rc >= 0 && i < nnow; i++)
        rc = db_bind_int64(st, idx++, now);
    for (int i = 0; rc >= 0 && i < OUTBOX_MANY; i++)
        for (int col = 0; rc >= 0 && col < cols; col++) {
            const char *v = i < n ? value(&rows[i], col, buffer) : NULL;
            rc = i < n && v == NULL ? PD_E_INTERNAL : db_bind_text(st, idx++, v);
        }
    if (rc >= 0)
        rc = db_step_write(st);
    db_finalize(st);
    return rc;
}

static const char *outbox_value(const struct outbox_new *row, int col, char *buffer)
{
    (void)buffer;
    const char *v[] = {row->id, row->event, row->partner_id, row->payload};
    return v[col];
}

int outbox_insert_many(struct db *db, const struct outbox_new *rows, int n, int64_t now)
{
    return outbox_rows_run(db,
                           "INSERT INTO outbox (id, event, partner_id, payload, created_at) "
                           "SELECT column1, column2, column3, column4, ? FROM (" OUTBOX_VALUES(
                               "(?, ?, ?, ?)") ") AS v WHERE column1 IS NOT NULL",
                           1, now, rows, n, 4, outbox_value);
}

/* An event's id, the stem of its emails' ids, its organisation. */
static const char *email_value(const struct outbox_new *row, int col, char *buffer)
{
    if (col == 1)
        return delivery_id_stem("eml", row->id, buffer) == 0 ? buffer : NULL;
    return col == 0 ? row->id : row->partner_id;
}

/* BILLING_CONTACTS for each event: its DISTINCT is the GROUP BY */
const char email_deliveries_sql_many[] =
    "INSERT INTO email_deliveries (id, outbox_id, recipient, lang, status, next_attempt_at, "
    "created_at) SELECT v.column2 || CAST(ROW_NUMBER() OVER (PARTITION BY v.column1 ORDER BY "
    "u.email) AS TEXT), v.column1, u.email, u.locale, 'pending', ?, ? FROM (" OUTBOX_VALUES(
        "(?, ?, ?)") ") AS v JOIN users u ON u.partner_id = v.column3 JOIN user_roles r ON "
                     "r.user_id = u.id WHERE v.column1 IS NOT NULL AND u.status = 'active' AND "
                     "r.role IN ('global_admin', 'billing_admin') GROUP BY v.column1, v.column2, "
                     "u.email, u.locale ON CONFLICT (outbox_id, recipient) DO NOTHING";

int email_deliveries_to_billing_many(struct db *db, const struct outbox_new *rows, int n,
                                     int64_t now)
{
    return outbox_rows_run(db, email_deliveries_sql_many, 2, now, rows, n, 3, email_value);
}

int user_contact(struct db *db, const char *partner_id, const char *user_id, struct contact *out)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT email, locale FROM users WHERE id = ? AND partner_id = ? AND "
                      "status = 'active'",
                      "tt", user_id, partner_id);
    if (rc < 0)
        return rc;
    if ((rc = db_step(st)) == DB_ROW) {
        snprintf(out->email, sizeof(out->email), "%s", db_column_text(st, 0));
        snprintf(out->lang, sizeof(out->lang), "%s", db_column_text(st, 1));
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

/* Every (email, locale) row of st into a malloc'd array. */
static int collect_contacts(struct db_stmt *st, struct contact **out, int *count)
{
    int rc, cap = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        if (*count == cap) {
            cap = cap ? cap * 2 : 4;
            struct contact *grown = realloc(*out, (size_t)cap * sizeof(**out));
            if (grown == NULL) {
                rc = -1;
                break;
            }
            *out = grown;
        }
        struct contact *c = &(*out)[(*count)++];
        snprintf(c->email, sizeof(c->email), "%s", db_column_text(st, 0));
        snprintf(c->lang, sizeof(c->lang), "%s", db_column_text(st, 1));
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int billing_contacts(struct db *db, const char *partner_id, struct contact **out, int *count)
{
    struct db_stmt *st;
    *out = NULL;
    *count = 0;
    int rc = db_query(db, &st, BILLING_CONTACTS " ORDER BY u.email", "t", partner_id);
    return rc < 0 ? rc : collect_contacts(st, out, count);
}

int staff_contacts(struct db *db, const char *role, struct contact **out, int *count)
{
    struct db_stmt *st;
    *out = NULL;
    *count = 0;
    int rc = db_query(db, &st,
                      "SELECT DISTINCT u.email, u.locale FROM users u JOIN user_roles r ON "
                      "r.user_id = u.id WHERE u.kind = 'staff' AND u.status = 'active' AND "
                      "r.role = ? ORDER BY u.email",
                      "t", role);
    return rc < 0 ? rc : collect_contacts(st, out, count);
}

/* Claims up to limit rows of email_deliveries or webhook_deliveries, oldest first: those a
 * dead process left (stale: claimed before bound) or those due (pending, their time come by
 * bound, after the pass's cursor). The subquery picks them from the form's index, of the
 * sending rows by (claimed_at, id) or of the pending ones by (next_attempt_at, id) (migration
 * 029; status first on SQLite), in its order; the UPDATE finds them by id. The condition is
 * checked again in the outer WHERE: a row another process claimed meanwhile no longer matches
 * (PostgreSQL re-reads it after waiting for its lock). There the status is written
 * COALESCE(status, '') (status is never NULL) so that no index can serve it: given one,
 * SQLite walked every pending row of the status index and kept those in the list. A due
 * claim returns the keys it took, for the cursor. */
#define CLAIM(table, due, recheck, order)                                                          \
    "UPDATE " table " SET status = 'sending', claim = ?, claimed_at = ? WHERE id IN (SELECT id "   \
    "FROM " table " WHERE " due " ORDER BY " order ", id LIMIT ?) AND " recheck
#define STALE "status = 'sending' AND claimed_at < ?"
#define STALE_AGAIN "COALESCE(status, '') = 'sending' AND claimed_at < ?"
#define DUE "status = 'pending' AND next_attempt_at <= ? AND (next_attempt_at, id) > (?, ?)"
#define DUE_AGAIN "COALESCE(status, '') = 'pending' AND next_attempt_at <= ?"
#define RETURNING_KEY " RETURNING next_attempt_at, id"
const char *const outbox_sql_claim[2][2] = {
    {CLAIM("email_deliveries", DUE, DUE_AGAIN, "next_attempt_at") RETURNING_KEY,
     CLAIM("email_deliveries", STALE, STALE_AGAIN, "claimed_at")},
    {CLAIM("webhook_deliveries", DUE, DUE_AGAIN, "next_attempt_at") RETURNING_KEY,
     CLAIM("webhook_deliveries", STALE, STALE_AGAIN, "claimed_at")},
};

/* What a dead process left, claimed before bound: how many. */
static int64_t claim_stale(struct db *db, bool email, const char *claim, int64_t now, int64_t bound,
                           int64_t limit)
{
    return db_run(db, outbox_sql_claim[!email][1], "tiiii", claim, now, bound, limit, bound);
}

/* The rows due by the pass's start after the cursor: how many, the cursor moved to the last
 * of them. */
static int64_t claim_due(struct db *db, bool email, const char *claim, int64_t now, int64_t limit,
                         struct claim_cursor *cur)
{
    struct db_stmt *st;
    int rc = db_query(db, &st, outbox_sql_claim[!email][0], "tiiitii", claim, now, cur->due_by,
                      cur->due_at, cur->due_id, limit, cur->due_by);
    int64_t claimed = 0;
    while (rc >= 0 && (rc = db_step(st)) == DB_ROW) {
        int64_t at = db_column_int64(st, 0);
        const char *id = db_column_text(st, 1);
        if (at > cur->due_at || (at == cur->due_at && strcmp(id, cur->due_id) > 0)) {
            cur->due_at = at;
            snprintf(cur->due_id, sizeof(cur->due_id), "%s", id);
        }
        claimed++;
    }
    db_finalize(st);
    return rc < 0 ? rc : claimed;
}

int deliveries_claim(struct db *db, const char *kind, const char *claim, int64_t now,
                     int64_t stale_before, int limit, struct claim_cursor *cur,
                     struct delivery **out, int *count)
{
    bool email = strcmp(kind, "email") == 0;
    *out = NULL;
    *count = 0;
    /* first what a dead process left, then what is due */
    int64_t claimed = 0;
    if (!cur->stale_done) {
        claimed = claim_stale(db, email, claim, now, stale_before, limit);
        cur->stale_done = claimed >= 0 && claimed < limit;
    }
    if (claimed >= 0 && claimed < limit) {
        int64_t more = claim_due(db, email, claim, now, limit - claimed, cur);
        claimed = more < 0 ? more : claimed + more;
    }
    if (claimed <= 0)
        return (int)claimed;
    struct db_stmt *st;
    int rc =
        email ? db_query(db, &st,
                         "SELECT d.id, d.outbox_id, o.event, o.payload, o.created_at, "
                         "d.attempts, d.recipient, d.lang, '', '', '', '' FROM email_deliveries d "
                         "JOIN outbox o ON o.id = d.outbox_id WHERE d.claim = ? ORDER BY d.id",
                         "t", claim)
              : db_query(db, &st,
                         "SELECT d.id, d.outbox_id, o.event, o.payload, o.created_at, "
                         "d.attempts, '', '', e.id, e.url, e.secret, e.signature_scheme "
                         "FROM webhook_deliveries d "
                         "JOIN outbox o ON o.id = d.outbox_id JOIN webhook_endpoints e ON "
                         "e.id = d.endpoint_id WHERE d.claim = ? ORDER BY d.id",
                         "t", claim);
    if (rc < 0)
        return rc;
    struct delivery *d = calloc((size_t)claimed, sizeof(*d));
    if (d == NULL) {
        db_finalize(st);
        return -1;
    }
    int n = 0;
    while (n < claimed && (rc = db_step(st)) == DB_ROW) {
        struct delivery *x = &d[n++];
        snprintf(x->id, sizeof(x->id), "%s", db_column_text(st, 0));
        snprintf(x->outbox_id, sizeof(x->outbox_id), "%s", db_column_text(st, 1));
        snprintf(x->event, sizeof(x->event), "%s", db_column_text(st, 2));
        x->payload = strdup(db_column_text(st, 3));
        x->created_at = db_column_int64(st, 4);
        x->attempts = (int)db_column_int64(st, 5);
        snprintf(x->recipient, sizeof(x->recipient), "%s", db_column_text(st, 6));
        snprintf(x->lang, sizeof(x->lang), "%s", db_column_text(st, 7));
        snprintf(x->endpoint_id, sizeof(x->endpoint_id), "%s", db_column_text(st, 8));
        snprintf(x->url, sizeof(x->url), "%s", db_column_text(st, 9));
        snprintf(x->secret, sizeof(x->secret), "%s", db_column_text(st, 10));
        snprintf(x->scheme, sizeof(x->scheme), "%s", db_column_text(st, 11));
    }
    db_finalize(st);
    *out = d;
    *count = n;
    return rc < 0 ? rc : 0;
}

void deliveries_free(struct delivery *d, int count)
{
    for (int i = 0; d && i < count; i++)
        free(d[i].payload);
    free(d);
}

int email_deliveries_drop_invitations(struct db *db, const char *partner_id, const char *user_id)
{
    char pattern[80];
    size_t n = 0;
    pattern[n++] = '%';
    for (const char *c = user_id; *c && n < sizeof(pattern) - 3; c++) {
        if (*c == '_' || *c == '%' || *c == '\\')
            pattern[n++] = '\\';
        pattern[n++] = *c;
    }
    pattern[n++] = '%';
    pattern[n] = '\0';
    int64_t rc = db_run(db,
                        "UPDATE email_deliveries SET status = 'failed', next_attempt_at = 0, "
                        "last_error = 'not sent: the invitation was replaced or ended' WHERE "
                        "status = 'pending' AND outbox_id IN (SELECT id FROM outbox WHERE "
                        "partner_id = ? AND event = 'user.invited' AND payload LIKE ? ESCAPE "
                        "'\\')",
                        "tt", partner_id, pattern);
    return rc < 0 ? (int)rc : 0;
}

int deliveries_put_back(struct db *db, const char *kind, const char *id, const char *claim)
{
    /* after db_defer_sync(), as the marks are */
    return db_write(db,
                    strcmp(kind, "email") == 0
                        ? "UPDATE email_deliveries SET status = 'pending', claim = NULL "
                          "WHERE id = ? AND claim = ?"
                        : "UPDATE webhook_deliveries SET status = 'pending', claim = NULL "
                          "WHERE id = ? AND claim = ?",
                    "tt", id, claim);
}

int email_delivery_done(struct db *db, const char *id, const char *claim, bool sent,
                        const char *error, int64_t next_attempt_at, int64_t now)
{
    const char *status = sent ? "sent" : next_attempt_at ? "pending" : "failed";
    /* after db_defer_sync(), on PostgreSQL, not waited for: db_sync() reads the answers */
    return db_write(db,
                    "UPDATE email_deliveries SET status = ?, attempts = attempts + 1, "
                    "last_error = ?, next_attempt_at = ?, sent_at = ?, claim = NULL "
                    "WHERE id = ? AND claim = ?",
                    "ttiitt", status, error, next_attempt_at, sent ? now : (int64_t)0, id, claim);
}

/* Every row of st, read as delivery_row columns, into a malloc'd array. */
static int collect_deliveries(struct db_stmt *st, struct delivery_row **out, int *count)
{
    int rc, cap = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        if (*count == cap) {
            cap = cap ? cap * 2 : 16;
            struct delivery_row *grown = realloc(*out, (size_t)cap * sizeof(**out));
            if (grown == NULL) {
                rc = -1;
                break;
            }
            *out = grown;
        }
        struct delivery_row *d = &(*out)[(*count)++];
        const char *error = db_column_text(st, 5);
        snprintf(d->id, sizeof(d->id), "%s", db_column_text(st, 0));
        snprintf(d->event_id, sizeof(d->event_id), "%s", db_column_text(st, 1));
        snprintf(d->event, sizeof(d->event), "%s", db_column_text(st, 2));
        snprintf(d->status, sizeof(d->status), "%s", db_column_text(st, 3));
        d->attempts = db_column_int64(st, 4);
        snprintf(d->last_error, sizeof(d->last_error), "%s", error ? error : "");
        d->has_error = error != NULL;
        d->created_at = db_column_int64(st, 6);
        d->done_at = db_column_int64(st, 7);
        snprintf(d->target, sizeof(d->target), "%s", db_column_text(st, 8));
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int email_deliveries_page(struct db *db, const char *status, const struct page_request *p,
                          struct delivery_row **out, int *count)
{
    struct db_stmt *st;
    struct page_sql q = {0};
    *out = NULL;
    *count = 0;
    page_sql_start(&q, "SELECT d.id, d.outbox_id, o.event, d.status, d.attempts, d.last_error, "
                       "d.created_at, COALESCE(d.sent_at, 0), d.recipient FROM email_deliveries d "
                       "JOIN outbox o ON o.id = d.outbox_id WHERE 1 = 1");
    page_sql_and_text(&q, "d.status = ?", status);
    page_sql_finish(&q, "d", p);
    int rc = page_sql_run(db, &q, &st);
    return rc < 0 ? rc : collect_deliveries(st, out, count);
}

#define WEBHOOK_DELIVERY_COLUMNS                                                                   \
    "SELECT d.id, d.outbox_id, o.event, d.status, d.attempts, d.last_error, d.created_at, "        \
    "COALESCE(d.delivered_at, 0), e.url FROM webhook_deliveries d JOIN outbox o ON o.id = "        \
    "d.outbox_id JOIN webhook_endpoints e ON e.id = d.endpoint_id "

int webhook_deliveries_page(struct db *db, const char *endpoint_id, const char *status,
                            const struct page_request *p, struct delivery_row **out, int *count)
{
    struct db_stmt *st;
    struct page_sql q = {0};
    *out = NULL;
    *count = 0;
    page_sql_start(&q, WEBHOOK_DELIVERY_COLUMNS "WHERE 1 = 1");
    page_sql_and_text(&q, "d.endpoint_id = ?", endpoint_id);
    page_sql_and_text(&q, "d.status = ?", status);
    page_sql_finish(&q, "d", p);
    int rc = page_sql_run(db, &q, &st);
    return rc < 0 ? rc : collect_deliveries(st, out, count);
}
