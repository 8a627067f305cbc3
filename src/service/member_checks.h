/*
 * service/member_checks.h - the checks of a member's fields in a request body (see
 * service/validate.h: each failure is added to c with its message, and the value is NULL,
 * or 0 for roles).
 */
#ifndef PD_SERVICE_MEMBER_CHECKS_H
#define PD_SERVICE_MEMBER_CHECKS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "service/validate.h"

/* obj's key, a password of 12 to 128 characters, reported on field. */
const char *check_password(struct checks *c, const json_t *obj, const char *key, const char *field);

/* The password's quality (core/password.c) for a user with this email in this company. */
void check_password_quality(struct checks *c, const char *field, const char *password,
                            const char *email, const char *company);

/* obj's key, an email address, lowercased into lower (n bytes). */
const char *check_email(struct checks *c, const json_t *obj, const char *key, const char *field,
                        char *lower, size_t n);

/* obj's "locale", fr or en; fr when absent. */
const char *check_locale(struct checks *c, const json_t *obj, const char *field);

/* obj's "roles", a partner's roles (core/roles.h); 0 when absent and not required. */
unsigned check_roles(struct checks *c, const json_t *obj, bool required);

#endif
