/*
 * store/referrals.c - SQL of referrals, their notes and the funnel.
 *
 * Erasure reaches the emails too: the outbox events of a referral carry its id in their
 * payload ("referral_id":"ref_..."), so their payload is replaced and their recipients
 * blanked, and an email not sent yet is given up.
 */
#include "store/referrals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "db/db.h"
#include "store/page.h"
#include "store/rows.h"

#define COLUMNS                                                                                    \
    "SELECT id, partner_id, status, name, company, email, phone, country, need, consent, lang, "   \
    "client_ip, email_hash, confirm_hash, erase_token, decline_reason, confirm_by, "               \
    "COALESCE(confirmed_at, 0), COALESCE(respond_by, 0), COALESCE(responded_at, 0), "              \
    "COALESCE(closed_at, 0), COALESCE(erased_at, 0), created_at, updated_at FROM referrals "

/* Columns first.. of the row as texts (copied into a) or integers. */
static void read_texts(struct db_stmt *st, struct arena *a, int first, const char **const to[],
                       int n)
{
    for (int i = 0; i < n; i++)
        *to[i] = arena_strdup(a, db_column_text(st, first + i));
}

static void read_ints(struct db_stmt *st, int first, int64_t *const to[], int n)
{
    for (int i = 0; i < n; i++)
        *to[i] = db_column_int64(st, first + i);
}

/* Every row st answers, each read by read into a new element of r (in a); finalizes st. */
static int read_all(struct db_stmt *st, struct arena *a, size_t size,
                    void (*read)(struct db_stmt *, struct arena *, void *), struct rows *r)
{
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        read(st, a, rows_add(a, r, size));
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static void read_row(struct db_stmt *st, struct arena *a, void *row)
{
    struct referral_row *r = row;
    const char **const texts[] = {&r->id,    &r->partner_id, &r->status,  &r->name, &r->company,
                                  &r->email, &r->phone,      &r->country, &r->need};
    const char **const tokens[] = {&r->lang,         &r->client_ip,   &r->email_hash,
                                   &r->confirm_hash, &r->erase_token, &r->decline_reason};
    int64_t *const times[] = {&r->confirm_by, &r->confirmed_at, &r->respond_by, &r->responded_at,
                              &r->closed_at,  &r->erased_at,    &r->created_at, &r->updated_at};
    read_texts(st, a, 0, texts, 9);
    r->consent = db_column_int64(st, 9) != 0;
    read_texts(st, a, 10, tokens, 6);
    read_ints(st, 16, times, 8);
}

int referrals_insert(struct db *db, const struct referral_row *r)
{
    int64_t rc =
        db_run(db,
               "INSERT INTO referrals (id, partner_id, status, name, company, email, "
               "phone, country, need, consent, lang, client_ip, email_hash, "
               "confirm_hash, confirm_by, erase_token, created_at, updated_at) VALUES "
               "(?, ?, 'unconfirmed', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               "ttttttttittttitii", r->id, r->partner_id, r->name, r->company, r->email, r->phone,
               r->country, r->need, (int64_t)r->consent, r->lang, r->client_ip, r->email_hash,
               r->confirm_hash, r->confirm_by, r->erase_token, r->created_at, r->updated_at);
    return rc < 0 ? (int)rc : 0;
}

int referrals_lock_sender(struct db *db, const char *address, const char *email_hash)
{
    char key[128];
    /* always the address first, then the email: two senders never wait for each other in a
     * cycle */
    snprintf(key, sizeof(key), "referral.address:%s", address);
    int rc = db_lock_key(db, key);
    if (rc < 0)
        return rc;
    snprintf(key, sizeof(key), "referral.email:%s", email_hash);
    return db_lock_key(db, key);
}

int referrals_count_since(struct db *db, const char *by, const char *value, int64_t since,
                          int64_t *n)
{
    return db_scalar(
        db, n,
        strcmp(by, "address") == 0
            ? "SELECT COUNT(*) FROM referrals WHERE client_ip = ? AND created_at >= ?"
            : "SELECT COUNT(*) FROM referrals WHERE email_hash = ? AND created_at >= ?",
        "ti", value, since);
}

static int find_with(struct db_stmt *st, struct arena *a, struct referral_row *out)
{
    int rc = db_step(st);
    if (rc == DB_ROW) {
        read_row(st, a, out);
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

int referrals_find(struct db *db, struct arena *a, const char *id, const char *partner_id,
                   struct referral_row *out)
{
    struct db_stmt *st;
    int rc = partner_id ? db_query(db, &st,
                                   COLUMNS "WHERE id = ? AND partner_id = ? AND status <> "
                                           "'unconfirmed'",
                                   "tt", id, partner_id)
                        : db_query(db, &st, COLUMNS "WHERE id = ?", "t", id);
    return rc < 0 ? rc : find_with(st, a, out);
}

int referrals_find_confirm(struct db *db, struct arena *a, const char *hash,
                           struct referral_row *out)
{
    struct db_stmt *st;
    int rc = db_query(db, &st, COLUMNS "WHERE confirm_hash = ?", "t", hash);
    return rc < 0 ? rc : find_with(st, a, out);
}

int referrals_find_erase(struct db *db, struct arena *a, const char *token,
                         struct referral_row *out)
{
    struct db_stmt *st;
    int rc = db_query(db, &st, COLUMNS "WHERE erase_token = ?", "t", token);
    return rc < 0 ? rc : find_with(st, a, out);
}

int referrals_confirm(struct db *db, const char *id, int64_t respond_by, int64_t now)
{
    int64_t rc = db_run(db,
                        "UPDATE referrals SET status = 'new', confirm_hash = NULL, confirmed_at = "
                        "?, respond_by = ?, updated_at = ? WHERE id = ? AND status = 'unconfirmed'",
                        "iiit", now, respond_by, now, id);
    return rc < 0 ? (int)rc : rc > 0;
}

int referrals_move(struct db *db, const char *id, const char *from, const char *to,
                   const char *reason, int64_t now)
{
    int closing = !strcmp(to, "won") || !strcmp(to, "lost") || !strcmp(to, "declined") ||
                  !strcmp(to, "expired");
    int answering = !strcmp(from, "new");
    int64_t rc =
        db_run(db,
               "UPDATE referrals SET status = ?, decline_reason = COALESCE(?, "
               "decline_reason), responded_at = CASE WHEN ? = 1 THEN ? ELSE responded_at "
               "END, closed_at = CASE WHEN ? = 1 THEN ? ELSE closed_at END, updated_at = ? "
               "WHERE id = ? AND status = ?",
               "ttiiiiitt", to, strcmp(to, "declined") == 0 ? reason : NULL, (int64_t)answering,
               now, (int64_t)closing, now, now, id, from);
    return rc < 0 ? (int)rc : rc > 0;
}

int referrals_page(struct db *db, struct arena *a, const char *partner_id, const char *status,
                   const struct page_request *p, struct referral_row **out, int *count)
{
    struct db_stmt *st;
    struct rows r = {0};
    struct page_sql q = {0};
    page_sql_start(&q, COLUMNS "WHERE status <> 'unconfirmed'");
    page_sql_and_text(&q, "partner_id = ?", partner_id);
    page_sql_and_text(&q, "status = ?", status);
    page_sql_finish(&q, "", p);
    int rc = page_sql_run(db, &q, &st);
    if (rc < 0 || (rc = read_all(st, a, sizeof(struct referral_row), read_row, &r)) < 0)
        return rc;
    *out = r.items;
    *count = r.count;
    return 0;
}

int referrals_counts(struct db *db, const char *partner_id, const char *const statuses[],
                     int64_t counts[])
{
    int rc = 0;
    for (int i = 0; statuses[i] && rc >= 0; i++)
        rc = db_scalar(db, &counts[i],
                       "SELECT COUNT(*) FROM referrals WHERE partner_id = COALESCE(?, partner_id) "
                       "AND status = ?",
                       "tt", partner_id, statuses[i]);
    return rc < 0 ? rc : 0;
}

static void read_id(struct db_stmt *st, struct arena *a, void *row)
{
    *(const char **)row = arena_strdup(a, db_column_text(st, 0));
}

/* The ids a query of one text column answers, into a. */
static int ids_of(struct db_stmt *st, struct arena *a, const char ***ids, int *count)
{
    struct rows r = {0};
    int rc = read_all(st, a, sizeof(char *), read_id, &r);
    *ids = r.items;
    *count = r.count;
    return rc;
}

int referrals_overdue(struct db *db, struct arena *a, int64_t now, const char ***ids, int *count)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT id FROM referrals WHERE status = 'new' AND respond_by < ? ORDER BY "
                      "respond_by, id LIMIT 1000",
                      "i", now);
    return rc < 0 ? rc : ids_of(st, a, ids, count);
}

int referrals_expired_retention(struct db *db, struct arena *a, int64_t before, const char ***ids,
                                int *count)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT id FROM referrals WHERE created_at < ? AND erased_at IS NULL AND "
                      "status <> 'unconfirmed' ORDER BY created_at, id LIMIT 1000",
                      "i", before);
    return rc < 0 ? rc : ids_of(st, a, ids, count);
}

/* Blanks the emails of the referral's outbox events and gives up those not sent yet. */
static int scrub_emails(struct db *db, const char *id)
{
    char like[80];
    snprintf(like, sizeof(like), "%%\"referral_id\":\"%s\"%%", id);
    int64_t rc = db_run(db,
                        "UPDATE email_deliveries SET recipient = 'erased', status = CASE WHEN "
                        "status IN ('pending', 'sending') THEN 'failed' ELSE status END, claim = "
                        "NULL WHERE outbox_id IN (SELECT id FROM outbox WHERE payload LIKE ?)",
                        "t", like);
    if (rc >= 0)
        rc = db_run(db,
                    "UPDATE outbox SET payload = '{\"erased\":true}' WHERE payload LIKE ? AND "
                    "event LIKE 'referral.%'",
                    "t", like);
    return rc < 0 ? (int)rc : 0;
}

int referrals_erase(struct db *db, const char *id, int64_t now)
{
    int64_t rc = db_run(db, "DELETE FROM referral_notes WHERE referral_id = ?", "t", id);
    if (rc >= 0)
        rc = db_run(db,
                    "UPDATE referrals SET name = NULL, company = NULL, email = NULL, phone = NULL, "
                    "country = NULL, need = NULL, client_ip = NULL, email_hash = NULL, "
                    "decline_reason = NULL, confirm_hash = NULL, erase_token = NULL, erased_at = "
                    "?, updated_at = ? WHERE id = ?",
                    "iit", now, now, id);
    if (rc >= 0)
        rc = scrub_emails(db, id);
    return rc < 0 ? (int)rc : 0;
}

int referrals_drop_unconfirmed(struct db *db, int64_t before)
{
    struct arena a = {0};
    struct db_stmt *st;
    const char **ids = NULL;
    int n = 0;
    int rc = db_query(db, &st,
                      "SELECT id FROM referrals WHERE status = 'unconfirmed' AND confirm_by < ? "
                      "LIMIT 1000",
                      "i", before);
    if (rc >= 0)
        rc = ids_of(st, &a, &ids, &n);
    for (int i = 0; rc >= 0 && i < n; i++) {
        rc = scrub_emails(db, ids[i]);
        if (rc >= 0)
            rc = (int)db_run(db, "DELETE FROM referrals WHERE id = ?", "t", ids[i]);
    }
    arena_free(&a);
    return rc < 0 ? rc : n;
}

int referral_notes_add(struct db *db, const char *id, const char *referral_id,
                       const char *author_id, const char *body, int64_t now)
{
    int64_t rc = db_run(db,
                        "INSERT INTO referral_notes (id, referral_id, author_id, body, created_at) "
                        "VALUES (?, ?, ?, ?, ?)",
                        "tttti", id, referral_id, author_id, body, now);
    return rc < 0 ? (int)rc : 0;
}

static void read_note(struct db_stmt *st, struct arena *a, void *row)
{
    struct referral_note *n = row;
    read_texts(st, a, 0, (const char **const[]){&n->id, &n->author, &n->body}, 3);
    n->created_at = db_column_int64(st, 3);
}

int referral_notes_list(struct db *db, struct arena *a, const char *referral_id,
                        struct referral_note **out, int *count)
{
    struct db_stmt *st;
    struct rows r = {0};
    int rc = db_query(db, &st,
                      "SELECT n.id, u.name, n.body, n.created_at FROM referral_notes n JOIN users "
                      "u ON u.id = n.author_id WHERE n.referral_id = ? ORDER BY n.created_at, n.id",
                      "t", referral_id);
    if (rc < 0 || (rc = read_all(st, a, sizeof(struct referral_note), read_note, &r)) < 0)
        return rc;
    *out = r.items;
    *count = r.count;
    return 0;
}

static void read_funnel(struct db_stmt *st, struct arena *a, void *row)
{
    struct funnel_row *f = row;
    read_texts(st, a, 0, (const char **const[]){&f->partner_id, &f->name}, 2);
    read_ints(st, 2,
              (int64_t *const[]){&f->received, &f->accepted, &f->declined, &f->expired, &f->won,
                                 &f->lost},
              6);
}

int referrals_funnel(struct db *db, struct arena *a, struct funnel_row **out, int *count)
{
    struct db_stmt *st;
    struct rows r = {0};
    int rc = db_query(
        db, &st,
        "SELECT r.partner_id, p.legal_name, COUNT(*), SUM(CASE WHEN r.status IN ('accepted', "
        "'won', 'lost') THEN 1 ELSE 0 END), SUM(CASE WHEN r.status = 'declined' THEN 1 ELSE 0 "
        "END), SUM(CASE WHEN r.status = 'expired' THEN 1 ELSE 0 END), SUM(CASE WHEN r.status = "
        "'won' THEN 1 ELSE 0 END), SUM(CASE WHEN r.status = 'lost' THEN 1 ELSE 0 END) FROM "
        "referrals r JOIN partners p ON p.id = r.partner_id WHERE r.status <> 'unconfirmed' "
        "GROUP BY r.partner_id, p.legal_name ORDER BY COUNT(*) DESC, p.legal_name LIMIT 200",
        "");
    if (rc < 0 || (rc = read_all(st, a, sizeof(struct funnel_row), read_funnel, &r)) < 0)
        return rc;
    *out = r.items;
    *count = r.count;
    return 0;
}
