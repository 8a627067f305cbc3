/* api/routes.c - the route table. Add a route here, its handler in its resource file and
 * its action's rule in authz.c (a route without a rule refuses to start). */
#include "api/api.h"

#define J ROUTE_JSON_BODY
#define SECRET ROUTE_SECRET_RESPONSE

const struct route api_routes[] = {
    {"GET", "/healthz", api_healthz, 0, "health.read"},
    {"GET", "/metrics", api_metrics, 0, "metrics.read"},
    {"GET", "/api/v1/version", api_version, 0, "version.read"},

    {"POST", "/api/v1/partners", api_partners_join, J, "partners.join"},
    {"POST", "/api/v1/sessions", api_sessions_create, J | SECRET, "sessions.create"},
    {"DELETE", "/api/v1/sessions/current", api_sessions_delete, 0, "sessions.delete"},
    {"GET", "/api/v1/me", api_me, 0, "me.read"},
    {"POST", "/api/v1/me/password", api_me_password, J, "me.password"},
    {"POST", "/api/v1/me/totp", api_me_totp_begin, J | SECRET, "me.second_factor"},
    {"POST", "/api/v1/me/totp/confirm", api_me_totp_confirm, J | SECRET, "me.second_factor"},
    {"POST", "/api/v1/me/totp/disable", api_me_totp_disable, J, "me.second_factor_off"},
    {"GET", "/api/v1/api-tokens", api_tokens_list, 0, "api_tokens.manage"},
    {"POST", "/api/v1/api-tokens", api_tokens_create, J | SECRET, "api_tokens.manage"},
    {"DELETE", "/api/v1/api-tokens/{id}", api_tokens_delete, 0, "api_tokens.manage"},

    {"GET", "/api/v1/partner", api_partner_get, 0, "partner.read"},
    {"PATCH", "/api/v1/partner", api_partner_update, J, "partner.write"},
    {"GET", "/api/v1/users", api_users_list, 0, "users.read"},
    {"POST", "/api/v1/users", api_users_invite, J | SECRET, "users.write"},
    {"PATCH", "/api/v1/users/{id}", api_users_update, J, "users.write"},
    {"DELETE", "/api/v1/users/{id}", api_users_delete, 0, "users.write"},
    {"POST", "/api/v1/invitations/{token}/accept", api_invitations_accept, J,
     "invitations.accept"},

    {"GET", "/api/v1/offers", api_offers, 0, "offers.read"},
    {"GET", "/api/v1/subscriptions", api_subscriptions_list, 0, "subscriptions.read"},
    {"GET", "/api/v1/subscriptions/{id}", api_subscriptions_get, 0, "subscriptions.read"},
    {"PATCH", "/api/v1/subscriptions/{id}", api_subscriptions_patch, J, "subscriptions.write"},
    {"GET", "/api/v1/certified-people", api_certified_list, 0, "certified.read"},
    {"POST", "/api/v1/certified-people", api_certified_add, J, "certified.write"},
    {"DELETE", "/api/v1/certified-people/{id}", api_certified_delete, 0, "certified.write"},

    {"GET", "/api/v1/audit-events", api_audit_events, 0, "audit.read"},
    {"GET", "/api/v1/admin/partners", api_admin_partners, 0, "admin.partners.read"},
    {"PUT", "/api/v1/admin/clock", api_admin_clock, J, "admin.clock"},
    {"GET", "/api/v1/admin/offers", api_admin_offers, 0, "admin.offers.read"},
    {"POST", "/api/v1/admin/offers", api_admin_offers_add, J, "admin.offers.write"},
    {"PUT", "/api/v1/admin/offers/{code}/prices/{currency}", api_admin_offer_price, J,
     "admin.offers.write"},
    {"GET", "/api/v1/admin/subscriptions", api_admin_subscriptions, 0,
     "admin.subscriptions.read"},
    {"POST", "/api/v1/admin/subscriptions/migrate-all", api_admin_subscriptions_migrate_all, J,
     "admin.subscriptions.migrate"},
    {"POST", "/api/v1/admin/subscriptions/{id}/migrate", api_admin_subscription_migrate, J,
     "admin.subscriptions.migrate"},
    {"GET", "/api/v1/admin/settings", api_admin_settings_list, 0, "admin.settings"},
    {"PUT", "/api/v1/admin/settings/{key}", api_admin_settings_put, J, "admin.settings"},
    {0, 0, 0, 0, 0},
};
