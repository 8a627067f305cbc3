/*
 * service/password_reset.c - "forgot password" (see password_reset.h).
 *
 * Asking must not tell whether an address has an account: the answer is one text, and
 * the work is the same up to the few rows an account adds (the user is looked up, both
 * throttle keys counted and the ask audited either way; no password is hashed on this
 * path). The link's secret is never stored nor queued: the outbox event names the user,
 * and the email's delivery mints the token, kept only as its SHA-256, as an invitation's.
 */
#include "service/password_reset.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/date.h"
#include "core/msg.h"
#include "core/password.h"
#include "db/db.h"
#include "service/audit.h"
#include "service/auth.h"
#include "service/member_checks.h"
#include "service/members.h"
#include "service/outbox.h"
#include "service/settings.h"
#include "service/tx.h"
#include "store/auth.h"
#include "store/outbox.h"
#include "store/users.h"

/* The throttle keys of an ask (struct throttle_keys) are the email asked about and the
 * caller's address, apart from sign-in's: asking for links locks nobody out of signing in.
 * Every ask counts, known address or not: each may send an email. */

/* Ends u's earlier links and queues the email that will carry a new one, to u alone and
 * never to a webhook. */
static int send_reset(struct db *db, const struct user_row *u, int64_t now)
{
    char expires[21];
    struct contact to;
    snprintf(to.email, sizeof(to.email), "%s", u->email);
    snprintf(to.lang, sizeof(to.lang), "%s", u->locale[0] ? u->locale : "fr");
    int rc = password_resets_end_for_user(db, u->id, now);
    if (rc == 0)
        rc = outbox_emit_to(db, u->partner_id[0] ? u->partner_id : NULL, "user.password_reset",
                            json_pack("{s:s, s:s}", "user_id", u->id, "expires_at",
                                      instant_format(now + PASSWORD_RESET_SECONDS, expires)),
                            &to, 1);
    return rc;
}

int password_reset_request(struct db *db, const json_t *body, const char *ip, const char *lang,
                           json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"email", NULL};
    struct checks c = {0};
    struct throttle_keys k;
    struct user_row u;
    char lower[256];
    check_known_keys(&c, body, "", keys);
    const char *email = check_email(&c, body, "email", "email", lower, sizeof(lower));
    int rc = check_done(&c, err);
    if (rc < 0)
        return rc;
    snprintf(k.account, sizeof(k.account), "reset_account:%s", email);
    snprintf(k.address, sizeof(k.address), "reset_address:%s", ip ? ip : "-");
    if ((rc = auth_throttle_check(db, &k, clock_now(), err)) < 0)
        return rc;

    int64_t now = clock_now();
    if ((rc = tx_begin(db, err)) < 0)
        return rc;
    rc = users_find_by_email(db, email, &u);
    /* an invitee sets a first password from their invitation; a removed user has none */
    bool known = rc == 1 && strcmp(u.status, "active") == 0;
    if (rc >= 0)
        rc = auth_throttle_count(db, &k);
    if (rc >= 0 && known)
        rc = send_reset(db, &u, now);
    if (rc >= 0) /* asks about unknown addresses show up too: someone may be trying a list */
        rc = audit(db, NULL, ip, known && u.partner_id[0] ? u.partner_id : NULL,
                   "user.password_reset_requested", "user", known ? u.id : NULL,
                   json_pack("{s:s, s:b}", "email", email, "account", known));
    if ((rc = tx_end(db, rc < 0 ? rc : 0, err)) < 0)
        return rc;
    *out = json_pack("{s:s}", "message", msg_text(MSG_PASSWORD_RESET_SENT, lang));
    return 0;
}

/* The user of a live link, and the password's checks against their email and company:
 * 1 and *u, or a negative status (PD_E_PASSWORD_RESET_INVALID for a dead link). */
static int link_user(struct db *db, const char *token_hash, const char *password,
                     struct user_row *u, struct pd_error *err)
{
    char user_id[32];
    struct partner_row org = {0};
    struct checks c = {0};
    int rc = password_resets_find_live(db, token_hash, clock_now(), user_id, sizeof(user_id));
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc != 1)
        return pd_fail(err, PD_E_PASSWORD_RESET_INVALID, NULL);
    if ((rc = users_find(db, user_id, u)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc != 1 || strcmp(u->status, "active") != 0)
        return pd_fail(err, PD_E_PASSWORD_RESET_INVALID, NULL);
    if (u->partner_id[0] && (rc = partners_find(db, u->partner_id, &org)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    check_password_quality(&c, "password", password, u->email, org.legal_name);
    return check_done(&c, err) < 0 ? err->code : 1;
}

int password_reset_complete(struct db *db, const char *token, const json_t *body, const char *ip,
                            json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"password", NULL};
    struct checks c = {0};
    struct user_row u;
    char token_hash[65], hash[PASSWORD_HASH_BYTES], throttle_key[300];
    check_known_keys(&c, body, "", keys);
    const char *password = check_password(&c, body, "password", "password");
    int rc = check_done(&c, err);
    if (rc < 0)
        return rc;
    sha256_hex(token ? token : "", token_hash);
    /* the link is checked before the slow hash: a dead link costs no Argon2id */
    if ((rc = link_user(db, token_hash, password, &u, err)) < 0)
        return rc;
    if (password_hash(password, hash, sizeof(hash)) < 0)
        return pd_fail(err, PD_E_INTERNAL, "password hashing failed");

    int64_t now = clock_now();
    snprintf(throttle_key, sizeof(throttle_key), "account:%s", u.email);
    if ((rc = tx_begin(db, err)) < 0) {
        secret_wipe(hash, sizeof(hash));
        return rc;
    }
    /* both writes are conditional: a use of this link that ran meanwhile, or a removal,
     * was read above as still to come */
    rc = password_resets_use(db, token_hash, now);
    if (rc > 0)
        rc = users_reset_password(db, u.id, hash, now);
    if (rc == 0)
        rc = pd_fail(err, PD_E_PASSWORD_RESET_INVALID, NULL);
    if (rc > 0) /* the other links of the user: one reset is all it takes */
        rc = password_resets_end_for_user(db, u.id, now);
    /* every way in ends, as with a password change: whoever holds a session or an API
     * token may hold it with the password that was stolen */
    if (rc >= 0)
        rc = sessions_delete_for_user(db, u.id, NULL);
    if (rc >= 0)
        rc = tokens_revoke_for_user(db, u.id, now);
    if (rc >= 0) /* the failures that locked the account were likely the owner's own */
        rc = throttle_reset(db, throttle_key);
    if (rc >= 0)
        rc = audit(db, NULL, ip, u.partner_id[0] ? u.partner_id : NULL, "user.password_reset",
                   "user", u.id, json_pack("{s:s}", "email", u.email));
    secret_wipe(hash, sizeof(hash));
    if ((rc = tx_end(db, rc < 0 ? rc : 0, err)) < 0)
        return rc;
    *out = members_user_view(&u);
    return 0;
}

void password_reset_email_link(struct db *db, const char *portal_url, json_t *payload)
{
    const char *user_id = json_string_value(json_object_get(payload, "user_id"));
    const char *expires = json_string_value(json_object_get(payload, "expires_at"));
    int64_t expires_at, now = clock_now();
    if (user_id == NULL || expires == NULL || instant_parse(expires, &expires_at) < 0)
        return;
    char token[65], hash[65], link[SETTING_TEXT_SIZE + 80];
    random_hex(32, token);
    sha256_hex(token, hash);
    /* two statements, as an invitation's one: were the second to fail, the user has no
     * live link and the email none either, and asks again */
    if (password_resets_end_for_user(db, user_id, now) == 0 &&
        password_resets_insert(db, hash, user_id, now, expires_at) == 0) {
        snprintf(link, sizeof(link), "%s/mot-de-passe/%s", portal_url, token);
        json_object_set_new(payload, "link", json_string(link));
        secret_wipe(link, sizeof(link));
    }
    secret_wipe(token, sizeof(token));
}
