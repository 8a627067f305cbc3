/*
 * service/principal.c - who is calling, made from a user row.
 *
 * A principal is a copy of what the authorization table and the use cases need of a
 * user: no pointer into a row, so it outlives the statement it was read with.
 */
#include "service/principal.h"

#include <stdio.h>
#include <string.h>

#include "store/users.h"

void principal_of_user(const struct user_row *u, struct principal *p)
{
    memset(p, 0, sizeof(*p));
    snprintf(p->user_id, sizeof(p->user_id), "%s", u->id);
    snprintf(p->partner_id, sizeof(p->partner_id), "%s", u->partner_id);
    snprintf(p->email, sizeof(p->email), "%s", u->email);
    snprintf(p->name, sizeof(p->name), "%s", u->name);
    snprintf(p->locale, sizeof(p->locale), "%s", u->locale);
    p->roles = u->roles;
    p->staff = strcmp(u->kind, "staff") == 0;
    p->totp_enabled = u->totp_secret[0] != '\0';
    p->must_enrol_2fa = !p->staff && u->partner_requires_2fa && !p->totp_enabled;
}

json_t *principal_view(const struct principal *p)
{
    return json_pack("{s:s, s:s, s:s, s:o, s:s, s:s}", "id", p->user_id, "email", p->email, "name",
                     p->name, "roles", roles_json(p->roles), "locale", p->locale, "kind",
                     p->staff ? "staff" : "partner");
}
