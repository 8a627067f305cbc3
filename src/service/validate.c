/* service/validate.c - field checks shared by every use case that takes a body. */
#include "service/validate.h"

#include <stdio.h>
#include <string.h>

#include "core/text.h"

void check_fail(struct checks *c, const char *field, const char *why)
{
    if (c->fields == NULL)
        c->fields = json_object();
    if (json_object_get(c->fields, field) == NULL)
        json_object_set_new(c->fields, field, json_string(why));
}

void check_known_keys(struct checks *c, const json_t *obj, const char *prefix,
                      const char *const allowed[])
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        bool known = false;
        for (int i = 0; allowed[i]; i++)
            if (strcmp(allowed[i], key) == 0)
                known = true;
        if (!known) {
            char field[200];
            snprintf(field, sizeof(field), "%s%s", prefix, key);
            check_fail(c, field, "unknown field");
        }
    }
}

const char *check_text(struct checks *c, const json_t *obj, const char *key, const char *field,
                       bool required, size_t max)
{
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    if (v == NULL || json_is_null(v)) {
        if (required)
            check_fail(c, field, "required");
        return NULL;
    }
    if (!json_is_string(v)) {
        check_fail(c, field, "must be a string");
        return NULL;
    }
    const char *s = json_string_value(v);
    if (!text_line_valid(s, max)) {
        char why[80];
        snprintf(why, sizeof(why), "must be 1 to %zu characters on one line", max);
        check_fail(c, field, why);
        return NULL;
    }
    return s;
}

json_t *check_object(struct checks *c, const json_t *obj, const char *key, const char *field,
                     bool required)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v)) {
        if (required)
            check_fail(c, field, "required");
        return NULL;
    }
    if (!json_is_object(v)) {
        check_fail(c, field, "must be an object");
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
                 const char *hint, struct pd_error *err)
{
    if (check_one_of(value, allowed))
        return 0;
    pd_fail(err, PD_E_INVALID_QUERY, "unknown %s", name);
    pd_error_detail(err, "fields", json_pack("{s:s}", name, hint));
    return PD_E_INVALID_QUERY;
}
