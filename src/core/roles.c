/* core/roles.c - role names and masks. */
#include "core/roles.h"

#include <string.h>

static const struct {
    const char *name;
    unsigned bit;
} role_names[] = {
    {"global_admin", ROLE_GLOBAL_ADMIN}, {"account_admin", ROLE_ACCOUNT_ADMIN},
    {"billing_admin", ROLE_BILLING_ADMIN}, {"user", ROLE_USER},
    {"referral_manager", ROLE_REFERRAL_MANAGER},
    {"support", ROLE_SUPPORT},           {"finance", ROLE_FINANCE},
    {"operator", ROLE_OPERATOR},
};

#define NROLES (sizeof(role_names) / sizeof(role_names[0]))

unsigned role_bit(const char *name)
{
    for (size_t i = 0; name && i < NROLES; i++)
        if (strcmp(role_names[i].name, name) == 0)
            return role_names[i].bit;
    return 0;
}

json_t *roles_json(unsigned roles)
{
    json_t *a = json_array();
    for (size_t i = 0; i < NROLES; i++)
        if (roles & role_names[i].bit)
            json_array_append_new(a, json_string(role_names[i].name));
    return a;
}

unsigned roles_parse(const json_t *array)
{
    unsigned roles = 0;
    size_t i;
    json_t *v;
    if (!json_is_array(array))
        return 0;
    json_array_foreach(array, i, v) {
        unsigned bit = json_is_string(v) ? role_bit(json_string_value(v)) : 0;
        if (bit == 0)
            return 0;
        roles |= bit;
    }
    return roles;
}
