/* api/test_gateway.c - the test gateway's pages for the browser, under /test-gateway/ (not
 * the API: a real gateway serves these from its own origin). */

#include "api/api.h"
#include "service/test_gateway.h"

int api_test_gateway_tokens(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (test_gateway_tokens_create(r->json, &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 201, out);
    return 0;
}
