/*
 * service/accounts.h - creating the people who sign in: staff, and the demo data set.
 *
 * Each function is one transaction: it commits everything or nothing.
 */
#ifndef PD_ACCOUNTS_H
#define PD_ACCOUNTS_H

#include "core/error.h"
#include "core/password.h" /* PASSWORD_MIN, PASSWORD_MAX: characters */

struct db;

struct user_row;

/* Creates a staff account with one role ("support", "finance" or "operator"), or brings
 * back the removed staff account of this email with that name, role and password. The
 * password is hashed with Argon2id; it is never stored or logged in clear.
 * Errors: PD_E_INVALID_REQUEST (which field in err->details), PD_E_CONFLICT (email). */
int staff_add(struct db *db, const char *email, const char *name, const char *role,
              const char *password, struct pd_error *err);

/* Removes a staff account: it can no longer sign in, its sessions end and its API tokens
 * are refused. Errors: PD_E_NOT_FOUND (no staff account of this email, or removed). */
int staff_remove(struct db *db, const char *email, struct pd_error *err);

/* Every staff account, removed ones included, by email (*out malloc'd: free()). */
int staff_list(struct db *db, struct user_row **out, int *count, struct pd_error *err);

/* A demo login for `make run`. */
struct demo_login {
    const char *email;
    const char *roles;
};

/* The demo password every demo account shares (local trial only). */
#define DEMO_PASSWORD "partnerd-demo-2027"

/* Loads the demo data set when the database has no partner yet: one French partner with
 * a global admin and a billing admin, two certified people and an Action Pack order
 * awaiting its wire transfer, and one staff account per staff role.
 * *created is 1 when it loaded, 0 when the database already had data. */
int demo_load(struct db *db, int *created, struct pd_error *err);

/* The demo logins, ending with a zeroed entry. */
extern const struct demo_login demo_logins[];

#endif
