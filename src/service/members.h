/*
 * service/members.h - joining the network and managing an organisation's users.
 *
 * Each function that changes data is one transaction. Objects of another organisation
 * answer PD_E_NOT_FOUND, as if they did not exist. The API objects of a partner and of a
 * user are shaped here, once (members_partner_view, members_user_view).
 */
#ifndef PD_MEMBERS_H
#define PD_MEMBERS_H

#include <jansson.h>
#include <stdint.h>

#include "core/error.h"
#include "service/page.h"
#include "service/principal.h"

struct db;
struct partner_row;
struct user_row;

/* Invitations are valid for this long. */
#define INVITATION_SECONDS ((int64_t)7 * 24 * 3600)

/* Joins the network (SPEC section 1): a new organisation with a fresh 7-digit membership
 * ID and its first user, a global_admin. body is the request; *out {"partner","user"}. */
int members_join(struct db *db, const json_t *body, const char *ip, json_t **out,
                 struct pd_error *err);

/* Invites a user into the caller's organisation with roles; *out {"user","invitation":
 * {"token","expires_at"}}: the token is the one-time link's secret. */
int members_invite(struct db *db, const struct principal *who, const char *ip, const json_t *body,
                   json_t **out, struct pd_error *err);

/* Sets a password from an invitation token; *out is the user. */
int members_accept_invitation(struct db *db, const char *token, const json_t *body, const char *ip,
                              json_t **out, struct pd_error *err);

/* Changes a user's name or roles. The last global_admin keeps the role. */
int members_update(struct db *db, const struct principal *who, const char *ip, const char *user_id,
                   const json_t *body, json_t **out, struct pd_error *err);

/* Removes a user (their sessions and tokens end). The last global_admin stays. */
int members_remove(struct db *db, const struct principal *who, const char *ip, const char *user_id,
                   struct pd_error *err);

/* The caller's organisation's users (not removed), newest first. */
int members_list(struct db *db, const struct principal *who, const struct page_in *page,
                 json_t **items, char next[CURSOR_TEXT_MAX], struct pd_error *err);

/* The caller's organisation; PD_E_NOT_FOUND for staff. */
int members_partner_get(struct db *db, const struct principal *who, json_t **out,
                        struct pd_error *err);

/* Changes the organisation's settings: {"require_2fa": bool}. *out is the partner. */
int members_update_partner(struct db *db, const struct principal *who, const char *ip,
                           const json_t *body, json_t **out, struct pd_error *err);

/* The API object of a partner organisation. A new reference. */
json_t *members_partner_view(const struct partner_row *p);

/* The API object of a user (never their password hash or TOTP secret). A new reference. */
json_t *members_user_view(const struct user_row *u);

#endif
