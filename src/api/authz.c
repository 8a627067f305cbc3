/*
 * api/authz.c - who may call what: the one table of action x role, consulted before
 * every handler.
 *
 * A route names an action; the action's rule says whether the caller must be signed in,
 * which roles may call it, and a few flags. A partner never reaches another
 * organisation's objects: handlers look objects up within the caller's organisation and
 * answer 404 otherwise (the services enforce it). Staff hold no partner role, so every
 * partner-only action answers them 403.
 */
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "api/idempotency.h"
#include "core/crypto.h"
#include "service/auth.h"
#include "service/clock_sync.h"
#include "service/test_gateway.h"

#define PUBLIC 1u     /* no sign-in needed */
#define ENROL_OK 2u   /* allowed while the organisation still waits for the user's 2FA */
#define TEST_CLOCK 4u /* exists only under serve --test-clock (404 otherwise) */
#define TEST_GATEWAY 8u /* exists only while the test gateway is in use (404 otherwise) */
#define ANY_ROLE 0u   /* any signed-in user, partner or staff */

/* The largest body a caller who is not signed in may send (joining, signing in). */
#define PUBLIC_BODY_LIMIT ((size_t)64 * 1024)

struct rule {
    const char *action;
    unsigned roles;
    unsigned flags;
};

static const struct rule rules[] = {
    {"health.read", ANY_ROLE, PUBLIC},
    {"metrics.read", ANY_ROLE, PUBLIC},
    {"version.read", ANY_ROLE, PUBLIC},
    {"partners.join", ANY_ROLE, PUBLIC},
    {"sessions.create", ANY_ROLE, PUBLIC},
    {"invitations.accept", ANY_ROLE, PUBLIC},
    {"password_resets.request", ANY_ROLE, PUBLIC},
    {"password_resets.complete", ANY_ROLE, PUBLIC},
    {"sessions.delete", ANY_ROLE, ENROL_OK},
    {"me.read", ANY_ROLE, ENROL_OK},
    {"me.password", ANY_ROLE, ENROL_OK},
    {"me.second_factor", ANY_ROLE, ENROL_OK},
    {"me.second_factor_off", ANY_ROLE, 0},
    {"api_tokens.manage", ANY_ROLE, 0},
    {"partner.read", ROLES_PARTNER, 0},
    {"partner.write", ROLE_GLOBAL_ADMIN, 0},
    {"users.read", ROLE_GLOBAL_ADMIN | ROLE_ACCOUNT_ADMIN, 0},
    {"users.write", ROLE_GLOBAL_ADMIN, 0},
    {"offers.read", ROLES_PARTNER, 0},
    {"subscriptions.read", ROLES_PARTNER, 0},
    {"subscriptions.write", ROLE_GLOBAL_ADMIN | ROLE_ACCOUNT_ADMIN | ROLE_BILLING_ADMIN, 0},
    {"certified.read", ROLES_PARTNER, 0},
    {"certified.write", ROLE_GLOBAL_ADMIN | ROLE_ACCOUNT_ADMIN, 0},
    {"orders.read", ROLE_GLOBAL_ADMIN | ROLE_ACCOUNT_ADMIN | ROLE_BILLING_ADMIN, 0},
    {"orders.write", ROLE_GLOBAL_ADMIN | ROLE_BILLING_ADMIN, 0},
    {"invoices.read", ROLE_GLOBAL_ADMIN | ROLE_BILLING_ADMIN, 0},
    {"payment_method.manage", ROLE_GLOBAL_ADMIN | ROLE_BILLING_ADMIN, 0},
    {"admin.payments.read", ROLE_FINANCE | ROLE_OPERATOR | ROLE_SUPPORT, 0},
    {"admin.payments.write", ROLE_FINANCE | ROLE_OPERATOR, 0},
    {"webhooks.manage", ROLE_GLOBAL_ADMIN, 0},
    {"support.catalog", ROLES_PARTNER | ROLES_STAFF, 0},
    {"support.read", ROLES_PARTNER | ROLE_SUPPORT | ROLE_OPERATOR, 0},
    {"support.write", ROLE_GLOBAL_ADMIN | ROLE_ACCOUNT_ADMIN, 0},
    {"support.reply", ROLE_GLOBAL_ADMIN | ROLE_ACCOUNT_ADMIN | ROLE_SUPPORT | ROLE_OPERATOR, 0},
    {"support.manage", ROLE_SUPPORT | ROLE_OPERATOR, 0},
    {"admin.deliveries.read", ROLE_SUPPORT | ROLE_OPERATOR, 0},
    {"admin.jobs.run", ROLE_OPERATOR, 0},
    {"admin.dashboard", ROLES_STAFF, 0},
    {"audit.read", ROLE_GLOBAL_ADMIN | ROLE_OPERATOR, 0},
    {"admin.offers.read", ROLES_STAFF, 0},
    {"admin.offers.write", ROLE_OPERATOR, 0},
    {"admin.subscriptions.read", ROLES_STAFF, 0},
    {"admin.subscriptions.migrate", ROLE_OPERATOR, 0},
    {"admin.partners.read", ROLES_STAFF, 0},
    {"admin.clock", ROLE_OPERATOR, TEST_CLOCK},
    {"admin.settings", ROLE_OPERATOR, 0},

    /* ---- e-invoices: Factur-X, VAT numbers, SIREN (issue 15) ---- */

    /* ---- card payments: tokens, SCA, Stripe (issue 16) ---- */
    {"test_gateway.tokenize", ANY_ROLE, PUBLIC | TEST_GATEWAY},
    {"test_gateway.challenge", ANY_ROLE, PUBLIC | TEST_GATEWAY},
    {"payment_events.receive", ANY_ROLE, PUBLIC},
    {"payment_gateway.read", ANY_ROLE, PUBLIC},

    /* ---- the portal (issue 17) ---- */

    /* ---- benefits (issue 18) ---- */
    {"benefits.read", ROLES_PARTNER, 0},
    {"benefits.activate", ROLE_GLOBAL_ADMIN | ROLE_ACCOUNT_ADMIN, 0},
    {"benefits.keys", ROLES_PARTNER, 0},
    {"admin.benefits.read", ROLES_STAFF, 0},
    {"admin.benefits.write", ROLE_OPERATOR, 0},

    /* ---- company profile, directory, referrals (issue 19) ---- */
    {"company_profile.read", ROLES_PARTNER, 0},
    {"company_profile.write", ROLE_GLOBAL_ADMIN | ROLE_ACCOUNT_ADMIN, 0},
    {"directory.read", ANY_ROLE, PUBLIC},
    {"referrals.request", ANY_ROLE, PUBLIC},
    {"referrals.read", ROLE_GLOBAL_ADMIN | ROLE_ACCOUNT_ADMIN | ROLE_REFERRAL_MANAGER, 0},
    {"referrals.write", ROLE_GLOBAL_ADMIN | ROLE_ACCOUNT_ADMIN | ROLE_REFERRAL_MANAGER, 0},
    {"admin.directory", ROLE_OPERATOR, 0},

    /* ---- scale: lists and exports (issue 20) ---- */

    /* ---- the ecosystem: OpenAPI, webhooks, bank files (issue 21) ---- */
    {"openapi.read", ANY_ROLE, PUBLIC},

    /* ---- faults and security (issues 14, 22) (issue 22) ---- */
};

static const struct rule *rule_for(const char *action)
{
    for (size_t i = 0; action && i < sizeof(rules) / sizeof(rules[0]); i++)
        if (strcmp(rules[i].action, action) == 0)
            return &rules[i];
    return NULL;
}

int api_check_routes(void)
{
    int missing = 0;
    for (const struct route *rt = api_routes; rt->method; rt++) {
        const struct rule *rule = rule_for(rt->action);
        /* a route without the database cannot know who calls: public, or refused */
        if (rule == NULL ||
            ((rt->flags & (ROUTE_NO_DB | ROUTE_DB_OPTIONAL)) && !(rule->flags & PUBLIC)))
            missing++;
    }
    return missing ? -1 : 0;
}

bool api_action_public(const char *action)
{
    const struct rule *rule = rule_for(action);
    return rule && (rule->flags & PUBLIC);
}

/* Authenticates from the bearer token or the session cookie. */
static int identify(struct req *r, struct principal *who, bool *by_cookie, struct pd_error *err)
{
    const char *authz = req_header(r, "Authorization");
    *by_cookie = false;
    if (authz) {
        if (strncasecmp(authz, "Bearer ", 7) != 0)
            return pd_fail(err, PD_E_UNAUTHENTICATED, NULL);
        return auth_api_token(r->db, authz + 7, who, err);
    }
    const char *cookie = req_cookie(r, "pd_session");
    if (cookie == NULL)
        return pd_fail(err, PD_E_UNAUTHENTICATED, NULL);
    *by_cookie = true;
    return auth_session(r->db, cookie, who, err);
}

int api_authorize(struct req *r, struct resp *w)
{
    (void)w;
    int rc = r->db ? clock_sync(r->db) : 0; /* none for a route that never uses it */
    if (rc < 0)
        return rc;
    const struct rule *rule = rule_for(r->route->action);
    if (rule == NULL || (r->db == NULL && !(rule->flags & PUBLIC))) /* fail closed; */
        return PD_E_FORBIDDEN; /* api_check_routes() prevents both at start-up */
    if ((rule->flags & TEST_CLOCK) && !clock_sync_enabled())
        return PD_E_NOT_FOUND;
    if ((rule->flags & TEST_GATEWAY) && !test_gateway_enabled())
        return PD_E_NOT_FOUND;
    if (rule->flags & PUBLIC) {
        /* anyone may send these: they get a small body, whatever the route's usual */
        if (r->body_limit > PUBLIC_BODY_LIMIT)
            r->body_limit = PUBLIC_BODY_LIMIT;
        return 0;
    }

    struct principal *who = arena_alloc(&r->arena, sizeof(*who));
    struct pd_error err = {0};
    bool by_cookie;
    rc = identify(r, who, &by_cookie, &err);
    pd_error_clear(&err);
    if (rc < 0)
        return rc;
    /* a cookie rides along with any cross-site request: changes need the CSRF token */
    if (by_cookie && strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
        const char *csrf = req_header(r, "X-CSRF-Token");
        if (csrf == NULL || !secret_equal(csrf, who->csrf_token))
            return PD_E_CSRF;
    }
    r->principal = who;
    if (who->must_enrol_2fa && !(rule->flags & ENROL_OK))
        return PD_E_ENROLMENT_REQUIRED;
    if (rule->roles != ANY_ROLE && !(who->roles & rule->roles))
        return PD_E_FORBIDDEN;
    return 0;
}

int api_before_request(struct req *r, struct resp *w)
{
    return idempotency_begin(r, w);
}

void api_after_request(struct req *r, struct resp *w)
{
    idempotency_end(r, w);
}
