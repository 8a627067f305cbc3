/*
 * store/users.h - SQL of partner organisations, users and their roles.
 */
#ifndef PD_STORE_USERS_H
#define PD_STORE_USERS_H

#include <stdint.h>

struct db;

struct partner_row {
    char id[32];
    char membership_id[8];
    const char *legal_name;
    const char *country;
    const char *address_line1;
    const char *address_line2; /* may be NULL */
    const char *postal_code;
    const char *city;
    const char *vat_id; /* may be NULL */
    const char *locale;
    const char *currency;
    int64_t created_at;
};

struct user_row {
    char id[32];
    const char *kind;       /* "partner" or "staff" */
    const char *partner_id; /* NULL for staff */
    const char *email;      /* lower case */
    const char *name;
    const char *password_hash;
    const char *locale;
    int64_t created_at;
};

/* Inserts a partner; PD_E_DB_CONSTRAINT when its membership ID is taken. */
int partners_insert(struct db *db, const struct partner_row *p);

/* Number of partner organisations (for demo data and metrics). */
int partners_count(struct db *db, int64_t *count);

/* Inserts a user; PD_E_DB_CONSTRAINT when the email is taken. */
int users_insert(struct db *db, const struct user_row *u);

/* Grants a role to a user. */
int users_add_role(struct db *db, const char *user_id, const char *role);

/* 1 when a user has this (lower-case) email, 0 when not, or a negative status. */
int users_email_exists(struct db *db, const char *email);

#endif
