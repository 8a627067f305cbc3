/* response.c - building responses: JSON bodies, headers and the SPEC error format. */
#include <microhttpd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "http/request.h"

/* What a streamed answer needs between libmicrohttpd's calls. */
struct stream {
    resp_fill_fn fill;
    void *ctx;
    void (*done)(void *ctx);
    struct db *db;
};

void resp_stream(struct resp *w, int status, const char *content_type, resp_fill_fn fill, void *ctx,
                 void (*done)(void *ctx))
{
    w->status = status;
    w->content_type = content_type;
    w->data = "";
    w->len = 0;
    w->fill = fill;
    w->fill_ctx = ctx;
    w->fill_done = done;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct stream *s = cls;
    long n = s->db ? s->fill(s->ctx, s->db, buf, max) : -1;
    if (n < 0)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    return n == 0 ? MHD_CONTENT_READER_END_OF_STREAM : (ssize_t)n;
}

static void stream_free(void *cls)
{
    struct stream *s = cls;
    if (s->done)
        s->done(s->ctx);
    free(s);
}

struct MHD_Response *resp_stream_response(struct resp *w, struct db *db)
{
    struct stream *s = malloc(sizeof(*s));
    if (s == NULL)
        return NULL;
    *s = (struct stream){.fill = w->fill, .ctx = w->fill_ctx, .done = w->fill_done, .db = db};
    w->fill_ctx = NULL; /* the answer owns it now */
    struct MHD_Response *res = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, (size_t)32 * 1024, stream_read, s, stream_free);
    if (res == NULL)
        stream_free(s);
    return res;
}

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

void resp_attachment(struct req *r, struct resp *w, const char *filename)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(filename);
    char *ascii = arena_alloc(&r->arena, n + 1), *encoded = arena_alloc(&r->arena, 3 * n + 1);
    char *e = encoded;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)filename[i];
        bool printable = c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
        ascii[i] = '_';
        if (printable)
            ascii[i] = filename[i];
        /* RFC 5987 attr-char: letters, digits and !#$&+-.^_`|~ stay as they are */
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("!#$&+-.^_`|~", c) != NULL) {
            *e++ = (char)c;
        } else {
            *e++ = '%';
            *e++ = hex[c >> 4];
            *e++ = hex[c & 15];
        }
    }
    ascii[n] = '\0';
    *e = '\0';
    resp_header(w, "Content-Disposition",
                arena_printf(&r->arena, "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii,
                             encoded));
}

void resp_error(struct req *r, struct resp *w, const struct pd_error *e)
{
    enum pd_status code = e->code ? e->code : PD_E_INTERNAL;
    json_t *err = json_pack("{s:s, s:s}", "code", pd_status_code(code), "message",
                            pd_status_message(code, r->lang));
    json_object_set_new(err, "details", pd_details_localized(e->details, r->lang));
    w->error_code = pd_status_code(code);
    /* a throttled caller is told when to come back, in the header clients and proxies
     * read, whichever use case locked them out (sign-in, a password asked again, join) */
    json_int_t retry = json_integer_value(json_object_get(e->details, "retry_after"));
    if (pd_status_http(code) == 429 && retry > 0)
        resp_header(w, "Retry-After", arena_printf(&r->arena, "%lld", (long long)retry));
    resp_json(r, w, pd_status_http(code), json_pack("{s:o}", "error", err));
}

void resp_status_error(struct req *r, struct resp *w, enum pd_status code)
{
    struct pd_error e = {.code = code};
    resp_error(r, w, &e);
}
