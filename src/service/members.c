/*
 * service/members.c - joining the network, inviting and managing users.
 *
 * An organisation (a partner) joins with its first user, a global_admin; that admin then
 * invites the others. An invitation is a one-time link whose secret is stored only as its
 * SHA-256; following it sets the invitee's password. An organisation always keeps one
 * global_admin. Each use case reads what it needs once, in its transaction, and answers
 * from the rows it holds rather than reading them back.
 */
#include "service/members.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/country.h"
#include "core/siren.h"
#include "core/vat_id.h"
#include "core/crypto.h"
#include "core/password.h"
#include "core/date.h"
#include "core/text.h"
#include "db/db.h"
#include "service/accounts.h"
#include "service/audit.h"
#include "service/email_probe.h"
#include "service/member_checks.h"
#include "service/outbox.h"
#include "service/page.h"
#include "service/settings.h"
#include "service/vies.h"
#include "service/tx.h"
#include "service/validate.h"
#include "store/auth.h"
#include "store/outbox.h"
#include "store/users.h"

/* Copies src (NULL: "") into the fixed buffer dst of n bytes. */
static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

#define COPY(dst, src) copy((dst), sizeof(dst), (src))

json_t *members_partner_view(const struct partner_row *p)
{
    char created[21], checked[21];
    json_t *v = json_pack(
        "{s:s, s:s, s:s, s:s, s:{s:s, s:s?, s:s, s:s}, s:s?, s:s?, s:s, s:s, s:s, s:b, s:s}", "id",
        p->id, "membership_id", p->membership_id, "legal_name", p->legal_name, "country",
        p->country, "address", "line1", p->address_line1, "line2",
        p->address_line2[0] ? p->address_line2 : NULL, "postal_code", p->postal_code, "city",
        p->city, "vat_id", p->vat_id[0] ? p->vat_id : NULL, "siren", p->siren[0] ? p->siren : NULL,
        "vat_id_status", vies_status_view(p->vat_id_status[0] ? p->vat_id_status : "not_checked"),
        "locale", p->locale, "currency", p->currency, "require_2fa", p->require_2fa, "created_at",
        instant_format(p->created_at, created));
    if (p->vat_id_checked_at)
        json_object_set_new(v, "vat_id_checked_at",
                            json_string(instant_format(p->vat_id_checked_at, checked)));
    return v;
}

json_t *members_user_view(const struct user_row *u)
{
    char created[21];
    return json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:b, s:s?, s:s}", "id", u->id, "email",
                     u->email, "name", u->name, "roles", roles_json(u->roles), "status", u->status,
                     "locale", u->locale, "totp_enabled", u->totp_secret[0] != '\0', "partner_id",
                     u->partner_id[0] ? u->partner_id : NULL, "created_at",
                     instant_format(u->created_at, created));
}

/* Makes u's row for an invitation: a new user, or the organisation's user with this email
 * who holds no account (removed, or invited and never in), invited afresh with u's name,
 * locale and roles, their earlier links ended: an expired link, or a removal by mistake, is
 * mended by inviting again. Anyone else's email is PD_E_EMAIL_TAKEN. */
static int invitee_row(struct db *db, struct user_row *u, int64_t now, struct pd_error *err)
{
    struct user_row old;
    int rc = users_find_by_email(db, u->email, &old);
    if (rc == 0) {
        if ((rc = users_insert(db, u)) == 0)
            return 0;
    } else if (rc == 1 && strcmp(old.partner_id, u->partner_id) == 0 &&
               strcmp(old.status, "active") != 0) {
        COPY(u->id, old.id);
        u->created_at = old.created_at;
        rc = users_reinvite(db, u, now); /* 0: accepted meanwhile, an account now */
        if (rc == 1 && (rc = invitations_end_for_user(db, u->id, now)) == 0 &&
            (rc = email_deliveries_drop_invitations(db, u->partner_id, u->id)) == 0 &&
            (rc = recovery_delete_for_user(db, u->id)) == 0)
            return 0;
    }
    if (rc >= 0 || rc == PD_E_DB_CONSTRAINT) /* an account, or one made meanwhile */
        return pd_fail_field(err, PD_E_EMAIL_TAKEN, "email", MSG_FIELD_EMAIL_TAKEN, NULL);
    return pd_fail(err, rc, "%s", db_errmsg(db));
}

/* 0 when nobody uses the email; PD_E_EMAIL_TAKEN on field, or a database failure. */
static int email_free(struct db *db, const char *email, const char *field, struct pd_error *err)
{
    int rc = users_email_exists(db, email);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    return rc ? pd_fail_field(err, PD_E_EMAIL_TAKEN, field, MSG_FIELD_EMAIL_TAKEN, NULL) : 0;
}

/* Gives p a random 7-digit membership ID that no partner had (partners are never
 * deleted). */
static int new_membership_id(struct db *db, struct partner_row *p, struct pd_error *err)
{
    for (int tries = 0; tries < 20; tries++) {
        snprintf(p->membership_id, sizeof(p->membership_id), "%ld",
                 random_between(1000000, 9999999));
        int rc = partners_membership_taken(db, p->membership_id);
        if (rc < 0)
            return pd_fail(err, rc, "%s", db_errmsg(db));
        if (rc == 0)
            return 0;
    }
    return pd_fail(err, PD_E_INTERNAL, "no free membership ID after 20 tries");
}

/* The "siren" of body into out (size n): 9 digits with their Luhn key, for a French
 * company only, matching the SIREN inside a French VAT ID; required when asked (a French
 * company joining: the e-invoicing reform puts the buyer's SIREN on invoices). */
static void check_siren(struct checks *c, const json_t *body, const char *country,
                        const char *vat_id, bool required_in_fr, char *out, size_t n)
{
    const char *in = check_text(c, body, "siren", "siren", false, 20);
    bool french = country && strcmp(country, "FR") == 0;
    if (in == NULL) {
        /* absent or null is missing alike (a value of another type failed above) */
        json_t *given = json_object_get(body, "siren");
        if (french && required_in_fr && (given == NULL || json_is_null(given)))
            check_fail(c, "siren", MSG_FIELD_SIREN_REQUIRED_FR);
        return;
    }
    if (country && !french) {
        check_fail(c, "siren", MSG_FIELD_SIREN_FRANCE_ONLY);
    } else if (!siren_compact(in, 9, out, n) || !siren_valid(out)) {
        check_fail(c, "siren", MSG_FIELD_SIREN);
        out[0] = '\0';
    } else if (strncmp(vat_id, "FR", 2) == 0 && strlen(vat_id) == 13 &&
               strcmp(vat_id + 4, out) != 0) {
        check_fail(c, "siren", MSG_FIELD_SIREN_VAT_MISMATCH);
    }
}

/* The partner and its first user from a join request; NULL fields fail the checks. */
static int check_join(const json_t *body, struct partner_row *p, struct user_row *u,
                      const char **password, struct pd_error *err)
{
    static const char *const top[] = {"company", "country", "address", "vat_id",
                                      "siren",   "locale",  "admin",   NULL};
    static const char *const addr_keys[] = {"line1", "line2", "postal_code", "city", NULL};
    static const char *const admin_keys[] = {"name", "email", "password", NULL};
    struct checks c = {0};
    char email[256];

    check_known_keys(&c, body, "", top);
    COPY(p->legal_name, check_text(&c, body, "company", "company", true, 200));
    const char *country = check_text(&c, body, "country", "country", true, 2);
    if (country && strcmp(country, "XI") == 0) /* Northern Ireland: the UK, XI VAT IDs */
        country = "GB";
    if (country && !country_valid(country)) {
        check_fail(&c, "country", MSG_FIELD_COUNTRY);
        country = NULL;
    }
    COPY(p->country, country);
    json_t *address = check_object(&c, body, "address", "address", true);
    if (address) {
        check_known_keys(&c, address, "address.", addr_keys);
        COPY(p->address_line1, check_text(&c, address, "line1", "address.line1", true, 200));
        COPY(p->address_line2, check_text(&c, address, "line2", "address.line2", false, 200));
        COPY(p->postal_code,
             check_text(&c, address, "postal_code", "address.postal_code", true, 20));
        COPY(p->city, check_text(&c, address, "city", "address.city", true, 100));
    }
    const char *vat_in = check_text(&c, body, "vat_id", "vat_id", false, 40);
    if (vat_in && country && !vat_id_normalise(country, vat_in, p->vat_id, sizeof(p->vat_id)))
        check_fail(&c, "vat_id",
                   country_in_eu(country) || strcmp(country, "GB") == 0 ||
                           strcmp(country, "MC") == 0
                       ? MSG_FIELD_VAT_ID_CHECK
                       : MSG_FIELD_TAX_ID);
    check_siren(&c, body, country, p->vat_id, true, p->siren, sizeof(p->siren));
    const char *locale = check_locale(&c, body, "locale");
    COPY(p->locale, locale);
    COPY(u->locale, locale);
    json_t *admin = check_object(&c, body, "admin", "admin", true);
    if (admin) {
        check_known_keys(&c, admin, "admin.", admin_keys);
        COPY(u->name, check_text(&c, admin, "name", "admin.name", true, 200));
        COPY(u->email, check_email(&c, admin, "email", "admin.email", email, sizeof(email)));
        *password = check_password(&c, admin, "password", "admin.password");
        check_password_quality(&c, "admin.password", *password, u->email, p->legal_name);
    }
    if (country)
        COPY(p->currency, country_currency(country));
    return check_done(&c, err);
}

int members_join(struct db *db, const json_t *body, const char *ip, json_t **out,
                 struct pd_error *err)
{
    struct partner_row p = {0};
    struct user_row u = {0};
    const char *password = NULL;
    int rc = check_join(body, &p, &u, &password, err);
    if (rc < 0)
        return rc;
    if (password_hash(password, u.password_hash, sizeof(u.password_hash)) < 0)
        return pd_fail(err, PD_E_INTERNAL, "password hashing failed");

    struct settings settings;
    if ((rc = settings_load(db, &settings)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    COPY(p.vat_id_status, p.vat_id[0] ? vies_initial_status(&settings, p.vat_id) : "not_checked");
    int64_t now = clock_now();
    id_new("ptn", p.id, sizeof(p.id));
    id_new("usr", u.id, sizeof(u.id));
    p.created_at = u.created_at = now;
    COPY(u.kind, "partner");
    COPY(u.partner_id, p.id);
    COPY(u.status, "active");
    u.roles = ROLE_GLOBAL_ADMIN;

    if ((rc = email_probe_check(db, ip, err)) < 0)
        return rc;
    if ((rc = tx_begin(db, err)) < 0)
        return rc;
    rc = email_free(db, u.email, "admin.email", err);
    if (rc == 0)
        rc = new_membership_id(db, &p, err);
    if (rc == 0)
        rc = partners_insert(db, &p);
    if (rc == 0)
        rc = users_insert(db, &u);
    if (rc == 0)
        rc = audit(db, NULL, ip, p.id, "partner.joined", "partner", p.id,
                   json_pack("{s:s, s:s, s:s}", "membership_id", p.membership_id, "admin_email",
                             u.email, "admin_id", u.id));
    if ((rc = tx_end(db, rc, err)) < 0) {
        if (rc == PD_E_EMAIL_TAKEN)
            email_probe_taken(db, ip);
        return rc;
    }
    secret_wipe(u.password_hash, sizeof(u.password_hash));
    *out =
        json_pack("{s:o, s:o}", "partner", members_partner_view(&p), "user", members_user_view(&u));
    return 0;
}

/* Queues the invitation email. Its one-time link is not in the event: the outbox keeps no
 * secret. The delivery mints a link of its own for the invitee when it sends the email
 * (service/delivery.c); the admin gets this request's link in the answer, to pass on
 * another way if the email does not arrive. */
static int send_invitation(struct db *db, const struct principal *who, const struct user_row *u,
                           int64_t expires_at)
{
    struct partner_row org = {0};
    char expires_on[DATE_STRLEN], expires[21];
    int rc = partners_find(db, who->partner_id, &org);
    if (rc < 0)
        return rc;
    date_format(date_of_instant(expires_at), expires_on);
    struct contact invitee;
    COPY(invitee.email, u->email);
    COPY(invitee.lang, u->locale);
    return outbox_emit_to(db, who->partner_id, "user.invited",
                          json_pack("{s:s, s:s, s:s, s:s, s:s}", "organisation", org.legal_name,
                                    "inviter", who->name, "user_id", u->id, "expires_on",
                                    expires_on, "expires_at", instant_format(expires_at, expires)),
                          &invitee, 1);
}

int members_invite(struct db *db, const struct principal *who, const char *ip, const json_t *body,
                   json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"email", "name", "roles", "locale", NULL};
    struct checks c = {0};
    struct user_row u = {0};
    char email[256], token[65], token_hash[65], expires[21];
    check_known_keys(&c, body, "", keys);
    COPY(u.email, check_email(&c, body, "email", "email", email, sizeof(email)));
    COPY(u.name, check_text(&c, body, "name", "name", true, 200));
    u.roles = check_roles(&c, body, true);
    COPY(u.locale, check_locale(&c, body, "locale"));
    int rc = check_done(&c, err);
    if (rc < 0)
        return rc;

    int64_t now = clock_now(), expires_at = now + INVITATION_SECONDS;
    id_new("usr", u.id, sizeof(u.id));
    COPY(u.kind, "partner");
    COPY(u.partner_id, who->partner_id);
    COPY(u.status, "invited");
    u.created_at = now;
    if ((rc = email_probe_check(db, ip, err)) < 0)
        return rc;
    random_hex(32, token);
    sha256_hex(token, token_hash);
    if ((rc = tx_begin(db, err)) < 0)
        return rc;
    rc = invitee_row(db, &u, now, err);
    if (rc == 0)
        rc = invitations_insert(db, token_hash, u.id, now, expires_at);
    if (rc == 0)
        rc = audit(db, who, ip, NULL, "user.invited", "user", u.id,
                   json_pack("{s:s, s:o}", "email", u.email, "roles", roles_json(u.roles)));
    if (rc == 0)
        rc = send_invitation(db, who, &u, expires_at);
    if ((rc = tx_end(db, rc, err)) < 0) {
        secret_wipe(token, sizeof(token));
        if (rc == PD_E_EMAIL_TAKEN)
            email_probe_taken(db, ip);
        return rc;
    }
    *out = json_pack("{s:o, s:{s:s, s:s}}", "user", members_user_view(&u), "invitation", "token",
                     token, "expires_at", instant_format(expires_at, expires));
    secret_wipe(token, sizeof(token));
    return 0;
}

int members_accept_invitation(struct db *db, const char *token, const json_t *body, const char *ip,
                              json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"password", NULL};
    struct checks c = {0};
    struct user_row u;
    char token_hash[65], user_id[32], hash[PASSWORD_HASH_BYTES];
    check_known_keys(&c, body, "", keys);
    const char *password = check_password(&c, body, "password", "password");
    int rc = check_done(&c, err);
    if (rc < 0)
        return rc;
    sha256_hex(token ? token : "", token_hash);
    int64_t now = clock_now();
    if (password_hash(password, hash, sizeof(hash)) < 0)
        return pd_fail(err, PD_E_INTERNAL, "password hashing failed");
    if ((rc = tx_begin(db, err)) < 0)
        return rc;
    rc = invitations_find_live(db, token_hash, now, user_id, sizeof(user_id));
    if (rc == 1)
        rc = users_find(db, user_id, &u);
    if (rc == 0 || (rc == 1 && strcmp(u.status, "invited") != 0))
        rc = pd_fail(err, PD_E_INVITATION_INVALID, NULL);
    if (rc > 0) { /* now that the invitee is known: not their email, not their company */
        struct partner_row org = {0};
        rc = partners_find(db, u.partner_id, &org);
        check_password_quality(&c, "password", password, u.email, org.legal_name);
        if (rc >= 0 && check_done(&c, err) < 0)
            rc = err->code;
    }
    /* both writes are conditional: an accept that ran meanwhile with this link (or the
     * email's), or a removal, was read above as still to come (PostgreSQL) */
    if (rc > 0)
        rc = invitations_use(db, token_hash, now);
    if (rc > 0)
        rc = users_activate_invited(db, user_id, hash, now);
    if (rc == 0)
        rc = pd_fail(err, PD_E_INVITATION_INVALID, NULL);
    if (rc > 0)
        rc = audit(db, NULL, ip, u.partner_id, "user.invitation_accepted", "user", user_id,
                   json_pack("{s:s}", "email", u.email));
    secret_wipe(hash, sizeof(hash));
    if ((rc = tx_end(db, rc, err)) < 0)
        return rc;
    COPY(u.status, "active");
    *out = members_user_view(&u);
    return 0;
}

/* Loads a user of the caller's organisation; PD_E_NOT_FOUND for anyone else's. */
static int own_user(struct db *db, const struct principal *who, const char *id, struct user_row *u,
                    struct pd_error *err)
{
    int rc = users_find(db, id, u);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc == 0 || strcmp(u->partner_id, who->partner_id) != 0 || strcmp(u->status, "removed") == 0)
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    return 0;
}

/* Refuses a change that leaves the organisation without an active global_admin. Only
 * active admins count: an invitee who has not accepted cannot manage anyone (and may
 * never accept), so changing or removing one takes nothing away. */
static int keeps_a_global_admin(struct db *db, const struct user_row *u, struct pd_error *err)
{
    int64_t admins = 0;
    if (!(u->roles & ROLE_GLOBAL_ADMIN) || strcmp(u->status, "active") != 0)
        return 0;
    /* counted under the organisation's lock: two admins stepping down at once would each
     * count the other (PostgreSQL), and leave none */
    int rc = users_lock_organisation(db, u->partner_id);
    if (rc >= 0)
        rc = users_count_global_admins(db, u->partner_id, &admins);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    return admins <= 1 ? pd_fail(err, PD_E_LAST_GLOBAL_ADMIN, NULL) : 0;
}

int members_update(struct db *db, const struct principal *who, const char *ip, const char *user_id,
                   const json_t *body, json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"name", "roles", NULL};
    struct checks c = {.partial = true};
    struct user_row u;
    check_known_keys(&c, body, "", keys);
    const char *name = check_text(&c, body, "name", "name", false, 200);
    unsigned roles = check_roles(&c, body, false);
    int rc = check_done(&c, err);
    if (rc < 0)
        return rc;
    if ((rc = tx_begin(db, err)) < 0)
        return rc;
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
    if ((rc = tx_end(db, rc, err)) < 0)
        return rc;
    if (name)
        COPY(u.name, name);
    if (roles)
        u.roles = roles;
    *out = members_user_view(&u);
    return 0;
}

int members_remove(struct db *db, const struct principal *who, const char *ip, const char *user_id,
                   struct pd_error *err)
{
    struct user_row u;
    int rc = tx_begin(db, err);
    if (rc < 0)
        return rc;
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
    return tx_end(db, rc, err);
}

int members_list(struct db *db, const struct principal *who, const struct page_in *page,
                 json_t **items, char next[CURSOR_TEXT_MAX], struct pd_error *err)
{
    struct user_row *rows = NULL;
    struct checks c = {0};
    struct page_request p;
    int n = 0;
    page_check(&c, page, &p);
    if (page_checks_done(&c, err) < 0)
        return err->code;
    int rc = users_page(db, who->partner_id, &p, &rows, &n);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    int shown = page_shown(&p, n);
    *items = json_array();
    for (int i = 0; i < shown; i++)
        json_array_append_new(*items, members_user_view(&rows[i]));
    page_next(&p, n, shown ? rows[shown - 1].created_at : 0, shown ? rows[shown - 1].id : NULL,
              next);
    free(rows);
    return 0;
}

int members_partner_get(struct db *db, const struct principal *who, json_t **out,
                        struct pd_error *err)
{
    struct partner_row p;
    int rc = partners_find(db, who->partner_id, &p);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc == 0)
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    *out = members_partner_view(&p);
    return 0;
}

int members_update_partner(struct db *db, const struct principal *who, const char *ip,
                           const json_t *body, json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"require_2fa", "siren", NULL};
    struct checks c = {.partial = true};
    struct partner_row p = {0};
    char siren[10] = "";
    check_known_keys(&c, body, "", keys);
    json_t *req = json_object_get(body, "require_2fa");
    if (req && !check_null_refused(&c, req, "require_2fa") && !json_is_boolean(req))
        check_fail(&c, "require_2fa", MSG_FIELD_NOT_BOOLEAN);
    /* a SIREN is added, never removed; its value is checked below, against the country */
    check_null_refused(&c, json_object_get(body, "siren"), "siren");
    int rc = check_done(&c, err);
    if (rc < 0)
        return rc;
    if ((rc = tx_begin(db, err)) < 0)
        return rc;
    if ((rc = partners_find(db, who->partner_id, &p)) == 0)
        rc = pd_fail(err, PD_E_NOT_FOUND, NULL);
    if (rc > 0 && json_object_get(body, "siren")) { /* checked against the partner's country */
        struct checks cs = {0};
        check_siren(&cs, body, p.country, p.vat_id, false, siren, sizeof(siren));
        rc = check_done(&cs, err);
    }
    if (rc > 0 && req)
        rc = partners_set_require_2fa(db, who->partner_id, json_is_true(req));
    if (rc >= 0 && req)
        rc = audit(db, who, ip, NULL, "partner.updated", "partner", who->partner_id,
                   json_pack("{s:O}", "require_2fa", req));
    if (rc >= 0 && siren[0])
        rc = partners_set_siren(db, who->partner_id, siren);
    if (rc >= 0 && siren[0])
        rc = audit(db, who, ip, NULL, "partner.updated", "partner", who->partner_id,
                   json_pack("{s:s?, s:s}", "siren_before", p.siren[0] ? p.siren : NULL,
                             "siren_after", siren));
    if ((rc = tx_end(db, rc > 0 ? 0 : rc, err)) < 0)
        return rc;
    if (req)
        p.require_2fa = json_is_true(req);
    if (siren[0])
        COPY(p.siren, siren);
    *out = members_partner_view(&p);
    return 0;
}
