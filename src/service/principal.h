/*
 * service/principal.h - who is calling: a signed-in user with roles, or nobody.
 *
 * Built by service/auth from a session cookie or an API token; the API layer checks it
 * against its authorization table before any handler runs.
 */
#ifndef PD_PRINCIPAL_H
#define PD_PRINCIPAL_H

#include <jansson.h>
#include <stdbool.h>

#include "core/roles.h"

struct principal {
    char user_id[32];
    char partner_id[32]; /* empty for staff */
    char email[256];
    char name[801]; /* 200 characters of UTF-8 */
    char locale[3];
    unsigned roles;
    bool staff;
    char session_id[32];   /* set when signed in with a cookie */
    char csrf_token[65];   /* the session's */
    char api_token_id[32]; /* set when called with a bearer token */
    bool must_enrol_2fa;   /* the organisation requires it and the user has none */
    bool totp_enabled;     /* the user signs in with a second factor */
};

struct user_row;

/* The principal of a user (no session or token yet). */
void principal_of_user(const struct user_row *u, struct principal *p);

/* The API object of a principal: {"id","email","name","roles","locale","kind"}. */
json_t *principal_view(const struct principal *p);

#endif
