/* json_body.c - strict JSON request bodies (fuzzed by tests/fuzz/fuzz_json.c). */
#include "json_body.h"

#include <string.h>

int json_body_decode(const char *data, size_t len, json_t **out, struct pd_error *err)
{
    json_error_t je;
    *out = NULL;
    if (len == 0) {
        *out = json_object();
        return 0;
    }
    json_t *v = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (v == NULL) {
        pd_fail(err, PD_E_INVALID_JSON, "%s", je.text);
        pd_error_detail(err, "reason", json_string(je.text));
        pd_error_detail(err, "line", json_integer(je.line));
        pd_error_detail(err, "column", json_integer(je.column));
        pd_error_detail(err, "position", json_integer(je.position));
        return PD_E_INVALID_JSON;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        pd_fail(err, PD_E_INVALID_JSON, "the body must be a JSON object");
        pd_error_detail(err, "reason", json_string("the body must be a JSON object"));
        pd_error_detail(err, "position", json_integer(0));
        return PD_E_INVALID_JSON;
    }
    *out = v;
    return 0;
}
