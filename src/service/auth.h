/*
 * service/auth.h - signing in and out, sessions, API tokens, passwords and the second
 * factor. Each function is one use case; those that change data are one transaction.
 *
 * Sessions: a random 256-bit token in an HttpOnly cookie, stored as its SHA-256; idle
 * after 30 minutes, ended after 12 hours. API tokens: shown once, stored as SHA-256.
 * Failed sign-ins are throttled per account and per client address (settings
 * auth.account_max_failures, auth.address_max_failures, auth.window_seconds,
 * auth.lock_seconds).
 */
#ifndef PD_SERVICE_AUTH_H
#define PD_SERVICE_AUTH_H

#include <jansson.h>
#include <stdint.h>

#include "core/error.h"
#include "service/page.h"
#include "service/principal.h"

struct db;

#define SESSION_IDLE_SECONDS ((int64_t)30 * 60)
#define SESSION_MAX_SECONDS ((int64_t)12 * 60 * 60)

struct sign_in_request {
    const char *email;
    const char *password;
    const char *totp_code;     /* may be NULL */
    const char *recovery_code; /* may be NULL */
    const char *ip;
};

struct sign_in_result {
    char session_token[65]; /* goes into the cookie; never stored or logged */
    struct principal who;
};

/* The two throttle keys a try counts against: one of the account (or the email asked
 * about), one of the client address (store/auth.h throttle_*: their prefixes keep sign-in's apart
 * from other uses). */
struct throttle_keys {
    char account[300], address[100];
};

/* Counts one try against both keys, within the auth.* settings' window and limits. */
int auth_throttle_count(struct db *db, const struct throttle_keys *k);

/* PD_E_TOO_MANY_ATTEMPTS with details.retry_after while either key is locked at now. */
int auth_throttle_check(struct db *db, const struct throttle_keys *k, int64_t now,
                        struct pd_error *err);

/* Signs in. Errors: PD_E_INVALID_CREDENTIALS (same answer and cost for an unknown email
 * as for a wrong password), PD_E_SECOND_FACTOR_REQUIRED, PD_E_INVALID_SECOND_FACTOR,
 * PD_E_TOO_MANY_ATTEMPTS (details.retry_after seconds). */
int auth_sign_in(struct db *db, const struct sign_in_request *in, struct sign_in_result *out,
                 struct pd_error *err);

/* The principal of a session cookie's token. PD_E_UNAUTHENTICATED or
 * PD_E_SESSION_EXPIRED when it is not (or no longer) valid. */
int auth_session(struct db *db, const char *token, struct principal *out, struct pd_error *err);

/* The principal of a bearer API token. */
int auth_api_token(struct db *db, const char *token, struct principal *out, struct pd_error *err);

/* Ends the caller's session; PD_E_INVALID_REQUEST when they called with an API token. */
int auth_sign_out(struct db *db, const struct principal *who, const char *ip, struct pd_error *err);

/* What the portal needs of the caller: *out {"user","partner","second_factor_enrolment_
 * required","authenticated_by","csrf_token","today"}. */
int auth_me(struct db *db, const struct principal *who, json_t **out, struct pd_error *err);

/* Changes the caller's password and ends the user's other sessions. */
int auth_change_password(struct db *db, const struct principal *who, const char *ip,
                         const char *current, const char *next, struct pd_error *err);

/* Creates an API token for the caller: *out {"id","token","name","created_at"}. */
int auth_token_create(struct db *db, const struct principal *who, const char *ip, const char *name,
                      json_t **out, struct pd_error *err);

/* A page of the caller's tokens (never their value), newest first (service/page.h). */
int auth_token_list(struct db *db, const struct principal *who, const struct page_in *page,
                    json_t **items, char next[CURSOR_TEXT_MAX], struct pd_error *err);

/* Revokes one of the caller's tokens; PD_E_NOT_FOUND when it has no such live token. */
int auth_token_revoke(struct db *db, const struct principal *who, const char *ip, const char *id,
                      struct pd_error *err);

/* Starts TOTP enrolment: *out {"secret" (base32), "otpauth_uri"};
 * PD_E_SECOND_FACTOR_ALREADY_ON when it is on. */
int auth_totp_begin(struct db *db, const struct principal *who, json_t **out, struct pd_error *err);

/* Confirms enrolment with a code from the app: *out {"recovery_codes":[10 codes]};
 * PD_E_NO_ENROLMENT_IN_PROGRESS when none was begun. */
int auth_totp_confirm(struct db *db, const struct principal *who, const char *ip, const char *code,
                      json_t **out, struct pd_error *err);

/* Turns the second factor off (password required); PD_E_SECOND_FACTOR_OFF when it is not
 * on, PD_E_SECOND_FACTOR_MANDATORY when the organisation requires it. */
int auth_totp_disable(struct db *db, const struct principal *who, const char *ip,
                      const char *password, struct pd_error *err);

/* The principal of a user id (after sign-in, for /me). */
int auth_load_principal(struct db *db, const char *user_id, struct principal *out);

#endif
