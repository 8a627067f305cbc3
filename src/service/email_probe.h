/*
 * service/email_probe.h - who is registered is not learned by trying emails.
 *
 * Joining and inviting must say when an email is already used (the flow cannot go on),
 * so each such answer counts against the caller's address like a failed sign-in
 * (settings auth.address_max_failures within auth.window_seconds); once past it, join and
 * invite answer 429 for auth.lock_seconds whatever the email, so an address can test a
 * handful of emails, not a list.
 */
#ifndef PD_SERVICE_EMAIL_PROBE_H
#define PD_SERVICE_EMAIL_PROBE_H

#include "core/error.h"

struct db;

/* 0, or PD_E_TOO_MANY_ATTEMPTS (details.retry_after) while ip is locked out. */
int email_probe_check(struct db *db, const char *ip, struct pd_error *err);

/* Counts an "email taken" answer to ip (its own transaction: call it after the use case's
 * transaction was rolled back). */
void email_probe_taken(struct db *db, const char *ip);

#endif
