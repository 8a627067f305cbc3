/*
 * service/password_reset.h - "forgot password": a one-time link, by email, to set another.
 *
 * Asking answers the same whatever the address (an account or not, active or not), with
 * the same work done, so that nobody learns who has an account; each ask counts against
 * the caller's address and the email asked about (the auth.* settings, as sign-in), and
 * past them answers 429. For an active user it ends their earlier links and queues an
 * email in their language; the link itself is minted when the email is sent
 * (service/delivery.c), so no secret waits in the outbox. Following the link sets the
 * password, ends the user's other links, every session and API token (as a password
 * change does), and clears the account's sign-in lock; it does not skip the second
 * factor, which the next sign-in still asks.
 */
#ifndef PD_SERVICE_PASSWORD_RESET_H
#define PD_SERVICE_PASSWORD_RESET_H

#include <jansson.h>
#include <stdint.h>

#include "core/error.h"

struct db;

/* A reset link works for this long. */
#define PASSWORD_RESET_SECONDS ((int64_t)3600)

/* Asks for a reset link for body's "email", answering from ip in lang; *out is the one
 * answer every address gets ({"message"}). PD_E_INVALID_REQUEST for a body without a
 * well-formed email, PD_E_TOO_MANY_ATTEMPTS (details.retry_after) past the limits. */
int password_reset_request(struct db *db, const json_t *body, const char *ip, const char *lang,
                           json_t **out, struct pd_error *err);

/* Sets body's "password" from the link's token; *out is the user. PD_E_PASSWORD_RESET_INVALID
 * when the link is unknown, used or expired; PD_E_INVALID_REQUEST (details.fields) for a
 * password the rules refuse. */
int password_reset_complete(struct db *db, const char *token, const json_t *body, const char *ip,
                            json_t **out, struct pd_error *err);

/* Mints the link of a user.password_reset email as it is sent: a new token for the
 * payload's user_id until its expires_at, the user's earlier links ended (the newest email
 * is the one that works), and payload's "link" set to portal_url/mot-de-passe/TOKEN. An
 * error leaves payload without a link. */
void password_reset_email_link(struct db *db, const char *portal_url, json_t *payload);

#endif
