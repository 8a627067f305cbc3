/* store/auth.c - SQL of sign-in state and the audit log. */
#include "store/auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "core/error.h"
#include "db/db.h"
#include "store/page.h"

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

int sessions_insert(struct db *db, const char *id, const char *token_hash, const char *user_id,
                    const char *csrf, int64_t now, int64_t expires_at, const char *ip)
{
    int64_t rc = db_run(db,
                        "INSERT INTO sessions (id, token_hash, user_id, csrf_token, created_at, "
                        "last_seen_at, expires_at, ip) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        "ttttiiit", id, token_hash, user_id, csrf, now, now, expires_at, ip);
    return rc < 0 ? (int)rc : 0;
}

int sessions_find(struct db *db, const char *token_hash, struct session_row *out)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT id, user_id, csrf_token, created_at, last_seen_at, expires_at "
                      "FROM sessions WHERE token_hash = ?",
                      "t", token_hash);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        copy(out->id, sizeof(out->id), db_column_text(st, 0));
        copy(out->user_id, sizeof(out->user_id), db_column_text(st, 1));
        copy(out->csrf_token, sizeof(out->csrf_token), db_column_text(st, 2));
        out->created_at = db_column_int64(st, 3);
        out->last_seen_at = db_column_int64(st, 4);
        out->expires_at = db_column_int64(st, 5);
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

int sessions_touch(struct db *db, const char *id, int64_t now)
{
    int64_t rc = db_run(db, "UPDATE sessions SET last_seen_at = ? WHERE id = ?", "it", now, id);
    return rc < 0 ? (int)rc : 0;
}

int sessions_shift(struct db *db, const char *id, int64_t delta)
{
    int64_t rc = db_run(db,
                        "UPDATE sessions SET created_at = created_at + ?, last_seen_at = "
                        "last_seen_at + ?, expires_at = expires_at + ? WHERE id = ?",
                        "iiit", delta, delta, delta, id);
    return rc < 0 ? (int)rc : 0;
}

int sessions_delete(struct db *db, const char *id)
{
    int64_t rc = db_run(db, "DELETE FROM sessions WHERE id = ?", "t", id);
    return rc < 0 ? (int)rc : 0;
}

int sessions_delete_for_user(struct db *db, const char *user_id, const char *keep_id)
{
    int64_t rc = db_run(db, "DELETE FROM sessions WHERE user_id = ? AND id <> ?", "tt", user_id,
                        keep_id ? keep_id : "");
    return rc < 0 ? (int)rc : 0;
}

int tokens_insert(struct db *db, const char *id, const char *token_hash, const char *user_id,
                  const char *name, int64_t now)
{
    int64_t rc = db_run(db,
                        "INSERT INTO api_tokens (id, token_hash, user_id, name, created_at) "
                        "VALUES (?, ?, ?, ?, ?)",
                        "tttti", id, token_hash, user_id, name, now);
    return rc < 0 ? (int)rc : 0;
}

int tokens_find(struct db *db, const char *token_hash, struct token_row *out)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT id, user_id, COALESCE(last_used_at, 0), revoked_at IS NOT NULL "
                      "FROM api_tokens WHERE token_hash = ?",
                      "t", token_hash);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        copy(out->id, sizeof(out->id), db_column_text(st, 0));
        copy(out->user_id, sizeof(out->user_id), db_column_text(st, 1));
        out->last_used_at = db_column_int64(st, 2);
        out->revoked = (int)db_column_int64(st, 3);
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

int tokens_touch(struct db *db, const char *id, int64_t now)
{
    int64_t rc = db_run(db, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", "it", now, id);
    return rc < 0 ? (int)rc : 0;
}

int tokens_revoke(struct db *db, const char *id, const char *user_id, int64_t now)
{
    int64_t rc = db_run(db,
                        "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? "
                        "AND revoked_at IS NULL",
                        "itt", now, id, user_id);
    return rc < 0 ? (int)rc : rc > 0;
}

int tokens_revoke_for_user(struct db *db, const char *user_id, int64_t now)
{
    int64_t rc = db_run(db,
                        "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at "
                        "IS NULL",
                        "it", now, user_id);
    return rc < 0 ? (int)rc : 0;
}

int tokens_list(struct db *db, const char *user_id, const struct page_request *p,
                struct token_row **out, int *count)
{
    struct db_stmt *st;
    struct token_row *rows = NULL;
    struct page_sql q = {0};
    int n = 0, cap = 0;
    page_sql_start(&q, "SELECT id, name, created_at, COALESCE(last_used_at, 0), "
                       "revoked_at IS NOT NULL FROM api_tokens WHERE 1 = 1");
    page_sql_and_text(&q, "user_id = ?", user_id);
    page_sql_finish(&q, "", p);
    int rc = page_sql_run(db, &q, &st);
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            struct token_row *more = realloc(rows, (size_t)cap * sizeof(*rows));
            if (more == NULL) {
                rc = PD_E_INTERNAL;
                break;
            }
            rows = more;
        }
        struct token_row *t = &rows[n++];
        memset(t, 0, sizeof(*t));
        copy(t->id, sizeof(t->id), db_column_text(st, 0));
        copy(t->user_id, sizeof(t->user_id), user_id);
        copy(t->name, sizeof(t->name), db_column_text(st, 1));
        t->created_at = db_column_int64(st, 2);
        t->last_used_at = db_column_int64(st, 3);
        t->revoked = (int)db_column_int64(st, 4);
    }
    db_finalize(st);
    if (rc < 0) {
        free(rows);
        return rc;
    }
    *out = rows;
    *count = n;
    return 0;
}

/* One-time links sent by email, an invitation's or a password reset's: a table each, of
 * one shape (token_hash, user_id, created_at, expires_at, used_at). table is one of the two
 * names, never anything that came from outside. */
static int link_insert(struct db *db, const char *table, const char *token_hash,
                       const char *user_id, int64_t now, int64_t expires_at)
{
    char sql[160];
    snprintf(sql, sizeof(sql),
             "INSERT INTO %s (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
             table);
    int64_t rc = db_run(db, sql, "ttii", token_hash, user_id, now, expires_at);
    return rc < 0 ? (int)rc : 0;
}

static int link_find_live(struct db *db, const char *table, const char *token_hash, int64_t now,
                          char *user_id, size_t n)
{
    char sql[160];
    struct db_stmt *st;
    snprintf(sql, sizeof(sql),
             "SELECT user_id FROM %s WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
             table);
    int rc = db_query(db, &st, sql, "ti", token_hash, now);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        copy(user_id, n, db_column_text(st, 0));
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

static int link_use(struct db *db, const char *table, const char *token_hash, int64_t now)
{
    char sql[160];
    snprintf(sql, sizeof(sql),
             "UPDATE %s SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND "
             "expires_at > ?",
             table);
    int64_t rc = db_run(db, sql, "iti", now, token_hash, now);
    return rc < 0 ? (int)rc : rc > 0;
}

static int link_end_for_user(struct db *db, const char *table, const char *user_id, int64_t now)
{
    char sql[160];
    snprintf(sql, sizeof(sql), "UPDATE %s SET used_at = ? WHERE user_id = ? AND used_at IS NULL",
             table);
    int64_t rc = db_run(db, sql, "it", now, user_id);
    return rc < 0 ? (int)rc : 0;
}

int invitations_insert(struct db *db, const char *token_hash, const char *user_id, int64_t now,
                       int64_t expires_at)
{
    return link_insert(db, "invitations", token_hash, user_id, now, expires_at);
}

int invitations_find_live(struct db *db, const char *token_hash, int64_t now, char *user_id,
                          size_t n)
{
    return link_find_live(db, "invitations", token_hash, now, user_id, n);
}

int invitations_use(struct db *db, const char *token_hash, int64_t now)
{
    return link_use(db, "invitations", token_hash, now);
}

int invitations_end_for_user(struct db *db, const char *user_id, int64_t now)
{
    return link_end_for_user(db, "invitations", user_id, now);
}

int password_resets_insert(struct db *db, const char *token_hash, const char *user_id, int64_t now,
                           int64_t expires_at)
{
    return link_insert(db, "password_resets", token_hash, user_id, now, expires_at);
}

int password_resets_find_live(struct db *db, const char *token_hash, int64_t now, char *user_id,
                              size_t n)
{
    return link_find_live(db, "password_resets", token_hash, now, user_id, n);
}

int password_resets_use(struct db *db, const char *token_hash, int64_t now)
{
    return link_use(db, "password_resets", token_hash, now);
}

int password_resets_end_for_user(struct db *db, const char *user_id, int64_t now)
{
    return link_end_for_user(db, "password_resets", user_id, now);
}

int invitations_latest(struct db *db, const char *user_id, int64_t expires_at)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT CASE WHEN u.status = 'invited' AND NOT EXISTS (SELECT 1 FROM "
                      "invitations i WHERE i.user_id = u.id AND i.expires_at > ?) THEN 1 ELSE 0 "
                      "END FROM users u WHERE u.id = ?",
                      "it", expires_at, user_id);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    rc = rc == DB_ROW ? (int)db_column_int64(st, 0) : rc < 0 ? rc : 0;
    db_finalize(st);
    return rc;
}

int recovery_insert(struct db *db, const char *user_id, const char *code_hash)
{
    int64_t rc = db_run(db, "INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)", "tt",
                        user_id, code_hash);
    return rc < 0 ? (int)rc : 0;
}

int recovery_delete_for_user(struct db *db, const char *user_id)
{
    int64_t rc = db_run(db, "DELETE FROM recovery_codes WHERE user_id = ?", "t", user_id);
    return rc < 0 ? (int)rc : 0;
}

int recovery_use(struct db *db, const char *user_id, const char *code_hash, int64_t now)
{
    int64_t rc = db_run(db,
                        "UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = "
                        "? AND used_at IS NULL",
                        "itt", now, user_id, code_hash);
    return rc < 0 ? (int)rc : rc > 0;
}

int throttle_locked(struct db *db, const char *key, int64_t now, int64_t *retry_after)
{
    int64_t until = 0;
    int rc =
        db_scalar(db, &until, "SELECT locked_until FROM auth_throttle WHERE key = ?", "t", key);
    *retry_after = rc == 0 && until > now ? until - now : 0;
    return rc;
}

int throttle_fail(struct db *db, const char *key, int64_t now, int64_t window_s, int64_t max,
                  int64_t lock_s)
{
    /* a failure outside the window starts a new one */
    int64_t rc = db_run(db,
                        "INSERT INTO auth_throttle (key, failures, window_start, locked_until) "
                        "VALUES (?, 1, ?, 0) ON CONFLICT (key) DO UPDATE SET "
                        "failures = CASE WHEN auth_throttle.window_start + ? <= ? THEN 1 "
                        "ELSE auth_throttle.failures + 1 END, "
                        "window_start = CASE WHEN auth_throttle.window_start + ? <= ? THEN ? "
                        "ELSE auth_throttle.window_start END",
                        "tiiiiii", key, now, window_s, now, window_s, now, now);
    if (rc < 0)
        return (int)rc;
    rc = db_run(db,
                "UPDATE auth_throttle SET locked_until = ?, failures = 0, window_start = ? "
                "WHERE key = ? AND failures >= ?",
                "iiti", now + lock_s, now, key, max);
    return rc < 0 ? (int)rc : 0;
}

int throttle_reset(struct db *db, const char *key)
{
    int64_t rc = db_run(db, "DELETE FROM auth_throttle WHERE key = ?", "t", key);
    return rc < 0 ? (int)rc : 0;
}

int audit_insert(struct db *db, const struct audit_entry *e, int64_t now)
{
    char id[32];
    id_new("aud", id, sizeof(id));
    return db_write(db,
                    "INSERT INTO audit_events (id, at, actor_id, actor_email, partner_id, ip, "
                    "action, object_type, object_id, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                    "?, ?)",
                    "titttttttt", id, now, e->actor_id, e->actor_email, e->partner_id, e->ip,
                    e->action, e->object_type, e->object_id, e->details ? e->details : "{}");
}

int audit_each(struct db *db, const char *partner_id, const struct page_request *p,
               void (*fn)(void *ctx, const struct audit_entry *e), void *ctx)
{
    struct db_stmt *st;
    struct page_sql q = {0};
    page_sql_start(&q, "SELECT id, at, actor_id, actor_email, partner_id, ip, action, object_type, "
                       "object_id, details FROM audit_events WHERE 1 = 1");
    page_sql_and_text(&q, "partner_id = ?", partner_id);
    page_sql_finish_by(&q, "at", "id", p);
    int rc = page_sql_run(db, &q, &st);
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        struct audit_entry e = {
            .id = db_column_text(st, 0),
            .at = db_column_int64(st, 1),
            .actor_id = db_column_text(st, 2),
            .actor_email = db_column_text(st, 3),
            .partner_id = db_column_text(st, 4),
            .ip = db_column_text(st, 5),
            .action = db_column_text(st, 6),
            .object_type = db_column_text(st, 7),
            .object_id = db_column_text(st, 8),
            .details = db_column_text(st, 9),
        };
        fn(ctx, &e);
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}
