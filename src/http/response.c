/* response.c - building responses: JSON bodies, headers and the SPEC error format. */
#include <stdlib.h>
#include <string.h>

#include "http/request.h"

const char *req_param(struct req *r, const char *name)
{
    for (int i = 0; i < r->params.count; i++) {
        const char *n = r->params.names[i];
        size_t len = strcspn(n, "}");
        if (strlen(name) == len && strncmp(n, name, len) == 0)
            return r->params.values[i];
    }
    return NULL;
}

void resp_bytes(struct req *r, struct resp *w, int status, const char *content_type,
                const void *data, size_t len)
{
    char *copy = arena_alloc(&r->arena, len + 1);
    memcpy(copy, data, len);
    w->status = status;
    w->content_type = content_type;
    w->data = copy;
    w->len = len;
}

void resp_json(struct req *r, struct resp *w, int status, json_t *json)
{
    char *text = json_dumps(json, JSON_COMPACT);
    json_decref(json);
    if (text == NULL) {
        resp_status_error(r, w, PD_E_INTERNAL);
        return;
    }
    resp_bytes(r, w, status, "application/json; charset=utf-8", text, strlen(text));
    free(text);
}

void resp_header(struct resp *w, const char *name, const char *value)
{
    if (w->nheaders < RESP_MAX_HEADERS) {
        w->headers[w->nheaders].name = name;
        w->headers[w->nheaders].value = value;
        w->nheaders++;
    }
}

void resp_error(struct req *r, struct resp *w, const struct pd_error *e)
{
    enum pd_status code = e->code ? e->code : PD_E_INTERNAL;
    json_t *err = json_pack("{s:s, s:s}", "code", pd_status_code(code), "message",
                            pd_status_message(code, r->lang));
    json_object_set_new(err, "details", pd_details_localized(e->details, r->lang));
    w->error_code = pd_status_code(code);
    resp_json(r, w, pd_status_http(code), json_pack("{s:o}", "error", err));
}

void resp_status_error(struct req *r, struct resp *w, enum pd_status code)
{
    struct pd_error e = {.code = code};
    resp_error(r, w, &e);
}
