/* api/routes.c - the route table. Add a route here, its handler in its resource file and
 * its action's rule in authz.c (a route without a rule refuses to start). */
#include "api/api.h"

#define J ROUTE_JSON_BODY
#define SECRET ROUTE_SECRET_RESPONSE

const struct route api_routes[] = {
    {"GET", "/healthz", api_healthz, 0, "health.read"},
    {"GET", "/metrics", api_metrics, ROUTE_MONITORING, "metrics.read"},
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
    {"POST", "/api/v1/subscriptions/{id}/cancellation", api_subscription_cancellation, J,
     "support.write"},
    {"GET", "/api/v1/certified-people", api_certified_list, 0, "certified.read"},
    {"POST", "/api/v1/certified-people", api_certified_add, J, "certified.write"},
    {"DELETE", "/api/v1/certified-people/{id}", api_certified_delete, 0, "certified.write"},

    {"GET", "/api/v1/orders", api_orders_list, 0, "orders.read"},
    {"POST", "/api/v1/orders", api_orders_create, J, "orders.write"},
    {"GET", "/api/v1/orders/{id}", api_orders_get, 0, "orders.read"},
    {"POST", "/api/v1/orders/{id}/purchase", api_orders_purchase, J, "orders.write"},
    {"GET", "/api/v1/invoices", api_invoices_list, 0, "invoices.read"},
    {"GET", "/api/v1/invoices/{id}", api_invoices_get, 0, "invoices.read"},
    {"GET", "/api/v1/invoices/{id}/pdf", api_invoices_pdf, 0, "invoices.read"},
    {"GET", "/api/v1/payment-method", api_payment_method_get, 0, "payment_method.manage"},
    {"PUT", "/api/v1/payment-method", api_payment_method_put, J, "payment_method.manage"},

    {"GET", "/api/v1/support/categories", api_support_categories, 0, "support.catalog"},
    {"GET", "/api/v1/support-requests", api_support_list, 0, "support.read"},
    {"POST", "/api/v1/support-requests", api_support_create, J, "support.write"},
    {"GET", "/api/v1/support-requests/{id}", api_support_get, 0, "support.read"},
    {"PATCH", "/api/v1/support-requests/{id}", api_support_update, J, "support.manage"},
    {"POST", "/api/v1/support-requests/{id}/messages", api_support_message, J, "support.reply"},
    {"POST", "/api/v1/support-requests/{id}/reopen", api_support_reopen, J, "support.write"},
    {"POST", "/api/v1/support-requests/{id}/resolution", api_support_resolution, J,
     "support.manage"},
    {"POST", "/api/v1/support-requests/{id}/attachments", api_support_attach, ROUTE_UPLOAD,
     "support.reply"},
    {"GET", "/api/v1/support-requests/{id}/attachments/{aid}", api_support_attachment, 0,
     "support.read"},

    {"GET", "/api/v1/webhook-endpoints", api_webhooks_list, 0, "webhooks.manage"},
    {"POST", "/api/v1/webhook-endpoints", api_webhooks_create, J | SECRET, "webhooks.manage"},
    {"DELETE", "/api/v1/webhook-endpoints/{id}", api_webhooks_delete, 0, "webhooks.manage"},
    {"GET", "/api/v1/webhook-endpoints/{id}/deliveries", api_webhooks_deliveries, 0,
     "webhooks.manage"},

    {"GET", "/api/v1/audit-events", api_audit_events, 0, "audit.read"},
    {"GET", "/api/v1/admin/partners", api_admin_partners, 0, "admin.partners.read"},
    {"GET", "/api/v1/admin/clock", api_admin_clock_get, 0, "admin.clock"},
    {"PUT", "/api/v1/admin/clock", api_admin_clock, J, "admin.clock"},
    {"GET", "/api/v1/admin/dashboard", api_admin_dashboard, 0, "admin.dashboard"},
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
    {"GET", "/api/v1/admin/wire-transfers", api_admin_wire_transfers_list, 0,
     "admin.payments.read"},
    {"POST", "/api/v1/admin/wire-transfers", api_admin_wire_transfers_post, J,
     "admin.payments.write"},
    {"POST", "/api/v1/admin/bank-statements", api_admin_bank_statements, ROUTE_CSV_BODY,
     "admin.payments.write"},
    {"GET", "/api/v1/admin/orders/awaiting-payment", api_admin_orders_awaiting, 0,
     "admin.payments.read"},
    {"GET", "/api/v1/admin/refunds", api_admin_refunds, 0, "admin.payments.read"},
    {"POST", "/api/v1/admin/refunds/{id}/paid", api_admin_refund_paid, J,
     "admin.payments.write"},
    {"GET", "/api/v1/admin/deliveries", api_admin_deliveries, 0, "admin.deliveries.read"},
    {"POST", "/api/v1/admin/jobs/run", api_admin_jobs_run, J, "admin.jobs.run"},
    {"GET", "/api/v1/admin/settings", api_admin_settings_list, 0, "admin.settings"},
    {"PUT", "/api/v1/admin/settings/{key}", api_admin_settings_put, J, "admin.settings"},

    /* ---- e-invoices: Factur-X, VAT numbers, SIREN (issue 15) ---- */

    /* ---- card payments: tokens, SCA, Stripe (issue 16) ---- */

    /* ---- the portal (issue 17) ---- */
    {"GET", "/api/v1/admin/partners/{id}", api_admin_partner_page, 0, "admin.partners.read"},
    {"POST", "/api/v1/admin/wire-transfers/{id}/resolution", api_admin_wire_transfer_resolve, J,
     "admin.payments.write"},
    {"GET", "/api/v1/support-requests/{id}/resolution-preview", api_support_resolution_preview, 0,
     "support.manage"},

    /* ---- benefits (issue 18) ---- */

    /* ---- company profile, directory, referrals (issue 19) ---- */

    /* ---- scale: lists and exports (issue 20) ---- */

    /* ---- the ecosystem: OpenAPI, webhooks, bank files (issue 21) ---- */

    /* ---- faults and security (issues 14, 22) (issue 22) ---- */

    {0, 0, 0, 0, 0},
};
