/*
 * api/openapi.c - GET /api/v1/openapi.json: the API contract, docs/openapi.yaml as JSON,
 * compiled into the binary (cmake/embed_openapi.cmake), so the document a client reads
 * is the one of the server it talks to.
 */
#include <stddef.h>

#include "api/api.h"

extern const char api_openapi_json[];
extern const size_t api_openapi_json_size;

int api_openapi(struct req *r, struct resp *w)
{
    resp_bytes(r, w, 200, "application/json; charset=utf-8", api_openapi_json,
               api_openapi_json_size);
    resp_header(w, "Cache-Control", "public, max-age=300");
    return 0;
}
