/* fuzz_json.c - request bodies: never crash, and a success is always a JSON object. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "http/json_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *v = NULL;
    struct pd_error err = {0};
    int rc = json_body_decode((const char *)data, size, &v, &err);
    assert((rc == 0) == (v != NULL));
    assert(rc == 0 || rc == PD_E_INVALID_JSON);
    if (v)
        assert(json_is_object(v));
    json_decref(v);
    pd_error_clear(&err);
    return 0;
}
