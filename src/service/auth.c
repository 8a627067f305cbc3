/*
 * service/auth.c - sign-in, sessions, tokens, passwords, second factor.
 *
 * Password checks run outside any transaction: Argon2id takes tens of milliseconds and
 * SQLite's write lock must not wait for it. The writes that follow (throttle counters,
 * the session, the audit event) are one short transaction.
 */
#include "service/auth.h"

#include <liboath/oath.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/password.h"
#include "core/date.h"
#include "core/text.h"
#include "db/db.h"
#include "service/accounts.h"
#include "service/audit.h"
#include "service/members.h"
#include "service/settings.h"
#include "service/tx.h"
#include "store/auth.h"
#include "store/users.h"

#define TOTP_STEP 30
#define RECOVERY_CODES 10

static char dummy_hash[PASSWORD_HASH_BYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

/* A hash of a random password, verified against when the email is unknown so that an
 * unknown account costs the same time as a wrong password. */
static void make_dummy_hash(void)
{
    char pw[33];
    random_hex(16, pw);
    if (password_hash(pw, dummy_hash, sizeof(dummy_hash)) < 0)
        dummy_hash[0] = '\0';
    oath_init();
}

int auth_load_principal(struct db *db, const char *user_id, struct principal *out)
{
    struct user_row u;
    int rc = users_find(db, user_id, &u);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return PD_E_NOT_FOUND;
    principal_of_user(&u, out);
    return 0;
}

/* The user of the caller, for a change of their own password or second factor. */
static int own_row(struct db *db, const struct principal *who, struct user_row *u,
                   struct pd_error *err)
{
    int rc = users_find(db, who->user_id, u);
    return rc <= 0 ? pd_fail(err, rc < 0 ? rc : PD_E_NOT_FOUND, NULL) : 0;
}

/* Checks a TOTP code against a base32 secret at now. Returns the time step it matched
 * (> last_step, so a code is never accepted twice), or -1. */
static int64_t totp_check(const char *secret_b32, const char *code, int64_t now, int64_t last_step)
{
    char *secret = NULL;
    size_t len = 0;
    int pos = 0;
    if (code == NULL || strlen(code) != 6 || secret_b32[0] == '\0')
        return -1;
    for (const char *c = code; *c; c++)
        if (*c < '0' || *c > '9')
            return -1;
    if (oath_base32_decode(secret_b32, strlen(secret_b32), &secret, &len) != OATH_OK)
        return -1;
    int rc = oath_totp_validate2(secret, len, (time_t)now, TOTP_STEP, 0, 1, &pos, code);
    secret_wipe(secret, len);
    free(secret);
    if (rc < 0)
        return -1;
    int64_t step = now / TOTP_STEP + pos;
    return step > last_step ? step : -1;
}

/* Recovery codes are compared without dashes or case. */
static void recovery_hash(const char *code, char out[65])
{
    char norm[64];
    size_t n = 0;
    for (const char *c = code; *c && n + 1 < sizeof(norm); c++)
        if (*c != '-' && *c != ' ')
            norm[n++] = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
    norm[n] = '\0';
    sha256_hex(norm, out);
}

int auth_throttle_count(struct db *db, const struct throttle_keys *k)
{
    struct settings s;
    int64_t now = clock_now();
    int rc = settings_load(db, &s);
    if (rc == 0)
        rc = throttle_fail(db, k->account, now, s.auth_window_seconds, s.auth_account_max_failures,
                           s.auth_lock_seconds);
    if (rc == 0)
        rc = throttle_fail(db, k->address, now, s.auth_window_seconds, s.auth_address_max_failures,
                           s.auth_lock_seconds);
    return rc;
}

/* Records a failed attempt (throttle and audit) and answers with code. */
static int sign_in_failed(struct db *db, const struct user_row *u, const char *email,
                          const char *ip, const struct throttle_keys *k, enum pd_status code,
                          struct pd_error *err)
{
    int rc = tx_begin(db, err);
    if (rc < 0)
        return rc;
    rc = auth_throttle_count(db, k);
    if (rc == 0)
        rc = audit(db, NULL, ip, u && u->partner_id[0] ? u->partner_id : NULL,
                   "session.sign_in_failed", "user", u ? u->id : NULL,
                   json_pack("{s:s, s:s}", "email", email, "reason", pd_status_code(code)));
    if ((rc = tx_end(db, rc, err)) < 0)
        return rc;
    return pd_fail(err, code, NULL);
}

int auth_throttle_check(struct db *db, const struct throttle_keys *k, int64_t now,
                        struct pd_error *err)
{
    int64_t retry = 0, retry_ip = 0;
    int rc;
    if ((rc = throttle_locked(db, k->account, now, &retry)) < 0 ||
        (rc = throttle_locked(db, k->address, now, &retry_ip)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (retry == 0 && retry_ip == 0)
        return 0;
    pd_fail(err, PD_E_TOO_MANY_ATTEMPTS, NULL);
    pd_error_detail(err, "retry_after", json_integer(retry > retry_ip ? retry : retry_ip));
    return PD_E_TOO_MANY_ATTEMPTS;
}

/* Opens the session of a user whose password (and TOTP code, step > 0) matched: uses the
 * recovery code when one was given, resets the account's throttle and records the event.
 * *bad_code is set when the recovery code matched nothing, or when the TOTP code's step was
 * used meanwhile (then nothing is written). */
static int open_session(struct db *db, const struct sign_in_request *in, const struct user_row *u,
                        const struct throttle_keys *k, int64_t step, bool *bad_code,
                        struct sign_in_result *out, struct pd_error *err)
{
    char session_id[32], token_hash[65], csrf[65];
    int64_t now = clock_now();
    bool used_recovery = step == 0 && u->totp_secret[0];
    id_new("ses", session_id, sizeof(session_id));
    random_hex(32, out->session_token);
    random_hex(32, csrf);
    sha256_hex(out->session_token, token_hash);
    principal_of_user(u, &out->who);
    snprintf(out->who.session_id, sizeof(out->who.session_id), "%s", session_id);
    snprintf(out->who.csrf_token, sizeof(out->who.csrf_token), "%s", csrf);

    int rc = tx_begin(db, err);
    if (rc < 0)
        return rc;
    if (used_recovery) {
        char code_hash[65];
        recovery_hash(in->recovery_code, code_hash);
        rc = recovery_use(db, u->id, code_hash, now);
        *bad_code = rc == 0;
        if (*bad_code) /* nothing was written: the commit below ends an empty transaction */
            return tx_end(db, 0, err);
    }
    if (rc >= 0 && step > 0) {
        /* the step was checked before this transaction: two sign-ins with one code may
         * both have passed it, and only the first to record it opens a session */
        rc = users_claim_totp_step(db, u->id, u->totp_secret, step);
        *bad_code = rc == 0;
        if (*bad_code)
            return tx_end(db, 0, err);
    }
    if (rc >= 0)
        rc = throttle_reset(db, k->account);
    if (rc >= 0)
        rc = sessions_insert(db, session_id, token_hash, u->id, csrf, now,
                             now + SESSION_MAX_SECONDS, in->ip ? in->ip : "-");
    if (rc >= 0)
        rc = audit(db, &out->who, in->ip, NULL, "session.created", "user", u->id,
                   used_recovery ? json_pack("{s:b}", "recovery_code", 1) : NULL);
    return tx_end(db, rc, err);
}

int auth_sign_in(struct db *db, const struct sign_in_request *in, struct sign_in_result *out,
                 struct pd_error *err)
{
    char email[256];
    struct throttle_keys k;
    struct user_row u;
    int64_t now = clock_now();

    pthread_once(&dummy_once, make_dummy_hash);
    if (in->email == NULL || in->password == NULL)
        return pd_fail(err, PD_E_INVALID_CREDENTIALS, NULL);
    text_lower(in->email, email, sizeof(email));
    snprintf(k.account, sizeof(k.account), "account:%s", email);
    snprintf(k.address, sizeof(k.address), "address:%s", in->ip ? in->ip : "-");
    int rc = auth_throttle_check(db, &k, now, err);
    if (rc < 0)
        return rc;

    rc = users_find_by_email(db, email, &u);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    bool known = rc == 1 && strcmp(u.status, "active") == 0 && u.password_hash[0];
    bool ok = password_verify(known ? u.password_hash : dummy_hash, in->password) == 0 && known;
    if (!ok)
        return sign_in_failed(db, rc == 1 ? &u : NULL, email, in->ip, &k, PD_E_INVALID_CREDENTIALS,
                              err);

    int64_t step = 0;
    if (u.totp_secret[0]) {
        bool has_totp = in->totp_code && *in->totp_code;
        if (!has_totp && (in->recovery_code == NULL || !*in->recovery_code))
            return pd_fail(err, PD_E_SECOND_FACTOR_REQUIRED, NULL);
        if (has_totp &&
            (step = totp_check(u.totp_secret, in->totp_code, now, u.totp_last_step)) < 0)
            return sign_in_failed(db, &u, email, in->ip, &k, PD_E_INVALID_SECOND_FACTOR, err);
    }
    bool bad_code = false;
    if ((rc = open_session(db, in, &u, &k, step, &bad_code, out, err)) < 0)
        return rc;
    if (bad_code) {
        secret_wipe(out, sizeof(*out));
        return sign_in_failed(db, &u, email, in->ip, &k, PD_E_INVALID_SECOND_FACTOR, err);
    }
    return 0;
}

int auth_session(struct db *db, const char *token, struct principal *out, struct pd_error *err)
{
    char hash[65];
    struct session_row s;
    int64_t now = clock_now();
    if (token == NULL || strlen(token) != 64)
        return pd_fail(err, PD_E_UNAUTHENTICATED, NULL);
    sha256_hex(token, hash);
    int rc = sessions_find(db, hash, &s);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc == 0)
        return pd_fail(err, PD_E_UNAUTHENTICATED, NULL);
    if (now >= s.expires_at || now - s.last_seen_at > SESSION_IDLE_SECONDS) {
        sessions_delete(db, s.id);
        return pd_fail(err, PD_E_SESSION_EXPIRED, NULL);
    }
    struct user_row u;
    rc = users_find(db, s.user_id, &u);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc == 0 || strcmp(u.status, "active") != 0) {
        sessions_delete(db, s.id);
        return pd_fail(err, PD_E_UNAUTHENTICATED, NULL);
    }
    if (now - s.last_seen_at >= 60) /* one write a minute at most */
        sessions_touch(db, s.id, now);
    principal_of_user(&u, out);
    snprintf(out->session_id, sizeof(out->session_id), "%s", s.id);
    snprintf(out->csrf_token, sizeof(out->csrf_token), "%s", s.csrf_token);
    return 0;
}

int auth_api_token(struct db *db, const char *token, struct principal *out, struct pd_error *err)
{
    char hash[65];
    struct token_row t;
    int64_t now = clock_now();
    if (token == NULL || strncmp(token, "pdt_", 4) != 0 || strlen(token) != 68)
        return pd_fail(err, PD_E_UNAUTHENTICATED, NULL);
    sha256_hex(token, hash);
    int rc = tokens_find(db, hash, &t);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc == 0 || t.revoked)
        return pd_fail(err, PD_E_UNAUTHENTICATED, NULL);
    struct user_row u;
    rc = users_find(db, t.user_id, &u);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc == 0 || strcmp(u.status, "active") != 0)
        return pd_fail(err, PD_E_UNAUTHENTICATED, NULL);
    if (now - t.last_used_at >= 60)
        tokens_touch(db, t.id, now);
    principal_of_user(&u, out);
    snprintf(out->api_token_id, sizeof(out->api_token_id), "%s", t.id);
    return 0;
}

int auth_sign_out(struct db *db, const struct principal *who, const char *ip, struct pd_error *err)
{
    if (who->session_id[0] == '\0') {
        /* an API token has no session to end: it is revoked (DELETE /api-tokens/{id}) */
        pd_fail(err, PD_E_INVALID_REQUEST, "not signed in with a session");
        pd_error_detail(err, "problem", pd_problem(MSG_SIGN_OUT_API_TOKEN, NULL, 0));
        return PD_E_INVALID_REQUEST;
    }
    int rc = tx_begin(db, err);
    if (rc < 0)
        return rc;
    rc = sessions_delete(db, who->session_id);
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "session.ended", "user", who->user_id, NULL);
    return tx_end(db, rc, err);
}

int auth_me(struct db *db, const struct principal *who, json_t **out, struct pd_error *err)
{
    struct partner_row p;
    int found = 0;
    if (who->partner_id[0] && (found = partners_find(db, who->partner_id, &p)) < 0)
        return pd_fail(err, PD_E_DB, "%s", db_errmsg(db));
    json_t *user = principal_view(who);
    json_object_set_new(user, "totp_enabled", json_boolean(who->totp_enabled));
    /* the session's CSRF token again, for a page opened anew: only a page of this origin
     * can read this answer (no CORS), which is what the token proves */
    char today[DATE_STRLEN];
    *out = json_pack("{s:o, s:o, s:b, s:s, s:s?, s:s}", "user", user, "partner",
                     found == 1 ? members_partner_view(&p) : json_null(),
                     "second_factor_enrolment_required", who->must_enrol_2fa, "authenticated_by",
                     who->session_id[0] ? "session" : "api_token", "csrf_token",
                     who->session_id[0] ? who->csrf_token : NULL, "today",
                     date_format(clock_today(), today));
    return 0;
}

/* Checks the password of a signed-in user before a sensitive change, throttled like a
 * sign-in: a stolen session may not guess the password at leisure. 0 when it matches. */
static int password_confirmed(struct db *db, const struct user_row *u, const char *ip,
                              const char *password, const char *field, struct pd_error *err)
{
    struct throttle_keys k;
    snprintf(k.account, sizeof(k.account), "account:%s", u->email);
    snprintf(k.address, sizeof(k.address), "address:%s", ip ? ip : "-");
    int rc = auth_throttle_check(db, &k, clock_now(), err);
    if (rc < 0)
        return rc;
    if (password != NULL && password_verify(u->password_hash, password) == 0)
        return 0;
    if ((rc = tx_begin(db, err)) < 0)
        return rc;
    rc = auth_throttle_count(db, &k);
    if ((rc = tx_end(db, rc, err)) < 0)
        return rc;
    return pd_fail_field(err, PD_E_INVALID_REQUEST, field, MSG_FIELD_WRONG_PASSWORD, NULL);
}

int auth_change_password(struct db *db, const struct principal *who, const char *ip,
                         const char *current, const char *next, struct pd_error *err)
{
    struct user_row u;
    struct partner_row org = {0};
    char hash[PASSWORD_HASH_BYTES];
    int rc = own_row(db, who, &u, err);
    if (rc < 0)
        return rc;
    if ((rc = password_confirmed(db, &u, ip, current, "current_password", err)) < 0)
        return rc;
    if (!password_length_valid(next))
        return pd_fail_field(err, PD_E_INVALID_REQUEST, "new_password", MSG_FIELD_PASSWORD_LENGTH,
                             NULL);
    if (u.partner_id[0] && (rc = partners_find(db, u.partner_id, &org)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    enum password_verdict v = password_judge(next, u.email, org.legal_name);
    if (v != PASSWORD_OK)
        return pd_fail_field(
            err, PD_E_INVALID_REQUEST, "new_password",
            v == PASSWORD_COMMON ? MSG_FIELD_PASSWORD_COMMON : MSG_FIELD_PASSWORD_PERSONAL, NULL);
    if (password_hash(next, hash, sizeof(hash)) < 0)
        return pd_fail(err, PD_E_INTERNAL, "password hashing failed");
    if ((rc = tx_begin(db, err)) < 0)
        return rc;
    rc = users_set_password(db, who->user_id, hash, clock_now());
    if (rc >= 0) /* a stolen session or token must not survive a password change */
        rc =
            sessions_delete_for_user(db, who->user_id, who->session_id[0] ? who->session_id : NULL);
    if (rc >= 0)
        rc = tokens_revoke_for_user(db, who->user_id, clock_now());
    if (rc >= 0) /* a reset link asked before would undo the change it did not know of */
        rc = password_resets_end_for_user(db, who->user_id, clock_now());
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "user.password_changed", "user", who->user_id, NULL);
    secret_wipe(hash, sizeof(hash));
    return tx_end(db, rc, err);
}

int auth_token_create(struct db *db, const struct principal *who, const char *ip, const char *name,
                      json_t **out, struct pd_error *err)
{
    char id[32], token[72], secret[65], hash[65], created[21];
    if (!text_line_valid(name, 100))
        return pd_fail_field(err, PD_E_INVALID_REQUEST, "name", MSG_FIELD_TEXT_LINE, "100");
    id_new("tok", id, sizeof(id));
    random_hex(32, secret);
    snprintf(token, sizeof(token), "pdt_%s", secret);
    sha256_hex(token, hash);
    secret_wipe(secret, sizeof(secret));
    int64_t now = clock_now();
    int rc = tx_begin(db, err);
    if (rc < 0) {
        secret_wipe(token, sizeof(token));
        return rc;
    }
    rc = tokens_insert(db, id, hash, who->user_id, name, now);
    if (rc == 0)
        rc = audit(db, who, ip, NULL, "api_token.created", "api_token", id,
                   json_pack("{s:s}", "name", name));
    if ((rc = tx_end(db, rc, err)) == 0)
        *out = json_pack("{s:s, s:s, s:s, s:s}", "id", id, "token", token, "name", name,
                         "created_at", instant_format(now, created));
    secret_wipe(token, sizeof(token));
    return rc;
}

/* The API object of a token (never its value). */
static json_t *token_view(const struct token_row *t)
{
    char created[21], used[DATE_STRLEN];
    return json_pack("{s:s, s:s, s:s, s:o, s:b}", "id", t->id, "name", t->name, "created_at",
                     instant_format(t->created_at, created), "last_used_on",
                     t->last_used_at
                         ? json_string(date_format(date_of_instant(t->last_used_at), used))
                         : json_null(),
                     "revoked", t->revoked != 0);
}

int auth_token_list(struct db *db, const struct principal *who, const struct page_in *page,
                    json_t **items, char next[CURSOR_TEXT_MAX], struct pd_error *err)
{
    struct token_row *rows = NULL;
    struct checks c = {0};
    struct page_request p;
    int n = 0;
    page_check(&c, page, &p);
    if (page_checks_done(&c, err) < 0)
        return err->code;
    int rc = tokens_list(db, who->user_id, &p, &rows, &n);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    int shown = page_shown(&p, n);
    *items = json_array();
    for (int i = 0; i < shown; i++)
        json_array_append_new(*items, token_view(&rows[i]));
    page_next(&p, n, shown ? rows[shown - 1].created_at : 0, shown ? rows[shown - 1].id : NULL,
              next);
    free(rows);
    return 0;
}

int auth_token_revoke(struct db *db, const struct principal *who, const char *ip, const char *id,
                      struct pd_error *err)
{
    int rc = tx_begin(db, err);
    if (rc < 0)
        return rc;
    rc = tokens_revoke(db, id, who->user_id, clock_now());
    if (rc == 0)
        rc = pd_fail(err, PD_E_NOT_FOUND, NULL);
    if (rc > 0)
        rc = audit(db, who, ip, NULL, "api_token.revoked", "api_token", id, NULL);
    return tx_end(db, rc, err);
}

int auth_totp_begin(struct db *db, const struct principal *who, json_t **out, struct pd_error *err)
{
    unsigned char raw[20];
    char *b32 = NULL;
    size_t len = 0;
    struct user_row u;
    pthread_once(&dummy_once, make_dummy_hash);
    int rc = own_row(db, who, &u, err);
    if (rc < 0)
        return rc;
    if (u.totp_secret[0])
        return pd_fail(err, PD_E_SECOND_FACTOR_ALREADY_ON, NULL);
    random_bytes(raw, sizeof(raw));
    rc = oath_base32_encode((const char *)raw, sizeof(raw), &b32, &len);
    secret_wipe(raw, sizeof(raw));
    if (rc != OATH_OK)
        return pd_fail(err, PD_E_INTERNAL, "base32");
    rc = users_set_totp(db, u.id, NULL, b32, u.totp_last_step);
    if (rc < 0) {
        free(b32);
        return pd_fail(err, rc, "%s", db_errmsg(db));
    }
    char uri[512];
    snprintf(uri, sizeof(uri),
             "otpauth://totp/partnerd:%s?secret=%s&issuer=partnerd&digits=6&period=30", u.email,
             b32);
    *out = json_pack("{s:s, s:s}", "secret", b32, "otpauth_uri", uri);
    free(b32);
    return 0;
}

int auth_totp_confirm(struct db *db, const struct principal *who, const char *ip, const char *code,
                      json_t **out, struct pd_error *err)
{
    struct user_row u;
    pthread_once(&dummy_once, make_dummy_hash);
    int rc = own_row(db, who, &u, err);
    if (rc < 0)
        return rc;
    if (u.totp_pending_secret[0] == '\0')
        return pd_fail(err, PD_E_NO_ENROLMENT_IN_PROGRESS, NULL);
    int64_t step = totp_check(u.totp_pending_secret, code, clock_now(), 0);
    if (step < 0)
        return pd_fail(err, PD_E_INVALID_SECOND_FACTOR, NULL);

    if ((rc = tx_begin(db, err)) < 0)
        return rc;
    json_t *codes = json_array();
    rc = users_set_totp(db, u.id, u.totp_pending_secret, NULL, step);
    if (rc >= 0)
        rc = recovery_delete_for_user(db, u.id);
    for (int i = 0; rc >= 0 && i < RECOVERY_CODES; i++) {
        char hex[11], code_text[16], hash[65];
        random_hex(5, hex); /* 40 bits each */
        snprintf(code_text, sizeof(code_text), "%.5s-%.5s", hex, hex + 5);
        recovery_hash(code_text, hash);
        rc = recovery_insert(db, u.id, hash);
        json_array_append_new(codes, json_string(code_text));
    }
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "user.second_factor_enabled", "user", u.id, NULL);
    if ((rc = tx_end(db, rc, err)) < 0) {
        json_decref(codes);
        return rc;
    }
    *out = json_pack("{s:o}", "recovery_codes", codes);
    return 0;
}

int auth_totp_disable(struct db *db, const struct principal *who, const char *ip,
                      const char *password, struct pd_error *err)
{
    struct user_row u;
    int rc = own_row(db, who, &u, err);
    if (rc < 0)
        return rc;
    /* nothing to turn off: said plainly, and no "disabled" event for what was never on */
    if (u.totp_secret[0] == '\0')
        return pd_fail(err, PD_E_SECOND_FACTOR_OFF, NULL);
    if (u.partner_requires_2fa)
        return pd_fail(err, PD_E_SECOND_FACTOR_MANDATORY, NULL);
    if ((rc = password_confirmed(db, &u, ip, password, "password", err)) < 0)
        return rc;
    if ((rc = tx_begin(db, err)) < 0)
        return rc;
    rc = users_set_totp(db, u.id, NULL, NULL, u.totp_last_step);
    if (rc >= 0)
        rc = recovery_delete_for_user(db, u.id);
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "user.second_factor_disabled", "user", u.id, NULL);
    return tx_end(db, rc, err);
}
