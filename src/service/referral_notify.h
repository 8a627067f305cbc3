/*
 * service/referral_notify.h - the texts and events of a referral, shared by the
 * customer's side (service/referral_requests.c), the partner's side and the jobs
 * (service/referrals.c).
 */
#ifndef PD_SERVICE_REFERRAL_NOTIFY_H
#define PD_SERVICE_REFERRAL_NOTIFY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "service/settings.h"
#include "store/referrals.h"

struct db;

/* {"fr", "en"}: the status's name in both languages (the code itself when unknown). */
json_t *referral_status_label(const char *status);

/* The portal's address of path followed by token (may be NULL) into out. */
void referral_link(const struct settings *s, const char *path, const char *token, char *out,
                   size_t n);

/* referral.created or referral.updated to the partner; for the customer, a notice of an
 * answer or an expiry (with the erase link) unless their data is gone. In the caller's
 * transaction. */
int referral_tell(struct db *db, const struct settings *s, const struct referral_row *r,
                  const char *event, bool customer_too);

#endif
