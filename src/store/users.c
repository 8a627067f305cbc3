/*
 * store/users.c - SQL of partners, users and user_roles.
 *
 * A user's roles live in their own table; users_find() and users_page() read them with
 * the user, so a struct user_row always carries its role mask.
 */
#include "store/users.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/roles.h"

#include "db/db.h"
#include "store/page.h"

/* NULL for an empty string: a column without a value. */
static const char *or_null(const char *s)
{
    return s[0] ? s : NULL;
}

int partners_insert(struct db *db, const struct partner_row *p)
{
    int64_t rc = db_run(
        db,
        "INSERT INTO partners (id, membership_id, legal_name, country, "
        "address_line1, address_line2, postal_code, city, vat_id, locale, "
        "currency, require_2fa, created_at, siren, vat_id_status, vat_id_check_after) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "tttttttttttiitti", p->id, p->membership_id, p->legal_name, p->country, p->address_line1,
        or_null(p->address_line2), p->postal_code, p->city, or_null(p->vat_id), p->locale,
        p->currency, (int64_t)p->require_2fa, p->created_at, or_null(p->siren),
        p->vat_id_status[0] ? p->vat_id_status : "not_checked", p->created_at);
    return rc < 0 ? (int)rc : 0;
}

int partners_count(struct db *db, int64_t *count)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT COUNT(*) FROM partners", &st);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW)
        *count = db_column_int64(st, 0);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int users_billing_contact(struct db *db, const char *partner_id, char *out, size_t n)
{
    return db_text(db, out, n,
                   "SELECT u.email FROM users u JOIN user_roles r ON r.user_id = u.id "
                   "WHERE u.partner_id = ? AND u.status = 'active' AND r.role IN "
                   "('billing_admin', 'global_admin') "
                   "ORDER BY r.role = 'global_admin', u.created_at, u.id LIMIT 1",
                   "t", partner_id);
}

static int add_role(struct db *db, const char *user_id, const char *role)
{
    int64_t rc =
        db_run(db, "INSERT INTO user_roles (user_id, role) VALUES (?, ?)", "tt", user_id, role);
    return rc < 0 ? (int)rc : 0;
}

int users_insert(struct db *db, const struct user_row *u)
{
    int64_t rc = db_run(db,
                        "INSERT INTO users (id, kind, partner_id, email, name, password_hash, "
                        "locale, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        "tttttttti", u->id, u->kind, or_null(u->partner_id), u->email, u->name,
                        or_null(u->password_hash), u->locale, u->status[0] ? u->status : "active",
                        u->created_at);
    if (rc < 0)
        return (int)rc;
    return users_set_roles(db, u->id, u->roles);
}

int users_email_exists(struct db *db, const char *email)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT 1 FROM users WHERE email = ?", &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, email);
    rc = db_step(st);
    db_finalize(st);
    return rc == DB_ROW ? 1 : rc;
}

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

/* Reads the user's roles into out->roles. */
static int load_roles(struct db *db, struct user_row *out)
{
    struct db_stmt *st;
    int rc = db_query(db, &st, "SELECT role FROM user_roles WHERE user_id = ?", "t", out->id);
    if (rc < 0)
        return rc;
    out->roles = 0;
    while ((rc = db_step(st)) == DB_ROW)
        out->roles |= role_bit(db_column_text(st, 0));
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static int find_user(struct db *db, const char *column, const char *value, struct user_row *out)
{
    char sql[512];
    struct db_stmt *st;
    snprintf(sql, sizeof(sql),
             "SELECT u.id, u.kind, u.partner_id, u.email, u.name, u.password_hash, u.locale, "
             "u.status, u.totp_secret, u.totp_pending_secret, u.totp_last_step, u.created_at, "
             "COALESCE(p.require_2fa, 0) FROM users u LEFT JOIN partners p ON p.id = "
             "u.partner_id WHERE u.%s = ?",
             column);
    int rc = db_query(db, &st, sql, "t", value);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        memset(out, 0, sizeof(*out));
        copy(out->id, sizeof(out->id), db_column_text(st, 0));
        copy(out->kind, sizeof(out->kind), db_column_text(st, 1));
        copy(out->partner_id, sizeof(out->partner_id), db_column_text(st, 2));
        copy(out->email, sizeof(out->email), db_column_text(st, 3));
        copy(out->name, sizeof(out->name), db_column_text(st, 4));
        copy(out->password_hash, sizeof(out->password_hash), db_column_text(st, 5));
        copy(out->locale, sizeof(out->locale), db_column_text(st, 6));
        copy(out->status, sizeof(out->status), db_column_text(st, 7));
        copy(out->totp_secret, sizeof(out->totp_secret), db_column_text(st, 8));
        copy(out->totp_pending_secret, sizeof(out->totp_pending_secret), db_column_text(st, 9));
        out->totp_last_step = db_column_int64(st, 10);
        out->created_at = db_column_int64(st, 11);
        out->partner_requires_2fa = db_column_int64(st, 12) != 0;
        rc = 1;
    }
    db_finalize(st);
    if (rc == 1 && (rc = load_roles(db, out)) == 0)
        rc = 1;
    return rc;
}

int users_find_by_email(struct db *db, const char *email, struct user_row *out)
{
    return find_user(db, "email", email, out);
}

int users_find(struct db *db, const char *id, struct user_row *out)
{
    return find_user(db, "id", id, out);
}

/* Appends an empty row to a malloc'd array of *count rows of size bytes (*cap the room).
 * Returns the new row or NULL when out of memory. */
static void *grow(void **rows, int *count, int *cap, size_t size)
{
    if (*count == *cap) {
        int more = *cap ? *cap * 2 : 16;
        void *p = realloc(*rows, (size_t)more * size);
        if (p == NULL)
            return NULL;
        *rows = p;
        *cap = more;
    }
    char *row = (char *)*rows + (size_t)(*count)++ * size;
    memset(row, 0, size);
    return row;
}

/* Adds the roles of the listed users of partner_id to their rows. */
static int list_roles(struct db *db, const char *partner_id, struct user_row *rows, int count)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT r.user_id, r.role FROM user_roles r JOIN users u ON u.id = "
                      "r.user_id WHERE u.partner_id = ? AND u.status <> 'removed'",
                      "t", partner_id);
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *id = db_column_text(st, 0);
        for (int i = 0; i < count; i++)
            if (strcmp(rows[i].id, id) == 0)
                rows[i].roles |= role_bit(db_column_text(st, 1));
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

/* The columns of a listed user, read by read_listed() (no password hash, no TOTP secret). */
#define LISTED_COLUMNS "id, kind, email, name, locale, status, totp_secret IS NOT NULL, created_at"

/* Every row of st, a query of LISTED_COLUMNS, into a malloc'd array (*rows, *n of them; on
 * failure the caller frees it); totp_secret is "set" when two-factor is on. Finalizes st. */
static int read_listed(struct db_stmt *st, void **rows, int *n)
{
    int rc, cap = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        struct user_row *u = grow(rows, n, &cap, sizeof(*u));
        if (u == NULL) {
            rc = PD_E_INTERNAL;
            break;
        }
        copy(u->id, sizeof(u->id), db_column_text(st, 0));
        copy(u->kind, sizeof(u->kind), db_column_text(st, 1));
        copy(u->email, sizeof(u->email), db_column_text(st, 2));
        copy(u->name, sizeof(u->name), db_column_text(st, 3));
        copy(u->locale, sizeof(u->locale), db_column_text(st, 4));
        copy(u->status, sizeof(u->status), db_column_text(st, 5));
        if (db_column_int64(st, 6))
            copy(u->totp_secret, sizeof(u->totp_secret), "set");
        u->created_at = db_column_int64(st, 7);
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int users_page(struct db *db, const char *partner_id, const struct page_request *p,
               struct user_row **out, int *count)
{
    struct db_stmt *st;
    struct page_sql q = {0};
    void *rows = NULL;
    int n = 0;
    page_sql_start(&q, "SELECT " LISTED_COLUMNS " FROM users WHERE status <> 'removed'");
    page_sql_and_text(&q, "partner_id = ?", partner_id);
    page_sql_finish(&q, "", p);
    int rc = page_sql_run(db, &q, &st);
    if (rc < 0)
        return rc;
    rc = read_listed(st, &rows, &n);
    struct user_row *listed = rows;
    for (int i = 0; i < n; i++)
        copy(listed[i].partner_id, sizeof(listed[i].partner_id), partner_id);
    if (rc >= 0)
        rc = list_roles(db, partner_id, rows, n);
    if (rc < 0) {
        free(rows);
        return rc;
    }
    *out = rows;
    *count = n;
    return 0;
}

int users_staff(struct db *db, struct user_row **out, int *count)
{
    struct db_stmt *st;
    void *rows = NULL;
    int n = 0;
    int rc = db_query(
        db, &st, "SELECT " LISTED_COLUMNS " FROM users WHERE kind = 'staff' ORDER BY email", "");
    if (rc < 0)
        return rc;
    rc = read_listed(st, &rows, &n);
    struct user_row *listed = rows;
    for (int i = 0; rc >= 0 && i < n; i++) /* a few staff: their roles one by one */
        rc = load_roles(db, &listed[i]);
    if (rc < 0) {
        free(rows);
        return rc;
    }
    *out = rows;
    *count = n;
    return 0;
}

int users_set_password(struct db *db, const char *id, const char *hash, int64_t now)
{
    int64_t rc = db_run(db, "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?",
                        "tit", hash, now, id);
    return rc < 0 ? (int)rc : 0;
}

int users_set_status(struct db *db, const char *id, const char *status, int64_t now)
{
    int64_t rc = db_run(db, "UPDATE users SET status = ?, updated_at = ? WHERE id = ?", "tit",
                        status, now, id);
    return rc < 0 ? (int)rc : 0;
}

int users_activate_invited(struct db *db, const char *id, const char *hash, int64_t now)
{
    int64_t rc = db_run(db,
                        "UPDATE users SET password_hash = ?, status = 'active', updated_at = ? "
                        "WHERE id = ? AND status = 'invited'",
                        "tit", hash, now, id);
    return rc < 0 ? (int)rc : rc > 0;
}

int users_reset_password(struct db *db, const char *id, const char *hash, int64_t now)
{
    int64_t rc = db_run(db,
                        "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ? AND "
                        "status = 'active'",
                        "tit", hash, now, id);
    return rc < 0 ? (int)rc : rc > 0;
}

int users_reinvite(struct db *db, const struct user_row *u, int64_t now)
{
    int64_t rc = db_run(db,
                        "UPDATE users SET name = ?, locale = ?, status = 'invited', "
                        "password_hash = NULL, totp_secret = NULL, totp_pending_secret = NULL, "
                        "updated_at = ? WHERE id = ? AND status <> 'active'",
                        "ttit", u->name, u->locale, now, u->id);
    if (rc < 0)
        return (int)rc;
    if (rc == 0)
        return 0;
    int set = users_set_roles(db, u->id, u->roles);
    return set < 0 ? set : 1;
}

int users_set_name(struct db *db, const char *id, const char *name, int64_t now)
{
    int64_t rc =
        db_run(db, "UPDATE users SET name = ?, updated_at = ? WHERE id = ?", "tit", name, now, id);
    return rc < 0 ? (int)rc : 0;
}

int users_set_roles(struct db *db, const char *id, unsigned roles)
{
    static const char *names[] = {"global_admin",     "account_admin", "billing_admin", "user",
                                  "referral_manager", "support",       "finance",       "operator"};
    int64_t rc = db_run(db, "DELETE FROM user_roles WHERE user_id = ?", "t", id);
    for (size_t i = 0; rc >= 0 && i < sizeof(names) / sizeof(names[0]); i++)
        if (roles & role_bit(names[i]))
            rc = add_role(db, id, names[i]);
    return rc < 0 ? (int)rc : 0;
}

int users_set_totp(struct db *db, const char *id, const char *secret, const char *pending,
                   int64_t last_step)
{
    int64_t rc = db_run(db,
                        "UPDATE users SET totp_secret = ?, totp_pending_secret = ?, "
                        "totp_last_step = ? WHERE id = ?",
                        "ttit", secret, pending, last_step, id);
    return rc < 0 ? (int)rc : 0;
}

int users_claim_totp_step(struct db *db, const char *id, const char *secret, int64_t step)
{
    int64_t rc = db_run(db,
                        "UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_secret = ? "
                        "AND totp_last_step < ?",
                        "itti", step, id, secret, step);
    return rc < 0 ? (int)rc : rc > 0;
}

int users_lock_organisation(struct db *db, const char *partner_id)
{
    return db_lock_row(db, "partners", partner_id);
}

int users_count_global_admins(struct db *db, const char *partner_id, int64_t *count)
{
    return db_scalar(db, count,
                     "SELECT COUNT(*) FROM users u JOIN user_roles r ON r.user_id = u.id WHERE "
                     "u.partner_id = ? AND u.status = 'active' AND r.role = 'global_admin'",
                     "t", partner_id);
}

#define PARTNER_COLUMNS                                                                            \
    "SELECT id, membership_id, legal_name, country, address_line1, address_line2, postal_code, "   \
    "city, vat_id, locale, currency, require_2fa, created_at, siren, vat_id_status, "              \
    "COALESCE(vat_id_checked_at, 0) FROM partners"

static void partner_read(struct db_stmt *st, struct partner_row *p)
{
    memset(p, 0, sizeof(*p));
    copy(p->id, sizeof(p->id), db_column_text(st, 0));
    copy(p->membership_id, sizeof(p->membership_id), db_column_text(st, 1));
    copy(p->legal_name, sizeof(p->legal_name), db_column_text(st, 2));
    copy(p->country, sizeof(p->country), db_column_text(st, 3));
    copy(p->address_line1, sizeof(p->address_line1), db_column_text(st, 4));
    copy(p->address_line2, sizeof(p->address_line2), db_column_text(st, 5));
    copy(p->postal_code, sizeof(p->postal_code), db_column_text(st, 6));
    copy(p->city, sizeof(p->city), db_column_text(st, 7));
    copy(p->vat_id, sizeof(p->vat_id), db_column_text(st, 8));
    copy(p->locale, sizeof(p->locale), db_column_text(st, 9));
    copy(p->currency, sizeof(p->currency), db_column_text(st, 10));
    p->require_2fa = db_column_int64(st, 11) != 0;
    p->created_at = db_column_int64(st, 12);
    copy(p->siren, sizeof(p->siren), db_column_text(st, 13));
    copy(p->vat_id_status, sizeof(p->vat_id_status), db_column_text(st, 14));
    p->vat_id_checked_at = db_column_int64(st, 15);
}

int partners_find(struct db *db, const char *id, struct partner_row *out)
{
    struct db_stmt *st;
    int rc = db_query(db, &st, PARTNER_COLUMNS " WHERE id = ?", "t", id);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        partner_read(st, out);
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

int partners_page(struct db *db, const struct partners_filter *f, const struct page_request *p,
                  struct partner_row **out, int *count)
{
    struct page_sql q = {0};
    struct db_stmt *st;
    char cond[200], match[WORDS_MAX * (WORD_BYTES + 8)];
    void *rows = NULL;
    int n = 0, cap = 0, rc = 0;
    page_sql_start(&q, PARTNER_COLUMNS " p WHERE 1 = 1");
    page_sql_and_text(&q, "p.membership_id = ?", f->membership_id);
    page_sql_and_text(&q, "p.vat_id = ?", f->vat_id);
    if (f->nwords > 0) {
        const char *words[WORDS_MAX];
        for (int i = 0; i < f->nwords; i++)
            words[i] = f->words[i];
        if ((rc = db_fts_condition(db, "partners", "p", NULL, cond, sizeof(cond))) < 0 ||
            (rc = db_fts_query(db, words, f->nwords, NULL, match, sizeof(match))) < 0) {
            buf_free(&q.sql);
            return rc;
        }
        page_sql_and_text(&q, cond, match);
    }
    page_sql_finish(&q, "p", p);
    if ((rc = page_sql_run(db, &q, &st)) < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        struct partner_row *row = grow(&rows, &n, &cap, sizeof(*row));
        if (row == NULL) {
            rc = PD_E_INTERNAL;
            break;
        }
        partner_read(st, row);
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

int partners_set_siren(struct db *db, const char *id, const char *siren)
{
    int64_t rc = db_run(db, "UPDATE partners SET siren = ? WHERE id = ?", "tt", or_null(siren), id);
    return rc < 0 ? (int)rc : 0;
}

int partners_set_require_2fa(struct db *db, const char *id, bool on)
{
    int64_t rc =
        db_run(db, "UPDATE partners SET require_2fa = ? WHERE id = ?", "it", (int64_t)on, id);
    return rc < 0 ? (int)rc : 0;
}

int partners_membership_taken(struct db *db, const char *membership_id)
{
    int64_t n = 0;
    int rc = db_scalar(db, &n, "SELECT COUNT(*) FROM partners WHERE membership_id = ?", "t",
                       membership_id);
    return rc < 0 ? rc : n > 0;
}
