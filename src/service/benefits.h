/*
 * service/benefits.h - what a membership gives (issue 18): the grants of each term, their
 * activation and use, the catalog's rules, the staff's usage view and the daily job.
 *
 * States come from core/benefit.c on the business date; nothing derived is stored.
 * Another organisation's grant answers PD_E_NOT_FOUND.
 */
#ifndef PD_SERVICE_BENEFITS_H
#define PD_SERVICE_BENEFITS_H

#include <jansson.h>

#include "core/benefit.h"
#include "core/error.h"
#include "service/page.h"
#include "service/principal.h"

struct db;
struct tx_workers;
struct grant_row;
struct sub_row;
struct subs_context;

/* The facts core/benefit.c reasons on for a grant, its subscription's state taken on
 * today. */
struct benefit_facts benefits_facts(const struct grant_row *g, const struct sub_row *s,
                                    const struct subs_context *ctx, struct date today);

/* Inside the transaction that starts a term: grants the offer's benefits as the catalog
 * has them now, for that term (a second call for the same term does nothing). The term is
 * marked granted by its insert (subs_add_term) or by the caller (grants_term_done). */
int benefits_grant_term(struct db *db, const char *subscription_id, const char *partner_id,
                        const char *offer_code, int term, const char *starts_on,
                        const char *expires_on);

/* The caller's organisation's benefits (current terms): [{"id","kind","group","product",
 * "name","quantity","used","remaining","state","starts_on","ends_on","activate_by",
 * "subscription_id","offer":{"code","name"},"tenant_domain","queued","can_activate"}]. */
int benefits_list(struct db *db, const struct principal *who, const char *lang, json_t **items,
                  struct pd_error *err);

/* One benefit of the caller's organisation. */
int benefits_get(struct db *db, const struct principal *who, const char *id, const char *lang,
                 json_t **out, struct pd_error *err);

/* Activates a benefit: software keys {"count"?} (default: all that are left), a cloud
 * subscription {"tenant_domain","seats"}. PD_E_BENEFIT_NOT_AVAILABLE when its state does
 * not allow it; PD_E_KEY_POOL_EMPTY (details.queued true) when the pool has too few keys:
 * the request is then queued (committed) and served when keys arrive. */
int benefits_activate(struct db *db, const struct principal *who, const char *ip, const char *id,
                      const json_t *body, const char *lang, json_t **out, struct pd_error *err);

/* Inside a support request's transaction: uses one support incident of the organisation
 * for request_id. PD_E_NO_SUPPORT_INCIDENT_LEFT when none is left. */
int benefits_use_incident(struct db *db, const char *partner_id, const char *request_id,
                          struct pd_error *err);

/* Inside the transaction that closes a request as "not a defect": gives its incident
 * back, if it used one. */
int benefits_return_incident(struct db *db, const char *request_id);

/* Support incidents the organisation has left today (for the support form). */
int benefits_incidents_left(struct db *db, const char *partner_id, int *left);

/* Inside a key load's transaction: serves the activations waiting for keys of product,
 * first come first, while the pool has enough; *served counts them. */
int benefits_serve_queue(struct db *db, const struct principal *who, const char *ip,
                         const char *product, int *served);

/* Staff: a page of the usage per organisation and product: [{"partner_id","partner",
 * "product","kind","name","granted","used"}], organisations newest first (the order they
 * joined), each one's lines by product. A page of `limit` lines may end inside an
 * organisation: its cursor names the organisation and how many of its lines were shown. */
int benefits_usage(struct db *db, const char *lang, const struct page_in *page, json_t **items,
                   char next[CURSOR_TEXT_MAX], struct pd_error *err);

/* The same as CSV text (malloc'd, owner: caller). */
struct usage_export;

/* The usage report as CSV, written a chunk at a time (by organisation id, product, kind)
 * so that no export is ever held whole in memory: new() starts one (NULL when out of
 * memory), read() gives its next bytes (at most max; 0 at the end, -1 on a database
 * error), free() ends it. Each chunk is one short indexed query. */
struct usage_export *benefits_usage_export_new(const char *lang);
long benefits_usage_export_read(struct usage_export *x, struct db *db, char *out, size_t max);
void benefits_usage_export_free(struct usage_export *x);

/* Staff: the rules of an offer's benefits. */
int benefits_rules(struct db *db, const char *offer_code, const char *lang, json_t **items,
                   struct pd_error *err);

/* Operator: replaces the rules of an offer ({"benefits":[{"kind","product","name":{fr,en},
 * "quantity","deadline_days"?}]}); terms granted before keep what they were granted. */
int benefits_set_rules(struct db *db, const struct principal *who, const char *ip,
                       const char *offer_code, const json_t *body, const char *lang, json_t **items,
                       struct pd_error *err);

/* The daily job: grants terms that have none yet, announces revocations (lapse,
 * cancellation: benefit.revoked) and sends deadline reminders 30 and 7 days before, its
 * grants' transactions spread over w's connections. Returns how many events it wrote, or
 * a negative status. */
int benefits_run(const struct tx_workers *w);

#endif
