/*
 * core/roles.h - the roles of SPEC section 1, as names and as bits.
 */
#ifndef PD_ROLES_H
#define PD_ROLES_H

#include <jansson.h>

/* Roles as bits, so an authorization rule is one mask. */
enum role {
    ROLE_GLOBAL_ADMIN = 1u << 0,
    ROLE_ACCOUNT_ADMIN = 1u << 1,
    ROLE_BILLING_ADMIN = 1u << 2,
    ROLE_USER = 1u << 3,
    ROLE_SUPPORT = 1u << 4,
    ROLE_FINANCE = 1u << 5,
    ROLE_OPERATOR = 1u << 6,
    ROLE_REFERRAL_MANAGER = 1u << 7, /* a partner's: follows the referrals (issue 19) */
};

#define ROLES_PARTNER                                                                              \
    (ROLE_GLOBAL_ADMIN | ROLE_ACCOUNT_ADMIN | ROLE_BILLING_ADMIN | ROLE_USER |                     \
     ROLE_REFERRAL_MANAGER)
#define ROLES_STAFF (ROLE_SUPPORT | ROLE_FINANCE | ROLE_OPERATOR)

/* The bit of a role name, or 0 when unknown. */
unsigned role_bit(const char *name);

/* The roles of a mask as a JSON array of names, in a fixed order. */
json_t *roles_json(unsigned roles);

/* Parses a JSON array of role names into a mask; 0 when empty, unknown or not an array. */
unsigned roles_parse(const json_t *array);

#endif
