/*
 * service/referrals.h - referrals: a customer's request to a listed partner, and its life.
 *
 *   unconfirmed --(the customer opens the emailed link within 48 h)--> new
 *   new --> accepted | declined (a reason)      by the partner, before respond_by
 *   new --> expired                             the referral_expiry job, the customer told
 *   accepted --> won | lost
 *
 * The partner hears of a referral only once the customer confirmed it (event
 * referral.created, then referral.updated: an email to the profile's contact address and
 * the organisation's webhooks). Abuse-proofing: per client address and per email rate
 * limits (settings), a honeypot field, the confirmation. Personal data is erased by the
 * referral_retention job after referral.retention_months, or at once by the link in
 * every email the customer gets.
 */
#ifndef PD_SERVICE_REFERRALS_H
#define PD_SERVICE_REFERRALS_H

#include <jansson.h>

#include "core/error.h"
#include "service/page.h"
#include "service/principal.h"

struct db;

/* A page of the organisation's referrals, newest first, status NULL for all: {"items",
 * "counts", "next_cursor"}. */
int referral_page(struct db *db, const struct principal *who, const char *status,
                  const struct page_in *page, json_t **out, struct pd_error *err);

/* One referral of the organisation, with its notes. */
int referral_get(struct db *db, const struct principal *who, const char *id, json_t **out,
                 struct pd_error *err);

/* Moves a referral ({"status": "accepted"|"declined"|"won"|"lost", "reason"}). */
int referral_change(struct db *db, const struct principal *who, const char *ip, const char *id,
                    const json_t *body, json_t **out, struct pd_error *err);

/* Adds a note ({"body"}); answers the referral. */
int referral_note(struct db *db, const struct principal *who, const char *ip, const char *id,
                  const json_t *body, json_t **out, struct pd_error *err);

/* Staff: {"overall": funnel, "partners": [funnel + partner_id, name]}. */
int referral_funnel(struct db *db, json_t **out, struct pd_error *err);

/* Job referral_expiry: new referrals past their answer's deadline expire. */
int referral_expiry_run(struct db *db);

/* Job referral_retention: erases referrals older than the retention and deletes those never
 * confirmed. */
int referral_retention_run(struct db *db);

#endif
