/* store/users.c - SQL of partners, users and user_roles. */
#include "store/users.h"

#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "core/roles.h"

#include "db/db.h"

int partners_insert(struct db *db, const struct partner_row *p)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO partners (id, membership_id, legal_name, country, "
                        "address_line1, address_line2, postal_code, city, vat_id, locale, "
                        "currency, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, p->id);
    db_bind_text(st, 2, p->membership_id);
    db_bind_text(st, 3, p->legal_name);
    db_bind_text(st, 4, p->country);
    db_bind_text(st, 5, p->address_line1);
    db_bind_text(st, 6, p->address_line2);
    db_bind_text(st, 7, p->postal_code);
    db_bind_text(st, 8, p->city);
    db_bind_text(st, 9, p->vat_id);
    db_bind_text(st, 10, p->locale);
    db_bind_text(st, 11, p->currency);
    db_bind_int64(st, 12, p->created_at);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
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

int users_insert(struct db *db, const struct user_row *u)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO users (id, kind, partner_id, email, name, password_hash, "
                        "locale, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, u->id);
    db_bind_text(st, 2, u->kind);
    db_bind_text(st, 3, u->partner_id);
    db_bind_text(st, 4, u->email);
    db_bind_text(st, 5, u->name);
    db_bind_text(st, 6, u->password_hash);
    db_bind_text(st, 7, u->locale);
    db_bind_int64(st, 8, u->created_at);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int users_add_role(struct db *db, const char *user_id, const char *role)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "INSERT INTO user_roles (user_id, role) VALUES (?, ?)", &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, user_id);
    db_bind_text(st, 2, role);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
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
static int load_roles(struct db *db, struct user_full *out)
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

static int find_user(struct db *db, const char *column, const char *value, struct user_full *out)
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
        out->partner_requires_2fa = (int)db_column_int64(st, 12);
        rc = 1;
    }
    db_finalize(st);
    if (rc == 1 && (rc = load_roles(db, out)) == 0)
        rc = 1;
    return rc;
}

int users_find_by_email(struct db *db, const char *email, struct user_full *out)
{
    return find_user(db, "email", email, out);
}

int users_find(struct db *db, const char *id, struct user_full *out)
{
    return find_user(db, "id", id, out);
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

int users_set_name(struct db *db, const char *id, const char *name, int64_t now)
{
    int64_t rc = db_run(db, "UPDATE users SET name = ?, updated_at = ? WHERE id = ?", "tit", name,
                        now, id);
    return rc < 0 ? (int)rc : 0;
}

int users_set_roles(struct db *db, const char *id, unsigned roles)
{
    static const char *names[] = {"global_admin", "account_admin", "billing_admin", "user",
                                  "support", "finance", "operator"};
    int64_t rc = db_run(db, "DELETE FROM user_roles WHERE user_id = ?", "t", id);
    for (size_t i = 0; rc >= 0 && i < sizeof(names) / sizeof(names[0]); i++)
        if (roles & role_bit(names[i]))
            rc = users_add_role(db, id, names[i]);
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

int users_count_global_admins(struct db *db, const char *partner_id, int64_t *count)
{
    return db_scalar(db, count,
                     "SELECT COUNT(*) FROM users u JOIN user_roles r ON r.user_id = u.id WHERE "
                     "u.partner_id = ? AND u.status <> 'removed' AND r.role = 'global_admin'",
                     "t", partner_id);
}

json_t *user_json(const struct user_full *u)
{
    char created[21];
    return json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:b, s:s?, s:s}", "id", u->id, "email",
                     u->email, "name", u->name, "roles", roles_json(u->roles), "status",
                     u->status, "locale", u->locale, "totp_enabled", u->totp_secret[0] != '\0',
                     "partner_id", u->partner_id[0] ? u->partner_id : NULL, "created_at",
                     instant_format(u->created_at, created));
}

int users_list(struct db *db, const char *partner_id, json_t **items)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT id, kind, email, name, locale, status, totp_secret IS NOT NULL, "
                      "created_at FROM users WHERE partner_id = ? AND status <> 'removed' "
                      "ORDER BY created_at DESC, id DESC",
                      "t", partner_id);
    if (rc < 0)
        return rc;
    json_t *list = json_array(), *by_id = json_object();
    while ((rc = db_step(st)) == DB_ROW) {
        struct user_full u;
        memset(&u, 0, sizeof(u));
        copy(u.id, sizeof(u.id), db_column_text(st, 0));
        copy(u.kind, sizeof(u.kind), db_column_text(st, 1));
        copy(u.partner_id, sizeof(u.partner_id), partner_id);
        copy(u.email, sizeof(u.email), db_column_text(st, 2));
        copy(u.name, sizeof(u.name), db_column_text(st, 3));
        copy(u.locale, sizeof(u.locale), db_column_text(st, 4));
        copy(u.status, sizeof(u.status), db_column_text(st, 5));
        if (db_column_int64(st, 6))
            copy(u.totp_secret, sizeof(u.totp_secret), "set");
        u.created_at = db_column_int64(st, 7);
        json_t *o = user_json(&u);
        json_object_set_new(o, "roles_mask", json_integer(0));
        json_array_append_new(list, o);
        json_object_set(by_id, u.id, o);
    }
    db_finalize(st);
    if (rc >= 0)
        rc = db_query(db, &st,
                      "SELECT r.user_id, r.role FROM user_roles r JOIN users u ON u.id = "
                      "r.user_id WHERE u.partner_id = ? AND u.status <> 'removed'",
                      "t", partner_id);
    if (rc >= 0) {
        while ((rc = db_step(st)) == DB_ROW) {
            json_t *o = json_object_get(by_id, db_column_text(st, 0));
            json_t *mask = json_object_get(o, "roles_mask");
            if (mask)
                json_integer_set(mask, json_integer_value(mask) | role_bit(db_column_text(st, 1)));
        }
        db_finalize(st);
    }
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o) {
        json_object_set_new(o, "roles",
                            roles_json((unsigned)json_integer_value(json_object_get(o, "roles_mask"))));
        json_object_del(o, "roles_mask");
    }
    json_decref(by_id);
    if (rc < 0) {
        json_decref(list);
        return rc;
    }
    *items = list;
    return 0;
}

static const char *partner_cols =
    "SELECT id, membership_id, legal_name, country, address_line1, address_line2, postal_code, "
    "city, vat_id, locale, currency, require_2fa, created_at FROM partners";

static json_t *partner_row_json(struct db_stmt *st)
{
    char created[21];
    return json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s?, s:s, s:s}, s:s?, s:s, s:s, s:b, s:s}",
                     "id", db_column_text(st, 0), "membership_id", db_column_text(st, 1),
                     "legal_name", db_column_text(st, 2), "country", db_column_text(st, 3),
                     "address", "line1", db_column_text(st, 4), "line2", db_column_text(st, 5),
                     "postal_code", db_column_text(st, 6), "city", db_column_text(st, 7),
                     "vat_id", db_column_text(st, 8), "locale", db_column_text(st, 9),
                     "currency", db_column_text(st, 10), "require_2fa",
                     db_column_int64(st, 11) != 0, "created_at",
                     instant_format(db_column_int64(st, 12), created));
}

int partners_get(struct db *db, const char *id, json_t **out)
{
    char sql[512];
    struct db_stmt *st;
    snprintf(sql, sizeof(sql), "%s WHERE id = ?", partner_cols);
    int rc = db_query(db, &st, sql, "t", id);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        *out = partner_row_json(st);
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

int partners_list(struct db *db, json_t **items)
{
    char sql[512];
    struct db_stmt *st;
    snprintf(sql, sizeof(sql), "%s ORDER BY created_at DESC, id DESC", partner_cols);
    int rc = db_query(db, &st, sql, "");
    if (rc < 0)
        return rc;
    *items = json_array();
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(*items, partner_row_json(st));
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int partners_set_require_2fa(struct db *db, const char *id, int on)
{
    int64_t rc = db_run(db, "UPDATE partners SET require_2fa = ? WHERE id = ?", "it",
                        (int64_t)on, id);
    return rc < 0 ? (int)rc : 0;
}

int partners_membership_taken(struct db *db, const char *membership_id)
{
    int64_t n = 0;
    int rc = db_scalar(db, &n, "SELECT COUNT(*) FROM partners WHERE membership_id = ?", "t",
                       membership_id);
    return rc < 0 ? rc : n > 0;
}
