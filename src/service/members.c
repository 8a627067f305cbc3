/* service/members.c - joining the network, inviting and managing users. */
#include "service/members.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/country.h"
#include "core/crypto.h"
#include "core/date.h"
#include "core/text.h"
#include "db/db.h"
#include "service/accounts.h"
#include "service/audit.h"
#include "service/outbox.h"
#include "store/outbox.h"
#include "service/settings.h"
#include "service/validate.h"
#include "store/auth.h"
#include "store/users.h"

/* Finishes a transaction: commit on success, roll back and fill err otherwise. */
static int finish(struct db *db, int rc, struct pd_error *err)
{
    if (rc >= 0 && (rc = db_commit(db)) >= 0)
        return 0;
    db_rollback(db);
    if (err->code == PD_OK)
        pd_fail(err, rc, "%s", db_errmsg(db));
    return err->code;
}

static const char *check_password(struct checks *c, const json_t *obj, const char *key,
                                  const char *field)
{
    json_t *v = json_object_get(obj, key);
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    if (s == NULL || strlen(s) < PASSWORD_MIN || strlen(s) > PASSWORD_MAX) {
        check_fail(c, field, MSG_FIELD_PASSWORD_LENGTH);
        return NULL;
    }
    return s;
}

static const char *check_email(struct checks *c, const json_t *obj, const char *key,
                               const char *field, char *lower, size_t n)
{
    const char *s = check_text(c, obj, key, field, true, 254);
    if (s && !text_email_valid(s)) {
        check_fail(c, field, MSG_FIELD_EMAIL);
        return NULL;
    }
    if (s)
        text_lower(s, lower, n);
    return s ? lower : NULL;
}

static const char *check_locale(struct checks *c, const json_t *obj, const char *field)
{
    json_t *v = json_object_get(obj, "locale");
    if (v == NULL)
        return "fr";
    const char *s = json_is_string(v) ? json_string_value(v) : "";
    if (strcmp(s, "fr") != 0 && strcmp(s, "en") != 0) {
        check_fail_one_of(c, field, (const char *const[]){"fr", "en", NULL});
        return "fr";
    }
    return s;
}

/* Inserts a user row and its roles. */
static int insert_user(struct db *db, struct user_row *u, unsigned roles)
{
    int rc = users_insert(db, u);
    if (rc == 0)
        rc = users_set_roles(db, u->id, roles);
    return rc;
}

static int email_taken(struct pd_error *err, const char *field)
{
    return pd_fail_field(err, PD_E_EMAIL_TAKEN, field, MSG_FIELD_EMAIL_TAKEN, NULL);
}

int members_join(struct db *db, const json_t *body, const char *ip, json_t **out,
                 struct pd_error *err)
{
    static const char *const top[] = {"company", "country", "address", "vat_id", "locale",
                                      "admin", NULL};
    static const char *const addr_keys[] = {"line1", "line2", "postal_code", "city", NULL};
    static const char *const admin_keys[] = {"name", "email", "password", NULL};
    struct checks c = {0};
    char email[256], vat[40], hash[crypto_pwhash_STRBYTES];

    check_known_keys(&c, body, "", top);
    const char *company = check_text(&c, body, "company", "company", true, 200);
    const char *country = check_text(&c, body, "country", "country", true, 2);
    if (country && !country_valid(country)) {
        check_fail(&c, "country", MSG_FIELD_COUNTRY);
        country = NULL;
    }
    json_t *address = check_object(&c, body, "address", "address", true);
    const char *line1 = NULL, *line2 = NULL, *postal = NULL, *city = NULL;
    if (address) {
        check_known_keys(&c, address, "address.", addr_keys);
        line1 = check_text(&c, address, "line1", "address.line1", true, 200);
        line2 = check_text(&c, address, "line2", "address.line2", false, 200);
        postal = check_text(&c, address, "postal_code", "address.postal_code", true, 20);
        city = check_text(&c, address, "city", "address.city", true, 100);
    }
    const char *vat_in = check_text(&c, body, "vat_id", "vat_id", false, 40);
    const char *vat_id = NULL;
    if (vat_in && country) {
        if (vat_id_normalise(country, vat_in, vat, sizeof(vat)))
            vat_id = vat;
        else
            check_fail(&c, "vat_id", country_in_eu(country) ? MSG_FIELD_VAT_ID_EU : MSG_FIELD_TAX_ID);
    }
    const char *locale = check_locale(&c, body, "locale");
    json_t *admin = check_object(&c, body, "admin", "admin", true);
    const char *name = NULL, *mail = NULL, *password = NULL;
    if (admin) {
        check_known_keys(&c, admin, "admin.", admin_keys);
        name = check_text(&c, admin, "name", "admin.name", true, 200);
        mail = check_email(&c, admin, "email", "admin.email", email, sizeof(email));
        password = check_password(&c, admin, "password", "admin.password");
    }
    int rc = check_done(&c, err);
    if (rc < 0)
        return rc;
    if (password_hash(password, hash, sizeof(hash)) < 0)
        return pd_fail(err, PD_E_INTERNAL, "password hashing failed");

    int64_t now = clock_now();
    struct partner_row p = {.legal_name = company, .country = country, .address_line1 = line1,
                            .address_line2 = line2, .postal_code = postal, .city = city,
                            .vat_id = vat_id, .locale = locale,
                            .currency = country_currency(country), .created_at = now};
    struct user_row u = {.kind = "partner", .partner_id = p.id, .email = mail, .name = name,
                         .password_hash = hash, .locale = locale, .created_at = now};
    id_new("ptn", p.id, sizeof(p.id));
    id_new("usr", u.id, sizeof(u.id));

    if ((rc = db_begin(db)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if ((rc = users_email_exists(db, mail)) != 0) {
        db_rollback(db);
        return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db)) : email_taken(err, "admin.email");
    }
    /* a random 7-digit ID, never one already given (partners are never deleted) */
    for (int tries = 0; tries < 20; tries++) {
        snprintf(p.membership_id, sizeof(p.membership_id), "%ld",
                 random_between(1000000, 9999999));
        if ((rc = partners_membership_taken(db, p.membership_id)) <= 0)
            break;
    }
    if (rc == 0)
        rc = partners_insert(db, &p);
    if (rc == 0)
        rc = insert_user(db, &u, ROLE_GLOBAL_ADMIN);
    if (rc == 0)
        rc = audit(db, NULL, ip, p.id, "partner.joined", "partner", p.id,
                   json_pack("{s:s, s:s, s:s}", "membership_id", p.membership_id, "admin_email",
                             mail, "admin_id", u.id));
    if ((rc = finish(db, rc, err)) < 0)
        return rc;

    json_t *partner = NULL;
    struct user_full full;
    if (partners_get(db, p.id, &partner) != 1 || users_find(db, u.id, &full) != 1)
        return pd_fail(err, PD_E_INTERNAL, "the new partner cannot be read back");
    *out = json_pack("{s:o, s:o}", "partner", partner, "user", user_json(&full));
    return 0;
}

/* Loads a user of the caller's organisation; PD_E_NOT_FOUND for anyone else's. */
static int own_user(struct db *db, const struct principal *who, const char *id,
                    struct user_full *u, struct pd_error *err)
{
    int rc = users_find(db, id, u);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc == 0 || strcmp(u->partner_id, who->partner_id) != 0 ||
        strcmp(u->status, "removed") == 0)
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    return 0;
}

static unsigned check_roles(struct checks *c, const json_t *obj, bool required)
{
    json_t *v = json_object_get(obj, "roles");
    if (v == NULL) {
        if (required)
            check_fail(c, "roles", MSG_FIELD_REQUIRED);
        return 0;
    }
    unsigned roles = roles_parse(v);
    if (roles == 0 || (roles & ~ROLES_PARTNER)) {
        check_fail_one_of(c, "roles", (const char *const[]){"global_admin", "account_admin",
                                                             "billing_admin", "user", NULL});
        return 0;
    }
    return roles;
}

int members_invite(struct db *db, const struct principal *who, const char *ip,
                   const json_t *body, json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"email", "name", "roles", "locale", NULL};
    struct checks c = {0};
    char email[256], token[65], token_hash[65], expires[21];
    check_known_keys(&c, body, "", keys);
    const char *mail = check_email(&c, body, "email", "email", email, sizeof(email));
    const char *name = check_text(&c, body, "name", "name", true, 200);
    unsigned roles = check_roles(&c, body, true);
    const char *locale = check_locale(&c, body, "locale");
    int rc = check_done(&c, err);
    if (rc < 0)
        return rc;

    int64_t now = clock_now();
    struct user_row u = {.kind = "partner", .partner_id = who->partner_id, .email = mail,
                         .name = name, .password_hash = NULL, .locale = locale,
                         .created_at = now};
    id_new("usr", u.id, sizeof(u.id));
    random_hex(32, token);
    sha256_hex(token, token_hash);
    if ((rc = db_begin(db)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if ((rc = users_email_exists(db, mail)) != 0) {
        db_rollback(db);
        return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db)) : email_taken(err, "email");
    }
    rc = insert_user(db, &u, roles);
    if (rc == 0)
        rc = users_set_status(db, u.id, "invited", now);
    if (rc == 0)
        rc = invitations_insert(db, token_hash, u.id, now, now + INVITATION_SECONDS);
    if (rc == 0)
        rc = audit(db, who, ip, NULL, "user.invited", "user", u.id,
                   json_pack("{s:s, s:o}", "email", mail, "roles", roles_json(roles)));
    if (rc == 0) {
        /* the one-time link goes to the invitee by email (and to the admin in the answer,
         * to pass on another way if the email does not arrive) */
        char portal[512], link[640], org[256] = "", expires_on[DATE_STRLEN];
        setting_text(db, "portal.url", portal, sizeof(portal));
        snprintf(link, sizeof(link), "%s/invitations/%s", portal, token);
        json_t *partner = NULL;
        if (partners_get(db, who->partner_id, &partner) == 1)
            snprintf(org, sizeof(org), "%s",
                     json_string_value(json_object_get(partner, "legal_name")));
        json_decref(partner);
        date_format(date_of_instant(now + INVITATION_SECONDS), expires_on);
        struct contact invitee;
        snprintf(invitee.email, sizeof(invitee.email), "%s", mail);
        snprintf(invitee.lang, sizeof(invitee.lang), "%s", locale);
        rc = outbox_emit_to(db, who->partner_id, "user.invited",
                            json_pack("{s:s, s:s, s:s, s:s}", "organisation", org, "inviter",
                                      who->name, "link", link, "expires_on", expires_on),
                            &invitee, 1);
        secret_wipe(link, sizeof(link));
    }
    if ((rc = finish(db, rc, err)) < 0)
        return rc;
    struct user_full full;
    if (users_find(db, u.id, &full) != 1)
        return pd_fail(err, PD_E_INTERNAL, "the invited user cannot be read back");
    *out = json_pack("{s:o, s:{s:s, s:s}}", "user", user_json(&full), "invitation", "token",
                     token, "expires_at", instant_format(now + INVITATION_SECONDS, expires));
    sodium_memzero(token, sizeof(token));
    return 0;
}

int members_accept_invitation(struct db *db, const char *token, const json_t *body,
                              const char *ip, json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"password", NULL};
    struct checks c = {0};
    char token_hash[65], user_id[32], hash[crypto_pwhash_STRBYTES];
    check_known_keys(&c, body, "", keys);
    const char *password = check_password(&c, body, "password", "password");
    int rc = check_done(&c, err);
    if (rc < 0)
        return rc;
    sha256_hex(token ? token : "", token_hash);
    int64_t now = clock_now();
    if (password_hash(password, hash, sizeof(hash)) < 0)
        return pd_fail(err, PD_E_INTERNAL, "password hashing failed");
    if ((rc = db_begin(db)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    rc = invitations_find_live(db, token_hash, now, user_id, sizeof(user_id));
    struct user_full u;
    if (rc == 1)
        rc = users_find(db, user_id, &u);
    if (rc == 0 || (rc == 1 && strcmp(u.status, "invited") != 0)) {
        db_rollback(db);
        return pd_fail(err, PD_E_INVITATION_INVALID, NULL);
    }
    if (rc > 0)
        rc = invitations_use(db, token_hash, now);
    if (rc > 0)
        rc = users_set_password(db, user_id, hash, now);
    if (rc >= 0)
        rc = users_set_status(db, user_id, "active", now);
    if (rc >= 0)
        rc = audit(db, NULL, ip, u.partner_id, "user.invitation_accepted", "user", user_id,
                   json_pack("{s:s}", "email", u.email));
    if ((rc = finish(db, rc, err)) < 0)
        return rc;
    if (users_find(db, user_id, &u) != 1)
        return pd_fail(err, PD_E_INTERNAL, "the user cannot be read back");
    *out = user_json(&u);
    return 0;
}

/* Refuses a change that leaves the organisation without a global_admin. */
static int keeps_a_global_admin(struct db *db, const struct user_full *u, struct pd_error *err)
{
    int64_t admins = 0;
    if (!(u->roles & ROLE_GLOBAL_ADMIN))
        return 0;
    int rc = users_count_global_admins(db, u->partner_id, &admins);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    return admins <= 1 ? pd_fail(err, PD_E_LAST_GLOBAL_ADMIN, NULL) : 0;
}

int members_update(struct db *db, const struct principal *who, const char *ip,
                   const char *user_id, const json_t *body, json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"name", "roles", NULL};
    struct checks c = {0};
    struct user_full u;
    check_known_keys(&c, body, "", keys);
    const char *name = check_text(&c, body, "name", "name", false, 200);
    unsigned roles = check_roles(&c, body, false);
    int rc = check_done(&c, err);
    if (rc < 0)
        return rc;
    if ((rc = db_begin(db)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    rc = own_user(db, who, user_id, &u, err);
    if (rc == 0 && roles && !(roles & ROLE_GLOBAL_ADMIN))
        rc = keeps_a_global_admin(db, &u, err);
    if (rc == 0 && name)
        rc = users_set_name(db, u.id, name, clock_now());
    if (rc == 0 && roles)
        rc = users_set_roles(db, u.id, roles);
    if (rc == 0)
        rc = audit(db, who, ip, NULL, "user.updated", "user", u.id,
                   json_pack("{s:o, s:o}", "roles_before", roles_json(u.roles), "roles_after",
                             roles_json(roles ? roles : u.roles)));
    if ((rc = finish(db, rc, err)) < 0)
        return rc;
    if (users_find(db, u.id, &u) != 1)
        return pd_fail(err, PD_E_INTERNAL, "the user cannot be read back");
    *out = user_json(&u);
    return 0;
}

int members_remove(struct db *db, const struct principal *who, const char *ip,
                   const char *user_id, struct pd_error *err)
{
    struct user_full u;
    int rc = db_begin(db);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    int64_t now = clock_now();
    rc = own_user(db, who, user_id, &u, err);
    if (rc == 0)
        rc = keeps_a_global_admin(db, &u, err);
    if (rc == 0)
        rc = users_set_status(db, u.id, "removed", now);
    if (rc == 0)
        rc = sessions_delete_for_user(db, u.id, NULL);
    if (rc == 0)
        rc = tokens_revoke_for_user(db, u.id, now);
    if (rc == 0)
        rc = audit(db, who, ip, NULL, "user.removed", "user", u.id,
                   json_pack("{s:s}", "email", u.email));
    return finish(db, rc, err);
}

int members_list(struct db *db, const struct principal *who, json_t **items)
{
    return users_list(db, who->partner_id, items);
}

int members_update_partner(struct db *db, const struct principal *who, const char *ip,
                           const json_t *body, json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"require_2fa", NULL};
    struct checks c = {0};
    check_known_keys(&c, body, "", keys);
    json_t *req = json_object_get(body, "require_2fa");
    if (req && !json_is_boolean(req))
        check_fail(&c, "require_2fa", MSG_FIELD_NOT_BOOLEAN);
    int rc = check_done(&c, err);
    if (rc < 0)
        return rc;
    if ((rc = db_begin(db)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (req)
        rc = partners_set_require_2fa(db, who->partner_id, json_is_true(req));
    if (rc == 0 && req)
        rc = audit(db, who, ip, NULL, "partner.updated", "partner", who->partner_id,
                   json_pack("{s:O}", "require_2fa", req));
    if ((rc = finish(db, rc, err)) < 0)
        return rc;
    return partners_get(db, who->partner_id, out) == 1 ? 0
                                                       : pd_fail(err, PD_E_INTERNAL, "read back");
}
