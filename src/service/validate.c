/* service/validate.c - field checks shared by every use case that takes a body. */
#include "service/validate.h"

#include <stdio.h>
#include <string.h>

#include "core/money.h"
#include "core/text.h"

void check_fail_args(struct checks *c, const char *field, enum msg_id why, const char *const args[],
                     int nargs)
{
    if (c->fields == NULL)
        c->fields = json_object();
    if (json_object_get(c->fields, field) == NULL)
        json_object_set_new(c->fields, field, pd_problem(why, args, nargs));
}

void check_fail(struct checks *c, const char *field, enum msg_id why)
{
    check_fail_args(c, field, why, NULL, 0);
}

/* "a, b or c" of a NULL-terminated list, into out. */
static const char *join_allowed(const char *const allowed[], char *out, size_t n)
{
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; allowed[i] && o < n; i++)
        o += (size_t)snprintf(out + o, n - o, "%s%s", i == 0 ? "" : ", ", allowed[i]);
    return out;
}

void check_fail_one_of(struct checks *c, const char *field, const char *const allowed[])
{
    char list[300];
    const char *args[1] = {join_allowed(allowed, list, sizeof(list))};
    check_fail_args(c, field, MSG_FIELD_ONE_OF, args, 1);
}

void check_known_keys(struct checks *c, const json_t *obj, const char *prefix,
                      const char *const allowed[])
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        bool known = false;
        for (int i = 0; allowed[i]; i++)
            if (strcmp(allowed[i], key) == 0)
                known = true;
        if (!known) {
            char field[200];
            snprintf(field, sizeof(field), "%s%s", prefix, key);
            check_fail(c, field, MSG_FIELD_UNKNOWN);
        }
    }
}

bool check_null_refused(struct checks *c, const json_t *v, const char *field)
{
    if (!c->partial || !json_is_null(v))
        return false;
    check_fail(c, field, MSG_FIELD_NOT_NULL);
    return true;
}

const char *check_text(struct checks *c, const json_t *obj, const char *key, const char *field,
                       bool required, size_t max)
{
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    if (check_null_refused(c, v, field))
        return NULL;
    if (v == NULL || json_is_null(v)) {
        if (required)
            check_fail(c, field, MSG_FIELD_REQUIRED);
        return NULL;
    }
    if (!json_is_string(v)) {
        check_fail(c, field, MSG_FIELD_NOT_STRING);
        return NULL;
    }
    const char *s = json_string_value(v);
    if (required && s[0] == '\0') { /* a field left empty: the same word as one left out */
        check_fail(c, field, MSG_FIELD_REQUIRED);
        return NULL;
    }
    if (!text_line_valid(s, max)) {
        char n[24];
        snprintf(n, sizeof(n), "%zu", max);
        const char *args[1] = {n};
        check_fail_args(c, field, MSG_FIELD_TEXT_LINE, args, 1);
        return NULL;
    }
    return s;
}

const char *check_long_text(struct checks *c, const json_t *obj, const char *key,
                            const char *field)
{
    const char *s = json_string_value(obj ? json_object_get(obj, key) : NULL);
    if (!text_long_valid(s, CHECK_LONG_TEXT_MAX)) {
        check_fail(c, field, MSG_FIELD_LONG_TEXT);
        return NULL;
    }
    return s;
}

int64_t check_amount(struct checks *c, const json_t *obj, const char *key, const char *field)
{
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    if (!json_is_integer(v) || json_integer_value(v) <= 0) {
        check_fail(c, field, MSG_FIELD_AMOUNT_MINOR);
        return 0;
    }
    if (json_integer_value(v) > MONEY_MAX_MINOR) {
        char max[24];
        snprintf(max, sizeof(max), "%lld", (long long)MONEY_MAX_MINOR);
        check_fail_args(c, field, MSG_FIELD_AMOUNT_TOO_LARGE, (const char *const[]){max}, 1);
        return 0;
    }
    return (int64_t)json_integer_value(v);
}

json_t *check_object(struct checks *c, const json_t *obj, const char *key, const char *field,
                     bool required)
{
    json_t *v = json_object_get(obj, key);
    if (check_null_refused(c, v, field))
        return NULL;
    if (v == NULL || json_is_null(v)) {
        if (required)
            check_fail(c, field, MSG_FIELD_REQUIRED);
        return NULL;
    }
    if (!json_is_object(v)) {
        check_fail(c, field, MSG_FIELD_NOT_OBJECT);
        return NULL;
    }
    return v;
}

int check_done(struct checks *c, struct pd_error *err)
{
    if (c->fields == NULL)
        return 0;
    pd_fail(err, PD_E_INVALID_REQUEST, "invalid fields");
    pd_error_detail(err, "fields", c->fields);
    c->fields = NULL;
    return PD_E_INVALID_REQUEST;
}

bool check_one_of(const char *value, const char *const allowed[])
{
    for (const char *const *a = allowed; value && *a; a++)
        if (strcmp(*a, value) == 0)
            return true;
    return value == NULL;
}

int check_filter(const char *name, const char *value, const char *const allowed[],
                 struct pd_error *err)
{
    if (check_one_of(value, allowed))
        return 0;
    char list[300];
    return pd_fail_field(err, PD_E_INVALID_QUERY, name, MSG_FIELD_ONE_OF,
                         join_allowed(allowed, list, sizeof(list)));
}
