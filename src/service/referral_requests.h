/*
 * service/referral_requests.h - the customer's side of a referral (public, no sign-in):
 * the request to a listed partner, its confirmation and the erasure of their data. The
 * referral's life on the partner's side is service/referrals.h.
 */
#ifndef PD_SERVICE_REFERRAL_REQUESTS_H
#define PD_SERVICE_REFERRAL_REQUESTS_H

#include <jansson.h>

#include "core/error.h"

struct db;

/* Hours a customer has to confirm a referral. */
#define REFERRAL_CONFIRM_HOURS 48

/* A customer's request to the partner listed as slug (public). Answers {"status":
 * "confirmation_sent"} whether stored or caught by the honeypot. */
int referral_request(struct db *db, const char *slug, const char *ip, const char *lang,
                     const json_t *body, json_t **out, struct pd_error *err);

/* The customer confirms with the emailed token ({"token"}); PD_E_REFERRAL_LINK_INVALID when
 * it is unknown, used or past its 48 hours. */
int referral_confirm_link(struct db *db, const json_t *body, json_t **out, struct pd_error *err);

/* The customer erases their data with the token of any of their emails ({"token"}). */
int referral_erase_link(struct db *db, const json_t *body, json_t **out, struct pd_error *err);

#endif
