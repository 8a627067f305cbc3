/*
 * service/principal.h - who is calling: a signed-in user with roles, or nobody.
 *
 * Built by service/auth from a session cookie or an API token; the API layer checks it
 * against its authorization table before any handler runs.
 */
#ifndef PD_PRINCIPAL_H
#define PD_PRINCIPAL_H

#include <stdbool.h>

#include "core/roles.h"

struct principal {
    char user_id[32];
    char partner_id[32]; /* empty for staff */
    char email[256];
    char name[256];
    char locale[3];
    unsigned roles;
    bool staff;
    char session_id[32];   /* set when signed in with a cookie */
    char csrf_token[65];   /* the session's */
    char api_token_id[32]; /* set when called with a bearer token */
    bool must_enrol_2fa;   /* the organisation requires it and the user has none */
};

#endif
