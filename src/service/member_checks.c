/*
 * service/member_checks.c - the checks of a member's fields in a request body: password,
 * email, locale and roles, shared by joining, inviting, accepting an invitation and
 * changing a member (service/members.c).
 */
#include "service/member_checks.h"

#include <string.h>

#include "core/password.h"
#include "core/roles.h"
#include "core/text.h"

const char *check_password(struct checks *c, const json_t *obj, const char *key, const char *field)
{
    json_t *v = json_object_get(obj, key);
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    if (!password_length_valid(s)) {
        check_fail(c, field, MSG_FIELD_PASSWORD_LENGTH);
        return NULL;
    }
    return s;
}

void check_password_quality(struct checks *c, const char *field, const char *password,
                            const char *email, const char *company)
{
    enum password_verdict v = password ? password_judge(password, email, company) : PASSWORD_OK;
    if (v == PASSWORD_COMMON)
        check_fail(c, field, MSG_FIELD_PASSWORD_COMMON);
    else if (v == PASSWORD_PERSONAL)
        check_fail(c, field, MSG_FIELD_PASSWORD_PERSONAL);
}

const char *check_email(struct checks *c, const json_t *obj, const char *key, const char *field,
                        char *lower, size_t n)
{
    const char *s = check_text(c, obj, key, field, true, 254);
    if (s && !text_email_valid(s)) {
        check_fail(c, field, MSG_FIELD_EMAIL);
        return NULL;
    }
    if (s)
        text_lower(s, lower, n);
    return s ? lower : NULL;
}

const char *check_locale(struct checks *c, const json_t *obj, const char *field)
{
    json_t *v = json_object_get(obj, "locale");
    if (v == NULL)
        return "fr";
    const char *s = json_is_string(v) ? json_string_value(v) : "";
    if (strcmp(s, "fr") != 0 && strcmp(s, "en") != 0) {
        check_fail_one_of(c, field, (const char *const[]){"fr", "en", NULL});
        return "fr";
    }
    return s;
}

unsigned check_roles(struct checks *c, const json_t *obj, bool required)
{
    json_t *v = json_object_get(obj, "roles");
    if (v == NULL) {
        if (required)
            check_fail(c, "roles", MSG_FIELD_REQUIRED);
        return 0;
    }
    if (check_null_refused(c, v, "roles"))
        return 0;
    unsigned roles = roles_parse(v);
    if (roles == 0 || (roles & ~ROLES_PARTNER)) {
        check_fail_one_of(c, "roles",
                          (const char *const[]){"global_admin", "account_admin", "billing_admin",
                                                "user", "referral_manager", NULL});
        return 0;
    }
    return roles;
}
