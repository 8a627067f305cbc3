/* service/accounts.c - staff accounts and demo data. */
#include "service/accounts.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/text.h"
#include "db/db.h"
#include "service/audit.h"
#include "service/orders.h"
#include "service/subscriptions.h"
#include "store/users.h"

const struct demo_login demo_logins[] = {
    {"admin@contoso.example", "global_admin (partner Contoso Conseil)"},
    {"billing@contoso.example", "billing_admin (partner Contoso Conseil)"},
    {"support@partnerd.example", "support (staff)"},
    {"finance@partnerd.example", "finance (staff)"},
    {"operator@partnerd.example", "operator (staff)"},
    {0, 0},
};

static int invalid(struct pd_error *err, const char *field, enum msg_id why, const char *arg)
{
    return pd_fail_field(err, PD_E_INVALID_REQUEST, field, why, arg);
}

static bool is_staff_role(const char *role)
{
    return role && (strcmp(role, "support") == 0 || strcmp(role, "finance") == 0 ||
                    strcmp(role, "operator") == 0);
}

/* Inserts a user with one role, hashing the password. Runs inside the caller's transaction. */
static int insert_user(struct db *db, const char *kind, const char *partner_id, const char *email,
                       const char *name, const char *role, const char *password,
                       const char *locale, struct pd_error *err)
{
    char hash[crypto_pwhash_STRBYTES];
    struct user_row u = {.kind = kind,
                         .partner_id = partner_id,
                         .email = email,
                         .name = name,
                         .password_hash = hash,
                         .locale = locale,
                         .created_at = clock_now()};
    id_new("usr", u.id, sizeof(u.id));
    if (password_hash(password, hash, sizeof(hash)) < 0)
        return pd_fail(err, PD_E_INTERNAL, "password hashing failed (out of memory?)");
    int rc = users_insert(db, &u);
    if (rc == PD_E_DB_CONSTRAINT) {
        pd_fail(err, PD_E_CONFLICT, "a user with this email already exists");
        pd_error_detail(err, "field", json_string("email"));
        return PD_E_CONFLICT;
    }
    if (rc == 0)
        rc = users_add_role(db, u.id, role);
    return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db)) : 0;
}

int staff_add(struct db *db, const char *email, const char *name, const char *role,
              const char *password, struct pd_error *err)
{
    char lower[256];
    if (!text_email_valid(email))
        return invalid(err, "email", MSG_FIELD_EMAIL, NULL);
    if (!text_line_valid(name, 200))
        return invalid(err, "name", MSG_FIELD_TEXT_LINE, "200");
    if (!is_staff_role(role))
        return invalid(err, "role", MSG_FIELD_ONE_OF, "support, finance, operator");
    if (password == NULL || strlen(password) < PASSWORD_MIN || strlen(password) > PASSWORD_MAX)
        return invalid(err, "password", MSG_FIELD_PASSWORD_LENGTH, NULL);
    text_lower(email, lower, sizeof(lower));

    int rc = db_begin(db);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    rc = insert_user(db, "staff", NULL, lower, name, role, password, "fr", err);
    if (rc == 0)
        rc = audit(db, NULL, "cli", NULL, "staff.created", "user", NULL,
                   json_pack("{s:s, s:s}", "email", lower, "role", role));
    if (rc < 0) {
        db_rollback(db);
        return rc;
    }
    rc = db_commit(db);
    return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db)) : 0;
}

/* Inserts the demo partner with a fresh membership ID. */
static int insert_demo_partner(struct db *db, char *partner_id, size_t n)
{
    struct partner_row p = {.legal_name = "Contoso Conseil SARL",
                            .country = "FR",
                            .address_line1 = "12 rue de la Paix",
                            .postal_code = "75002",
                            .city = "Paris",
                            .vat_id = "FR40303265045",
                            .locale = "fr",
                            .currency = "EUR",
                            .created_at = clock_now()};
    id_new("ptn", p.id, sizeof(p.id));
    snprintf(p.membership_id, sizeof(p.membership_id), "%ld", random_between(1000000, 9999999));
    snprintf(partner_id, n, "%s", p.id);
    return partners_insert(db, &p);
}

/* What the demo partner has done so far, through the same use cases as the portal: two
 * certified people (Silver is within reach) and Action Pack ordered by wire transfer,
 * its invoice issued and the transfer awaited (finance can record it). */
static int demo_history(struct db *db, const char *partner_id, struct pd_error *err)
{
    struct user_full u;
    int rc = users_find_by_email(db, "admin@contoso.example", &u);
    if (rc != 1)
        return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db)) : pd_fail(err, PD_E_INTERNAL, "demo admin");
    struct principal who = {.roles = u.roles};
    snprintf(who.user_id, sizeof(who.user_id), "%s", u.id);
    snprintf(who.partner_id, sizeof(who.partner_id), "%s", partner_id);
    snprintf(who.email, sizeof(who.email), "%s", u.email);
    snprintf(who.name, sizeof(who.name), "%s", u.name);
    snprintf(who.locale, sizeof(who.locale), "%s", u.locale);
    static const char *const people[][3] = {
        {"Julie Moreau", "julie.moreau@contoso.example", "Microsoft Certified: Azure Administrator"},
        {"Hugo Lefèvre", "hugo.lefevre@contoso.example", "Microsoft Certified: Security Engineer"},
    };
    json_t *out = NULL;
    for (size_t i = 0; rc >= 0 && i < sizeof(people) / sizeof(people[0]); i++) {
        json_t *body = json_pack("{s:s, s:s, s:s}", "name", people[i][0], "email", people[i][1],
                                 "certification", people[i][2]);
        rc = certified_people_add(db, &who, "demo", body, &out, err);
        json_decref(body);
        json_decref(out);
        out = NULL;
    }
    json_t *order = json_pack("{s:s, s:s, s:{s:s, s:{s:s, s:s, s:s}}}", "offer", "action-pack",
                              "action", "purchase", "payment", "method", "wire", "contact",
                              "name", "Louis Bernard", "phone", "+33 1 40 20 50 50", "email",
                              "billing@contoso.example");
    if (rc >= 0)
        rc = orders_create(db, &who, "demo", order, "fr", &out, err);
    json_decref(order);
    if (rc >= 0) {
        char id[32];
        snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(out, "id")));
        json_decref(out);
        out = NULL;
        rc = orders_purchase(db, &who, "demo", id, "fr", &out, err);
    }
    json_decref(out);
    return rc < 0 ? rc : 0;
}

int demo_load(struct db *db, int *created, struct pd_error *err)
{
    char partner_id[32];
    int64_t count = 0;
    *created = 0;
    int rc = db_begin(db);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if ((rc = partners_count(db, &count)) < 0)
        goto fail;
    if (count > 0)
        return db_commit(db);
    if ((rc = insert_demo_partner(db, partner_id, sizeof(partner_id))) < 0)
        goto fail;
    if ((rc = insert_user(db, "partner", partner_id, "admin@contoso.example", "Camille Martin",
                          "global_admin", DEMO_PASSWORD, "fr", err)) < 0 ||
        (rc = insert_user(db, "partner", partner_id, "billing@contoso.example", "Louis Bernard",
                          "billing_admin", DEMO_PASSWORD, "fr", err)) < 0 ||
        (rc = insert_user(db, "staff", NULL, "support@partnerd.example", "Sophie Support",
                          "support", DEMO_PASSWORD, "fr", err)) < 0 ||
        (rc = insert_user(db, "staff", NULL, "finance@partnerd.example", "Farid Finance",
                          "finance", DEMO_PASSWORD, "fr", err)) < 0 ||
        (rc = insert_user(db, "staff", NULL, "operator@partnerd.example", "Olivia Operator",
                          "operator", DEMO_PASSWORD, "en", err)) < 0) {
        db_rollback(db);
        return rc;
    }
    if ((rc = db_commit(db)) < 0)
        goto fail;
    if ((rc = demo_history(db, partner_id, err)) < 0)
        return rc;
    *created = 1;
    return 0;
fail:
    pd_fail(err, rc, "demo data: %s", db_errmsg(db));
    db_rollback(db);
    return rc;
}
