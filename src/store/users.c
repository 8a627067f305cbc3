/* store/users.c - SQL of partners, users and user_roles. */
#include "store/users.h"

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
