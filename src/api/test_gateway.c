/* api/test_gateway.c - the gateway's signed events (POST /api/v1/payment-events), and the
 * test gateway's pages for the browser under /test-gateway/ (not the API: a real gateway
 * serves these from its own origin), served only while it is the gateway in use. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/arena.h"
#include "http/query.h"
#include "service/payment_events.h"
#include "service/payment_method.h"
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

int api_test_gateway_challenge(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    char *html;
    if (test_gateway_challenge_page(req_param(r, "id"), r->lang, &html, &err) < 0)
        return api_fail(r, w, &err);
    resp_bytes(r, w, 200, "text/html; charset=utf-8", html, strlen(html));
    free(html);
    return 0;
}

int api_test_gateway_challenge_answer(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    struct query form;
    char location[640];
    /* the page's form: decision=pass|refuse (and event=hold, for tests) */
    if (query_parse(&r->arena, r->body.data, r->body.len, &form) < 0 ||
        query_get(&form, "decision") == NULL) {
        pd_fail_field(&err, PD_E_INVALID_REQUEST, "decision", MSG_FIELD_REQUIRED, NULL);
        return api_fail(r, w, &err);
    }
    const char *decision = query_get(&form, "decision");
    const char *event = query_get(&form, "event");
    if (test_gateway_challenge_answer(r->db, req_param(r, "id"), strcmp(decision, "pass") == 0,
                                      event && strcmp(event, "hold") == 0, location,
                                      sizeof(location), &err) < 0)
        return api_fail(r, w, &err);
    /* back to the return URL: at once (Refresh), or by the page's link */
    char *html = test_gateway_back_page(location, r->lang);
    char refresh[700];
    snprintf(refresh, sizeof(refresh), "0;url=%s", location);
    resp_header(w, "Refresh", arena_strdup(&r->arena, refresh));
    resp_bytes(r, w, 200, "text/html; charset=utf-8", html, strlen(html));
    free(html);
    return 0;
}

int api_payment_events(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (payment_events_receive(r->db, r->body.data ? r->body.data : "", r->body.len,
                               req_header(r, payment_events_header()), &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, out);
    return 0;
}

int api_payment_gateway(struct req *r, struct resp *w)
{
    resp_json(r, w, 200, payment_gateway_json());
    return 0;
}
