/*
 * api/api.h - the route table of HTTP API v1 and the handlers behind it.
 *
 * One file per resource; each handler parses its input, calls one service function and
 * writes JSON. Handlers never write SQL and include only api/, http/, service/ and core/
 * headers. Who may call what is decided before any handler runs, by the authorization
 * table in authz.c.
 *
 * One error style. Every service function fills a struct pd_error when it fails, and the
 * handler hands it to api_fail(), which writes it in the caller's language:
 *
 *     struct pd_error err = {0};
 *     json_t *out;
 *     if (orders_get(r->db, r->principal, req_param(r, "id"), &out, &err) < 0)
 *         return api_fail(r, w, &err);
 *     resp_json(r, w, 200, out);
 *     return 0;
 */
#ifndef PD_API_H
#define PD_API_H

#include "http/request.h"
#include "http/router.h"
#include "service/page.h"

/* Every route partnerd serves, ending with a zeroed entry. */
extern const struct route api_routes[];

/* Runs once a request's headers are in, before its body is read: the shared test clock,
 * who is calling and whether the authorization table lets them. Callers who are not
 * signed in get a small body limit. */
int api_authorize(struct req *r, struct resp *w);

/* Runs before every handler, body in: the replay of an Idempotency-Key seen before. */
int api_before_request(struct req *r, struct resp *w);

/* Runs after every handler: keeps the answer of an Idempotency-Key. */
void api_after_request(struct req *r, struct resp *w);

/* 0 when every route's action has a rule in the authorization table (start-up check). */
int api_check_routes(void);

/* Whether action's rule lets anyone call it, signed in or not. */
bool api_action_public(const char *action);

/* An answer for a failed service call. Returns 0 (the response is written). */
int api_fail(struct req *r, struct resp *w, struct pd_error *err);

/* {"items": items, "next_cursor": next or null}. */
void api_list(struct req *r, struct resp *w, json_t *items, const char *next);

/* The page parameters of the query string: ?limit= and ?cursor= (service/page.h). */
struct page_in api_page_in(struct req *r);

/* 204 No Content. */
void api_no_content(struct req *r, struct resp *w);

/* health.c */
int api_healthz(struct req *r, struct resp *w);
int api_metrics(struct req *r, struct resp *w);
int api_version(struct req *r, struct resp *w);

/* sessions.c: signing in and out, me, password, second factor, API tokens */
int api_sessions_create(struct req *r, struct resp *w);
int api_sessions_delete(struct req *r, struct resp *w);
int api_me(struct req *r, struct resp *w);
int api_me_password(struct req *r, struct resp *w);
int api_me_totp_begin(struct req *r, struct resp *w);
int api_me_totp_confirm(struct req *r, struct resp *w);
int api_me_totp_disable(struct req *r, struct resp *w);
int api_tokens_create(struct req *r, struct resp *w);
int api_tokens_list(struct req *r, struct resp *w);
int api_tokens_delete(struct req *r, struct resp *w);

/* members.c: joining, the organisation and its users */
int api_partners_join(struct req *r, struct resp *w);
int api_partner_get(struct req *r, struct resp *w);
int api_partner_update(struct req *r, struct resp *w);
int api_users_list(struct req *r, struct resp *w);
int api_users_invite(struct req *r, struct resp *w);
int api_users_update(struct req *r, struct resp *w);
int api_users_delete(struct req *r, struct resp *w);
int api_invitations_accept(struct req *r, struct resp *w);
int api_password_resets_request(struct req *r, struct resp *w);
int api_password_resets_complete(struct req *r, struct resp *w);

/* admin.c: the program owner's side */
int api_admin_partners(struct req *r, struct resp *w);
int api_admin_clock(struct req *r, struct resp *w);
int api_admin_clock_get(struct req *r, struct resp *w);
int api_admin_dashboard(struct req *r, struct resp *w);
int api_audit_events(struct req *r, struct resp *w);
int api_admin_settings_list(struct req *r, struct resp *w);
int api_admin_settings_put(struct req *r, struct resp *w);

/* subscriptions.c: offers, subscriptions, certified people, catalog, PMC migration */
int api_offers(struct req *r, struct resp *w);
int api_subscriptions_list(struct req *r, struct resp *w);
int api_subscriptions_get(struct req *r, struct resp *w);
int api_subscriptions_patch(struct req *r, struct resp *w);
int api_certified_list(struct req *r, struct resp *w);
int api_certified_add(struct req *r, struct resp *w);
int api_certified_delete(struct req *r, struct resp *w);
int api_admin_offers(struct req *r, struct resp *w);
int api_admin_offer_price(struct req *r, struct resp *w);
int api_admin_offers_add(struct req *r, struct resp *w);
int api_admin_subscriptions(struct req *r, struct resp *w);
int api_admin_subscription_migrate(struct req *r, struct resp *w);
int api_admin_subscriptions_migrate_all(struct req *r, struct resp *w);

/* orders.c: orders, invoices, saved card, wire transfers */
int api_orders_create(struct req *r, struct resp *w);
int api_orders_purchase(struct req *r, struct resp *w);
int api_orders_get(struct req *r, struct resp *w);
int api_orders_list(struct req *r, struct resp *w);
int api_invoices_list(struct req *r, struct resp *w);
int api_invoices_get(struct req *r, struct resp *w);
int api_invoices_pdf(struct req *r, struct resp *w);
int api_payment_method_get(struct req *r, struct resp *w);
int api_payment_method_put(struct req *r, struct resp *w);
int api_admin_wire_transfers_post(struct req *r, struct resp *w);
int api_admin_wire_transfers_list(struct req *r, struct resp *w);
int api_admin_bank_statements(struct req *r, struct resp *w);
int api_admin_orders_awaiting(struct req *r, struct resp *w);

/* webhooks.c */
int api_webhooks_list(struct req *r, struct resp *w);
int api_webhooks_create(struct req *r, struct resp *w);
int api_webhooks_delete(struct req *r, struct resp *w);
int api_webhooks_deliveries(struct req *r, struct resp *w);
int api_admin_deliveries(struct req *r, struct resp *w);
int api_admin_jobs_run(struct req *r, struct resp *w);

/* support.c */
int api_support_categories(struct req *r, struct resp *w);
int api_support_list(struct req *r, struct resp *w);
int api_support_create(struct req *r, struct resp *w);
int api_support_get(struct req *r, struct resp *w);
int api_support_message(struct req *r, struct resp *w);
int api_support_update(struct req *r, struct resp *w);
int api_support_reopen(struct req *r, struct resp *w);
int api_support_resolution(struct req *r, struct resp *w);
int api_support_attach(struct req *r, struct resp *w);
int api_support_attachment(struct req *r, struct resp *w);
int api_subscription_cancellation(struct req *r, struct resp *w);
int api_admin_refunds(struct req *r, struct resp *w);
int api_admin_refund_paid(struct req *r, struct resp *w);

/* ---- e-invoices: Factur-X, VAT numbers, SIREN (issue 15) ---- */
/* einvoices.c: an invoice's Factur-X XML alone */
int api_invoices_xml(struct req *r, struct resp *w);


/* ---- card payments: tokens, SCA, Stripe (issue 16) ---- */
/* test_gateway.c: the test gateway's hosted fields (test mode only) */
int api_test_gateway_tokens(struct req *r, struct resp *w);
int api_test_gateway_challenge(struct req *r, struct resp *w);
int api_test_gateway_challenge_answer(struct req *r, struct resp *w);
/* test_gateway.c: the gateway's signed events about charges (3-D Secure outcomes) */
int api_payment_events(struct req *r, struct resp *w);
/* test_gateway.c: which gateway the portal's card form hands the card to */
int api_payment_gateway(struct req *r, struct resp *w);


/* ---- the portal (issue 17) ---- */
int api_admin_partner_page(struct req *r, struct resp *w);
int api_admin_wire_transfer_resolve(struct req *r, struct resp *w);
int api_support_resolution_preview(struct req *r, struct resp *w);


/* ---- benefits (issue 18) ---- */
/* benefits.c: the partner's benefits and keys; usage, key pools, benefit rules */
int api_benefits_list(struct req *r, struct resp *w);
int api_benefits_get(struct req *r, struct resp *w);
int api_benefits_activate(struct req *r, struct resp *w);
int api_benefits_keys(struct req *r, struct resp *w);
int api_admin_benefits_usage(struct req *r, struct resp *w);
int api_admin_key_pools(struct req *r, struct resp *w);
int api_admin_key_pool_keys(struct req *r, struct resp *w);
int api_admin_key_pool_load(struct req *r, struct resp *w);
int api_admin_key_pools_reseal(struct req *r, struct resp *w);
int api_admin_offer_benefits(struct req *r, struct resp *w);
int api_admin_offer_benefits_put(struct req *r, struct resp *w);


/* ---- company profile, directory, referrals (issue 19) ---- */
/* directory.c: the company profile, the public directory, referrals, their funnel */
int api_company_profile_get(struct req *r, struct resp *w);
int api_company_profile_put(struct req *r, struct resp *w);
int api_company_profile_logo_put(struct req *r, struct resp *w);
int api_company_profile_logo_get(struct req *r, struct resp *w);
int api_company_profile_publish(struct req *r, struct resp *w);
int api_company_profile_unpublish(struct req *r, struct resp *w);
int api_directory_search(struct req *r, struct resp *w);
int api_directory_partner(struct req *r, struct resp *w);
int api_directory_logo(struct req *r, struct resp *w);
int api_directory_catalog(struct req *r, struct resp *w);
int api_directory_referral(struct req *r, struct resp *w);
int api_referral_confirm(struct req *r, struct resp *w);
int api_referral_erase(struct req *r, struct resp *w);
int api_referrals_list(struct req *r, struct resp *w);
int api_referrals_get(struct req *r, struct resp *w);
int api_referrals_status(struct req *r, struct resp *w);
int api_referrals_note(struct req *r, struct resp *w);
int api_admin_referral_funnel(struct req *r, struct resp *w);
int api_admin_directory_catalog_put(struct req *r, struct resp *w);
int api_admin_directory_catalog_delete(struct req *r, struct resp *w);


/* ---- scale: lists and exports (issue 20) ---- */


/* ---- the ecosystem: OpenAPI, webhooks, bank files (issue 21) ---- */
/* openapi.c: the API contract as JSON */
int api_openapi(struct req *r, struct resp *w);
/* webhooks.c: a new Standard Webhooks secret for an endpoint */
int api_webhooks_rotate_secret(struct req *r, struct resp *w);
/* bank_files.c: camt.053 statements in, SEPA credit transfer files out */
int api_admin_bank_statements_camt(struct req *r, struct resp *w);
int api_admin_transfer_files_create(struct req *r, struct resp *w);
int api_admin_transfer_file_get(struct req *r, struct resp *w);


/* ---- faults and security (issues 14, 22) (issue 22) ---- */


#endif
