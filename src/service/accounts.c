/*
 * service/accounts.c - staff accounts and the demo data set.
 *
 * Staff are created, listed and removed from the command line (partnerd staff add, list,
 * remove); partner users come from joining and invitations (service/members.c). A removed
 * staff account keeps its row, so the audit trail still names one person, and staff add
 * with its email brings it back. The demo data set goes through the same
 * use cases as the portal, so a demo order is a real order.
 */
#include "service/accounts.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/password.h"
#include "core/roles.h"
#include "core/date.h"
#include "core/text.h"
#include "db/db.h"
#include "service/audit.h"
#include "service/benefit_keys.h"
#include "service/certified.h"
#include "service/orders.h"
#include "service/principal.h"
#include "service/directory_demo.h"
#include "service/tx.h"
#include "service/wire_transfers.h"
#include "store/auth.h"
#include "store/orders.h"
#include "store/users.h"

/* Copies src (NULL: "") into the fixed buffer dst of n bytes. */
static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

#define COPY(dst, src) copy((dst), sizeof(dst), (src))

const struct demo_login demo_logins[] = {
    {"admin@contoso.example", "global_admin (partner Contoso Conseil)"},
    {"billing@contoso.example", "billing_admin (partner Contoso Conseil)"},
    {"support@partnerd.example", "support (staff)"},
    {"finance@partnerd.example", "finance (staff)"},
    {"operator@partnerd.example", "operator (staff)"},
    {"admin@northwind.example", "global_admin (partner Northwind Données, in the directory)"},
    {0, 0},
};

static int invalid(struct pd_error *err, const char *field, enum msg_id why, const char *arg)
{
    return pd_fail_field(err, PD_E_INVALID_REQUEST, field, why, arg);
}

static bool is_staff_role(const char *role)
{
    return role && (role_bit(role) & ROLES_STAFF) != 0;
}

/* Inserts a user with one role, hashing the password, into *u. Runs inside the caller's
 * transaction. */
static int insert_user(struct db *db, const char *kind, const char *partner_id, const char *email,
                       const char *name, const char *role, const char *password, const char *locale,
                       struct user_row *u, struct pd_error *err)
{
    memset(u, 0, sizeof(*u));
    id_new("usr", u->id, sizeof(u->id));
    COPY(u->kind, kind);
    COPY(u->partner_id, partner_id);
    COPY(u->email, email);
    COPY(u->name, name);
    COPY(u->locale, locale);
    COPY(u->status, "active");
    u->roles = role_bit(role);
    u->created_at = clock_now();
    if (password_hash(password, u->password_hash, sizeof(u->password_hash)) < 0)
        return pd_fail(err, PD_E_INTERNAL, "password hashing failed (out of memory?)");
    int rc = users_insert(db, u);
    secret_wipe(u->password_hash, sizeof(u->password_hash));
    if (rc == PD_E_DB_CONSTRAINT) {
        pd_fail(err, PD_E_CONFLICT, "a user with this email already exists");
        pd_error_detail(err, "field", json_string("email"));
        return PD_E_CONFLICT;
    }
    return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db)) : 0;
}

/* Brings back u, a removed staff account: the new name, role and password, no second
 * factor nor recovery codes (its sessions and API tokens ended with its removal). */
static int staff_restore(struct db *db, struct user_row *u, const char *name, const char *role,
                         const char *password, struct pd_error *err)
{
    char hash[160];
    int64_t now = clock_now();
    COPY(u->name, name);
    u->roles = role_bit(role);
    if (password_hash(password, hash, sizeof(hash)) < 0)
        return pd_fail(err, PD_E_INTERNAL, "password hashing failed (out of memory?)");
    int rc = users_reinvite(db, u, now);
    if (rc == 1)
        rc = users_activate_invited(db, u->id, hash, now);
    secret_wipe(hash, sizeof(hash));
    if (rc == 1)
        rc = recovery_delete_for_user(db, u->id);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    return rc == 0 ? 0 : pd_fail(err, PD_E_CONFLICT, "a user with this email already exists");
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
    if (!password_length_valid(password))
        return invalid(err, "password", MSG_FIELD_PASSWORD_LENGTH, NULL);
    enum password_verdict verdict = password_judge(password, email, NULL);
    if (verdict != PASSWORD_OK)
        return invalid(err, "password",
                       verdict == PASSWORD_COMMON ? MSG_FIELD_PASSWORD_COMMON
                                                  : MSG_FIELD_PASSWORD_PERSONAL,
                       NULL);
    text_lower(email, lower, sizeof(lower));

    struct user_row u;
    int rc = tx_begin(db, err);
    if (rc < 0)
        return rc;
    rc = users_find_by_email(db, lower, &u);
    bool again = rc == 1 && strcmp(u.kind, "staff") == 0 && strcmp(u.status, "removed") == 0;
    if (rc < 0)
        rc = pd_fail(err, rc, "%s", db_errmsg(db));
    else if (again)
        rc = staff_restore(db, &u, name, role, password, err);
    else /* new, or anyone else's email: insert_user says so */
        rc = insert_user(db, "staff", NULL, lower, name, role, password, "fr", &u, err);
    if (rc == 0)
        rc = audit(db, NULL, "cli", NULL, "staff.created", "user", u.id,
                   json_pack("{s:s, s:s, s:b}", "email", lower, "role", role, "again", again));
    return tx_end(db, rc, err);
}

int staff_remove(struct db *db, const char *email, struct pd_error *err)
{
    char lower[256];
    struct user_row u;
    int64_t now = clock_now();
    text_lower(email, lower, sizeof(lower));
    int rc = tx_begin(db, err);
    if (rc < 0)
        return rc;
    rc = users_find_by_email(db, lower, &u);
    if (rc == 1 && (strcmp(u.kind, "staff") != 0 || strcmp(u.status, "removed") == 0))
        rc = 0;
    if (rc == 0)
        rc = pd_fail(err, PD_E_NOT_FOUND, "no staff account with this email");
    else if (rc == 1) /* signed out everywhere, its API tokens refused from the next call */
        rc = users_set_status(db, u.id, "removed", now);
    if (rc == 0)
        rc = sessions_delete_for_user(db, u.id, NULL);
    if (rc == 0)
        rc = tokens_revoke_for_user(db, u.id, now);
    if (rc == 0)
        rc = audit(db, NULL, "cli", NULL, "staff.removed", "user", u.id,
                   json_pack("{s:s}", "email", lower));
    return tx_end(db, rc, err);
}

int staff_list(struct db *db, struct user_row **out, int *count, struct pd_error *err)
{
    int rc = users_staff(db, out, count);
    return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db)) : 0;
}

/* Inserts the demo partner with a fresh membership ID. */
static int insert_demo_partner(struct db *db, struct partner_row *p)
{
    memset(p, 0, sizeof(*p));
    COPY(p->legal_name, "Contoso Conseil SARL");
    COPY(p->country, "FR");
    COPY(p->address_line1, "12 rue de la Paix");
    COPY(p->postal_code, "75002");
    COPY(p->city, "Paris");
    COPY(p->vat_id, "FR40303265045");
    COPY(p->siren, "303265045");
    COPY(p->locale, "fr");
    COPY(p->currency, "EUR");
    p->created_at = clock_now();
    id_new("ptn", p->id, sizeof(p->id));
    snprintf(p->membership_id, sizeof(p->membership_id), "%ld", random_between(1000000, 9999999));
    return partners_insert(db, p);
}

/* What the demo partner has done so far, through the same use cases as the portal: two
 * certified people (Silver is within reach) and Action Pack ordered by wire transfer,
 * its invoice issued and the transfer awaited (finance can record it). admin is the
 * partner's global admin, who does it. */
static int demo_history(struct db *db, const struct user_row *admin, char order_id[32],
                        struct pd_error *err)
{
    struct principal who;
    principal_of_user(admin, &who);
    static const char *const people[][3] = {
        {"Julie Moreau", "julie.moreau@contoso.example",
         "Microsoft Certified: Azure Administrator"},
        {"Hugo Lefèvre", "hugo.lefevre@contoso.example", "Microsoft Certified: Security Engineer"},
    };
    json_t *out = NULL;
    int rc = 0;
    for (size_t i = 0; rc >= 0 && i < sizeof(people) / sizeof(people[0]); i++) {
        json_t *body = json_pack("{s:s, s:s, s:s}", "name", people[i][0], "email", people[i][1],
                                 "certification", people[i][2]);
        rc = certified_people_add(db, &who, "demo", body, &out, err);
        json_decref(body);
        json_decref(out);
        out = NULL;
    }
    json_t *order =
        json_pack("{s:s, s:s, s:{s:s, s:{s:s, s:s, s:s}}}", "offer", "action-pack", "action",
                  "purchase", "payment", "method", "wire", "contact", "name", "Louis Bernard",
                  "phone", "+33 1 40 20 50 50", "email", "billing@contoso.example");
    if (rc >= 0)
        rc = orders_create(db, &who, "demo", order, "fr", &out, err);
    json_decref(order);
    if (rc >= 0) {
        char *id = order_id;
        snprintf(id, 32, "%s", json_string_value(json_object_get(out, "id")));
        json_decref(out);
        out = NULL;
        rc = orders_purchase(db, &who, "demo", id, "fr", &out, err);
    }
    json_decref(out);
    return rc < 0 ? rc : 0;
}

/* The transfer of the demo's Action Pack arrived (issue 18): finance records it, so the
 * membership is active and its benefits can be activated. finance is the staff user. */
static int demo_paid(struct db *db, const struct user_row *finance, const char *order_id,
                     struct pd_error *err)
{
    struct principal who;
    struct order_row o;
    json_t *out = NULL;
    char today[DATE_STRLEN];
    principal_of_user(finance, &who);
    int rc = orders_find(db, order_id, &o);
    if (rc <= 0)
        return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db)) : 0;
    json_t *body = json_pack("{s:s, s:I, s:s, s:s}", "reference", o.wire_reference, "amount_minor",
                             (json_int_t)o.total, "currency", o.currency, "received_on",
                             date_format(clock_today(), today));
    rc = wire_transfers_record(db, &who, "demo", body, &out, err);
    json_decref(body);
    json_decref(out);
    return rc < 0 ? rc : 0;
}

/* Stocked key pools (issue 18), so the demo's benefits can be activated: 25 made-up keys
 * for each software product of the catalog. */
static int demo_keys(struct db *db, struct pd_error *err)
{
    static const char *const products[] = {"windows-server", "office-ltsc"};
    static const char alphabet[] = "BCDFGHJKMPQRTVWXY2346789";
    for (size_t p = 0; p < sizeof(products) / sizeof(products[0]); p++) {
        char csv[25 * 31 + 1] = "";
        size_t o = 0;
        for (int k = 0; k < 25; k++) {
            for (int c = 0; c < 29; c++) {
                csv[o] = alphabet[random_between(0, sizeof(alphabet) - 2)];
                if (c % 6 == 5)
                    csv[o] = '-';
                o++;
            }
            csv[o++] = '\n';
        }
        csv[o] = '\0';
        json_t *out = NULL;
        int rc = bkeys_load(db, NULL, "demo", products[p], csv, &out, err);
        json_decref(out);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int demo_load(struct db *db, int *created, struct pd_error *err)
{
    struct partner_row p;
    struct user_row admin, u, finance;
    char order_id[32] = "";
    int64_t count = 0;
    *created = 0;
    int rc = tx_begin(db, err);
    if (rc < 0)
        return rc;
    rc = partners_count(db, &count);
    if (rc == 0 && count == 0) {
        if ((rc = insert_demo_partner(db, &p)) < 0)
            pd_fail(err, rc, "demo data: %s", db_errmsg(db));
        if (rc == 0)
            rc = insert_user(db, "partner", p.id, "admin@contoso.example", "Camille Martin",
                             "global_admin", DEMO_PASSWORD, "fr", &admin, err);
        if (rc == 0)
            rc = insert_user(db, "partner", p.id, "billing@contoso.example", "Louis Bernard",
                             "billing_admin", DEMO_PASSWORD, "fr", &u, err);
        if (rc == 0)
            rc = insert_user(db, "staff", NULL, "support@partnerd.example", "Sophie Support",
                             "support", DEMO_PASSWORD, "fr", &u, err);
        if (rc == 0)
            rc = insert_user(db, "staff", NULL, "finance@partnerd.example", "Farid Finance",
                             "finance", DEMO_PASSWORD, "fr", &finance, err);
        if (rc == 0)
            rc = insert_user(db, "staff", NULL, "operator@partnerd.example", "Olivia Operator",
                             "operator", DEMO_PASSWORD, "en", &u, err);
        char listed[32] = "";
        if (rc == 0 && (rc = directory_demo_load(db, listed, sizeof(listed))) < 0)
            pd_fail(err, rc, "demo data: %s", db_errmsg(db));
        if (rc == 0)
            rc = insert_user(db, "partner", listed, "admin@northwind.example", "Nadia Nord",
                             "global_admin", DEMO_PASSWORD, "fr", &u, err);
    }
    if ((rc = tx_end(db, rc, err)) < 0 || count > 0)
        return rc;
    if ((rc = demo_history(db, &admin, order_id, err)) < 0 ||
        (rc = demo_paid(db, &finance, order_id, err)) < 0 || (rc = demo_keys(db, err)) < 0)
        return rc;
    *created = 1;
    return 0;
}
