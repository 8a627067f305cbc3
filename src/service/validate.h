/*
 * service/validate.h - checking request objects field by field.
 *
 * A struct checks collects every problem (admin.email: MSG_FIELD_EMAIL) so one answer
 * names all the wrong fields; check_done() turns them into PD_E_INVALID_REQUEST with
 * details.fields. A problem is a message of the catalog (core/messages.def), worded in the
 * caller's language when the error is written, never here: use cases know no language.
 */
#ifndef PD_VALIDATE_H
#define PD_VALIDATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

struct checks {
    json_t *fields; /* field name -> pd_problem(); owned until check_done() */
    /* A partial update (PATCH): an absent field stays as it is, and a null one, which would
     * empty a field that cannot be, is refused by the field checks (MSG_FIELD_NOT_NULL). A
     * field that may be emptied is not given to them. Elsewhere a null is an absent field. */
    bool partial;
};

/* Records a problem with a field (the first one per field wins). */
void check_fail(struct checks *c, const char *field, enum msg_id why);

/* The same, with arguments for the message's holes {0}, {1}... */
void check_fail_args(struct checks *c, const char *field, enum msg_id why,
                     const char *const args[], int nargs);

/* The same, for a value that must be one of allowed (NULL-terminated): MSG_FIELD_ONE_OF
 * with the list. */
void check_fail_one_of(struct checks *c, const char *field, const char *const allowed[]);

/* Records an unknown key of obj for each key not in allowed (NULL-terminated). prefix
 * ("admin.") goes before the names in the report. */
void check_known_keys(struct checks *c, const json_t *obj, const char *prefix,
                      const char *const allowed[]);

/* True, and MSG_FIELD_NOT_NULL recorded, when v is null in a partial update (c->partial).
 * check_text() and check_object() begin with it; so does the check of a field of a partial
 * update written by hand. */
bool check_null_refused(struct checks *c, const json_t *v, const char *field);

/* A one-line text field of at most max characters: its value, or NULL (and a recorded problem
 * when required, when present but not a valid string, or when null in a partial update). */
const char *check_text(struct checks *c, const json_t *obj, const char *key, const char *field,
                       bool required, size_t max);

/* The longest text of several lines a partner or staff types (a request, a message), in
 * characters: "é" counts one, as MSG_FIELD_LONG_TEXT tells them. */
#define CHECK_LONG_TEXT_MAX 10000

/* A required text of several lines, 1 to CHECK_LONG_TEXT_MAX characters: its value, or NULL
 * and a problem (MSG_FIELD_LONG_TEXT) when missing, not a string, empty or too long. */
const char *check_long_text(struct checks *c, const json_t *obj, const char *key,
                            const char *field);

/* A positive amount in minor units, at most MONEY_MAX_MINOR: its value, or 0 and a
 * problem (when missing, not a positive integer, or too large). */
int64_t check_amount(struct checks *c, const json_t *obj, const char *key, const char *field);

/* An object field; NULL and a problem when missing (if required), not an object, or null in
 * a partial update. */
json_t *check_object(struct checks *c, const json_t *obj, const char *key, const char *field,
                     bool required);

/* True when value is NULL (not given) or one of allowed (NULL-terminated). */
bool check_one_of(const char *value, const char *const allowed[]);

/* A query-string filter: 0 when value is NULL or one of allowed; else PD_E_INVALID_QUERY
 * with details.fields.<name> naming the allowed values. */
int check_filter(const char *name, const char *value, const char *const allowed[],
                 struct pd_error *err);

/* 0 when no problem was recorded; else PD_E_INVALID_REQUEST with details.fields. Frees. */
int check_done(struct checks *c, struct pd_error *err);

#endif
