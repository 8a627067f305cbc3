/*
 * store/users.h - SQL of partner organisations, users and their roles.
 */
#ifndef PD_STORE_USERS_H
#define PD_STORE_USERS_H

#include <jansson.h>
#include <stdint.h>
#include <stddef.h>

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

/* A user as sign-in and user management need it. */
struct user_full {
    char id[32];
    char kind[8];
    char partner_id[32];
    char email[256];
    char name[256];
    char password_hash[160];
    char locale[3];
    char status[8];
    char totp_secret[64];
    char totp_pending_secret[64];
    int64_t totp_last_step;
    int64_t created_at;
    unsigned roles;
    int partner_requires_2fa;
};

/* 1 and *out when found, 0 when not. Removed users are found too: check status. */
int users_find_by_email(struct db *db, const char *email, struct user_full *out);
int users_find(struct db *db, const char *id, struct user_full *out);

int users_set_password(struct db *db, const char *id, const char *hash, int64_t now);
int users_set_status(struct db *db, const char *id, const char *status, int64_t now);
int users_set_name(struct db *db, const char *id, const char *name, int64_t now);
/* Replaces the user's roles by the mask's. */
int users_set_roles(struct db *db, const char *id, unsigned roles);
/* Stores the TOTP state; NULL clears a secret. */
int users_set_totp(struct db *db, const char *id, const char *secret, const char *pending,
                   int64_t last_step);
/* Global admins of an organisation that are not removed. */
int users_count_global_admins(struct db *db, const char *partner_id, int64_t *count);
/* The organisation's users (not removed), as API objects, newest first. */
int users_list(struct db *db, const char *partner_id, json_t **items);
/* The API object of a user. */
json_t *user_json(const struct user_full *u);

/* The API object of a partner, or 0 / negative. 1 when found. */
int partners_get(struct db *db, const char *id, json_t **out);
/* Every partner, newest first (staff). */
int partners_list(struct db *db, json_t **items);
int partners_set_require_2fa(struct db *db, const char *id, int on);
/* 1 when the membership ID is taken. */
int partners_membership_taken(struct db *db, const char *membership_id);

#endif
