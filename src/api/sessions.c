/* api/sessions.c - sign in and out, who am I, password, second factor, API tokens. */
#include <string.h>

#include "api/api.h"
#include "service/auth.h"
#include "service/principal.h"
#include "service/validate.h"

#define COOKIE "pd_session"

/* The session cookie: HttpOnly, SameSite=Strict, Secure when the client came over TLS
 * (nginx in front sets X-Forwarded-Proto). */
static void set_cookie(struct req *r, struct resp *w, const char *value, int max_age)
{
    const char *proto = req_header(r, "X-Forwarded-Proto");
    bool tls = proto && strcmp(proto, "https") == 0;
    resp_header(w, "Set-Cookie",
                arena_printf(&r->arena,
                             COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; "
                                    "Max-Age=%d%s",
                             value, max_age, tls ? "; Secure" : ""));
}

/* Checks that the body holds only these keys; fills err otherwise. */
static int only_keys(struct req *r, const char *const keys[], struct pd_error *err)
{
    struct checks c = {0};
    check_known_keys(&c, r->json, "", keys);
    return check_done(&c, err);
}

static const char *str(struct req *r, const char *key)
{
    json_t *v = json_object_get(r->json, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int api_sessions_create(struct req *r, struct resp *w)
{
    static const char *const keys[] = {"email", "password", "totp_code", "recovery_code", NULL};
    struct pd_error err = {0};
    struct sign_in_result out;
    if (only_keys(r, keys, &err) < 0)
        return api_fail(r, w, &err);
    struct sign_in_request in = {.email = str(r, "email"),
                                 .password = str(r, "password"),
                                 .totp_code = str(r, "totp_code"),
                                 .recovery_code = str(r, "recovery_code"),
                                 .ip = r->client_ip};
    if (auth_sign_in(r->db, &in, &out, &err) < 0)
        return api_fail(r, w, &err); /* a 429 carries Retry-After (http/response.c) */
    set_cookie(r, w, out.session_token, SESSION_MAX_SECONDS);
    resp_json(r, w, 201,
              json_pack("{s:s, s:o, s:b}", "csrf_token", out.who.csrf_token, "user",
                        principal_view(&out.who), "second_factor_enrolment_required",
                        out.who.must_enrol_2fa));
    memset(&out, 0, sizeof(out));
    return 0;
}

int api_sessions_delete(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    if (auth_sign_out(r->db, r->principal, r->client_ip, &err) < 0)
        return api_fail(r, w, &err);
    set_cookie(r, w, "", 0);
    api_no_content(r, w);
    return 0;
}

int api_me(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (auth_me(r->db, r->principal, &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, out);
    return 0;
}

int api_me_password(struct req *r, struct resp *w)
{
    static const char *const keys[] = {"current_password", "new_password", NULL};
    struct pd_error err = {0};
    if (only_keys(r, keys, &err) < 0 ||
        auth_change_password(r->db, r->principal, r->client_ip, str(r, "current_password"),
                             str(r, "new_password"), &err) < 0)
        return api_fail(r, w, &err);
    api_no_content(r, w);
    return 0;
}

int api_me_totp_begin(struct req *r, struct resp *w)
{
    static const char *const keys[] = {NULL};
    struct pd_error err = {0};
    json_t *out;
    if (only_keys(r, keys, &err) < 0 || auth_totp_begin(r->db, r->principal, &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 201, out);
    return 0;
}

int api_me_totp_confirm(struct req *r, struct resp *w)
{
    static const char *const keys[] = {"code", NULL};
    struct pd_error err = {0};
    json_t *out;
    if (only_keys(r, keys, &err) < 0 ||
        auth_totp_confirm(r->db, r->principal, r->client_ip, str(r, "code"), &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, out);
    return 0;
}

int api_me_totp_disable(struct req *r, struct resp *w)
{
    static const char *const keys[] = {"password", NULL};
    struct pd_error err = {0};
    if (only_keys(r, keys, &err) < 0 ||
        auth_totp_disable(r->db, r->principal, r->client_ip, str(r, "password"), &err) < 0)
        return api_fail(r, w, &err);
    api_no_content(r, w);
    return 0;
}

int api_tokens_create(struct req *r, struct resp *w)
{
    static const char *const keys[] = {"name", NULL};
    struct pd_error err = {0};
    json_t *out;
    if (only_keys(r, keys, &err) < 0 ||
        auth_token_create(r->db, r->principal, r->client_ip, str(r, "name"), &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 201, out);
    return 0;
}

int api_tokens_list(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *items;
    char next[CURSOR_TEXT_MAX];
    struct page_in page = api_page_in(r);
    if (auth_token_list(r->db, r->principal, &page, &items, next, &err) < 0)
        return api_fail(r, w, &err);
    api_list(r, w, items, next);
    return 0;
}

int api_tokens_delete(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    if (auth_token_revoke(r->db, r->principal, r->client_ip, req_param(r, "id"), &err) < 0)
        return api_fail(r, w, &err);
    api_no_content(r, w);
    return 0;
}
