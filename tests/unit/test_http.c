/*
 * test_http.c - router, query strings, JSON bodies, and the real libmicrohttpd server
 * (on a free loopback port, with its own route table) spoken to over raw sockets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "core/arena.h"
#include "http/assets.h"
#include "core/netaddr.h"
#include "http/json_body.h"
#include "http/query.h"
#include "http/request.h"
#include "http/router.h"
#include "http/server.h"
#include "http_fixture.h"

static int h_ok(struct req *r, struct resp *w)
{
    resp_json(r, w, 200, json_pack("{s:s}", "id", req_param(r, "id") ? req_param(r, "id") : ""));
    return 0;
}

static int h_echo(struct req *r, struct resp *w)
{
    resp_json(r, w, 201, json_pack("{s:O, s:s}", "got", r->json, "lang", r->lang));
    return 0;
}

static int h_slow(struct req *r, struct resp *w)
{
    usleep(400 * 1000);
    resp_json(r, w, 200, json_pack("{s:b}", "slow", 1));
    return 0;
}

static int h_whoami(struct req *r, struct resp *w)
{
    resp_json(r, w, 200, json_pack("{s:s}", "ip", r->client_ip));
    return 0;
}

static int h_fails(struct req *r, struct resp *w)
{
    (void)r;
    (void)w;
    return PD_E_FORBIDDEN;
}

static const struct route routes[] = {
    {"GET", "/things", h_ok, 0, "test"},
    {"POST", "/things", h_echo, ROUTE_JSON_BODY, "test"},
    {"GET", "/things/{id}", h_ok, 0, "test"},
    {"PATCH", "/things/{id}", h_echo, ROUTE_JSON_BODY, "test"},
    {"DELETE", "/things/{id}", h_ok, 0, "test"},
    {"GET", "/things/{id}/parts/{part}", h_ok, 0, "test"},
    {"GET", "/slow", h_slow, 0, "test"},
    {"GET", "/forbidden", h_fails, 0, "test"},
    {"GET", "/whoami", h_whoami, 0, "test"},
    {"GET", "/monitoring", h_ok, ROUTE_MONITORING, "test"},
    {0, 0, 0, 0, 0},
};

static void test_router(void **state)
{
    (void)state;
    struct route_params p;
    char allow[64];
    int idx = -1;
    assert_int_equal(router_match(routes, "GET", "/things", &idx, &p, allow, sizeof(allow)),
                     ROUTE_FOUND);
    assert_int_equal(idx, 0);
    assert_int_equal(router_match(routes, "GET", "/things/sub_42", &idx, &p, allow, 64),
                     ROUTE_FOUND);
    assert_int_equal(idx, 2);
    assert_int_equal(p.count, 1);
    assert_string_equal(p.values[0], "sub_42");
    assert_int_equal(router_match(routes, "GET", "/things/a/parts/b", &idx, &p, allow, 64),
                     ROUTE_FOUND);
    assert_string_equal(p.values[0], "a");
    assert_string_equal(p.values[1], "b");
    assert_int_equal(router_match(routes, "PUT", "/things/x", &idx, &p, allow, 64),
                     ROUTE_NO_METHOD);
    assert_string_equal(allow, "GET, HEAD, PATCH, DELETE");
    assert_int_equal(idx, 2); /* the path's first route, for the metrics of a 405 */
    static const char *missing[] = {"/things/",
                                    "/things//",
                                    "/things/x/",
                                    "/thing",
                                    "/",
                                    "/things/x/parts",
                                    "/things/../things",
                                    "/things/.",
                                    "things",
                                    "",
                                    "/things/x/parts/y/z",
                                    "/things/\xff",
                                    "/things/a\xc3/parts/b"};
    for (size_t i = 0; i < sizeof(missing) / sizeof(missing[0]); i++)
        assert_int_equal(router_match(routes, "GET", missing[i], &idx, &p, allow, 64),
                         ROUTE_NO_PATH);
    assert_int_equal(
        router_match(routes, "GET", "/things/soci\xc3\xa9t\xc3\xa9", &idx, &p, allow, 64),
        ROUTE_FOUND); /* UTF-8 is a parameter like any */
    assert_int_equal(router_count(routes), 10);
}

/* Which portal file answers a path: the file, index.html for a page address, nothing for
 * the API or a missing file. */
static void test_assets(void **state)
{
    (void)state;
    const struct http_asset *index = http_asset_for("/");
    assert_non_null(index);
    assert_string_equal(index->path, "/index.html");
    assert_string_equal(index->content_type, "text/html; charset=utf-8");
    assert_int_equal(index->etag[0], '"');
    assert_ptr_equal(http_asset_for("/offres"), index);
    assert_ptr_equal(http_asset_for("/support/req_abc"), index);
    assert_ptr_equal(http_asset_for("/invitations/0123abcd"), index);
    const struct http_asset *js = http_asset_for("/js/app.js");
    assert_non_null(js);
    assert_string_equal(js->content_type, "text/javascript; charset=utf-8");
    assert_true(js->size > 0 && memcmp(js->data, "//", 2) == 0);
    assert_string_equal(http_asset_for("/css/app.css")->content_type, "text/css; charset=utf-8");
    assert_null(http_asset_for("/js/missing.js"));
    assert_null(http_asset_for("/api/v1/nothing"));
    assert_null(http_asset_for("/api"));
    assert_null(http_asset_for("/favicon.ico"));
    for (const struct http_asset *a = http_assets; a->path; a++)
        assert_int_not_equal(a->path[1], '.'); /* no hidden file ships */
}

static void test_query(void **state)
{
    (void)state;
    struct arena a = {0};
    struct query q;
    const char *s = "status=active&cursor=a%2Fb%20c&flag&x=1+2&&e=";
    assert_int_equal(query_parse(&a, s, strlen(s), &q), 0);
    assert_int_equal(q.count, 5);
    assert_string_equal(query_get(&q, "status"), "active");
    assert_string_equal(query_get(&q, "cursor"), "a/b c");
    assert_string_equal(query_get(&q, "flag"), "");
    assert_string_equal(query_get(&q, "x"), "1 2");
    assert_string_equal(query_get(&q, "e"), "");
    assert_null(query_get(&q, "missing"));
    const char *utf8 = "q=Soci%C3%A9t%C3%A9";
    assert_int_equal(query_parse(&a, utf8, strlen(utf8), &q), 0);
    assert_string_equal(query_get(&q, "q"), "Soci\xc3\xa9t\xc3\xa9");
    static const char *bad[] = {"a=%",    "a=%4",  "a=%zz",     "=x",        "a=%00",   "%00=1",
                                "a=1&=2", "a=%FF", "q=soci%C3", "%E9t%E9=1", "a=%C0%AF"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(query_parse(&a, bad[i], strlen(bad[i]), &q), -1);
    char many[256] = "";
    for (int i = 0; i <= QUERY_MAX_PARAMS; i++)
        strcat(many, "k=v&");
    assert_int_equal(query_parse(&a, many, strlen(many), &q), -1);
    assert_int_equal(query_parse(&a, NULL, 0, &q), 0);
    assert_int_equal(q.count, 0);
    arena_free(&a);
}

static void test_json_body(void **state)
{
    (void)state;
    json_t *v;
    struct pd_error err = {0};
    assert_int_equal(json_body_decode("{\"a\":1}", 7, &v, &err), 0);
    assert_int_equal(json_integer_value(json_object_get(v, "a")), 1);
    json_decref(v);
    assert_int_equal(json_body_decode("", 0, &v, &err), 0);
    assert_int_equal(json_object_size(v), 0);
    json_decref(v);

    const char *dup = "{\"a\":1,\n \"a\":2}";
    assert_int_equal(json_body_decode(dup, strlen(dup), &v, &err), PD_E_INVALID_JSON);
    assert_null(v);
    assert_int_equal(json_integer_value(json_object_get(err.details, "line")), 2);
    pd_error_clear(&err);

    const char *broken = "{\"a\": tru}";
    assert_int_equal(json_body_decode(broken, strlen(broken), &v, &err), PD_E_INVALID_JSON);
    assert_true(json_integer_value(json_object_get(err.details, "position")) > 0);
    assert_non_null(json_object_get(err.details, "column"));
    pd_error_clear(&err);

    static const char *bad[] = {
        "[1,2]", "42", "\"s\"", "{\"a\":\"\\u0000\"}", "{\"a\":1}x", "{\"a\":\"\xff\"}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(json_body_decode(bad[i], strlen(bad[i]), &v, &err), PD_E_INVALID_JSON);
        pd_error_clear(&err);
    }
}

/* ---- the real server ---- */

struct srv {
    struct http_server *s;
    int port;
    char dbpath[128];
};

static int start_server(void **state)
{
    struct srv *t = calloc(1, sizeof(*t));
    static char url[160];
    snprintf(t->dbpath, sizeof(t->dbpath), "/tmp/partnerd-test-http-%d.sqlite", (int)getpid());
    snprintf(url, sizeof(url), "sqlite:%s", t->dbpath);
    static struct netaddr_list proxies, monitoring;
    int bad;
    assert_int_equal(netaddr_list_parse("127.0.0.1, 10.0.0.0/8", &proxies, &bad), 0);
    assert_int_equal(netaddr_list_parse("192.0.2.1", &monitoring, &bad), 0);
    struct http_config cfg = http_fixture_config(routes, url);
    cfg.header_timeout_s = 1;
    cfg.body_timeout_s = 1;
    cfg.body_memory = 4096;
    cfg.trusted_proxies = &proxies;
    cfg.monitoring_from = &monitoring;
    t->s = http_fixture_start(&cfg, &t->port);
    *state = t;
    return 0;
}

static int stop_server(void **state)
{
    struct srv *t = *state;
    if (t->s)
        http_stop(t->s, 1000);
    unlink(t->dbpath);
    free(t);
    return 0;
}

static void test_server_answers_and_headers(void **state)
{
    struct srv *t = *state;
    char *r = http_fixture_request(t->port, "GET", "/things/abc", NULL, NULL);
    assert_int_equal(http_fixture_status(r), 200);
    assert_non_null(strstr(r, "{\"id\":\"abc\"}"));
    assert_non_null(strstr(r, "X-Request-Id: "));
    assert_non_null(strstr(r, "X-Content-Type-Options: nosniff"));
    assert_non_null(strstr(r, "frame-ancestors 'none'"));
    assert_non_null(strstr(r, "Referrer-Policy: no-referrer"));
    assert_non_null(strstr(r, "Content-Type: application/json; charset=utf-8"));
    free(r);
    r = http_fixture_request(t->port, "HEAD", "/things", NULL, NULL);
    assert_int_equal(http_fixture_status(r), 200);
    assert_null(strstr(r, "{\"id\""));
    free(r);
}

static void test_server_errors(void **state)
{
    struct srv *t = *state;
    char *r = http_fixture_request(t->port, "GET", "/nowhere", NULL, NULL);
    assert_int_equal(http_fixture_status(r), 404);
    assert_non_null(strstr(r, "\"code\":\"not_found\""));
    free(r);

    r = http_fixture_request(t->port, "PUT", "/things/x", "application/json", "{}");
    assert_int_equal(http_fixture_status(r), 405);
    assert_non_null(strstr(r, "Allow: GET, HEAD, PATCH, DELETE"));
    free(r);

    r = http_fixture_request(t->port, "POST", "/things", "text/plain", "{\"a\":1}");
    assert_int_equal(http_fixture_status(r), 415);
    assert_non_null(strstr(r, "\"code\":\"unsupported_media_type\""));
    free(r);

    r = http_fixture_request(t->port, "POST", "/things", "application/json", "{\"a\":\n  oops}");
    assert_int_equal(http_fixture_status(r), 400);
    assert_non_null(strstr(r, "\"code\":\"invalid_json\""));
    assert_non_null(strstr(r, "\"line\":2"));
    free(r);

    r = http_fixture_request(t->port, "GET", "/things?x=%zz", NULL, NULL);
    assert_int_equal(http_fixture_status(r), 400);
    assert_non_null(strstr(r, "\"code\":\"invalid_query\""));
    free(r);

    r = http_fixture_request(t->port, "GET", "/forbidden", NULL, NULL);
    assert_int_equal(http_fixture_status(r), 403);
    assert_non_null(strstr(r, "\"code\":\"forbidden\""));
    free(r);
}

static void test_server_json_body_and_language(void **state)
{
    struct srv *t = *state;
    char raw[512];
    int n = snprintf(raw, sizeof(raw),
                     "POST /things HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                     "Content-Type: application/json; charset=utf-8\r\n"
                     "Accept-Language: en-GB,en;q=0.9,fr;q=0.5\r\nContent-Length: 17\r\n\r\n"
                     "{\"name\":\"Zoë\"}  ");
    char *r = http_fixture_roundtrip(t->port, raw, (size_t)n);
    assert_int_equal(http_fixture_status(r), 201);
    assert_non_null(strstr(r, "\"got\":{\"name\":\"Zoë\"}"));
    assert_non_null(strstr(r, "\"lang\":\"en\""));
    free(r);
    /* error messages follow the language */
    n = snprintf(raw, sizeof(raw),
                 "GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                 "Accept-Language: en\r\n\r\n");
    r = http_fixture_roundtrip(t->port, raw, (size_t)n);
    assert_non_null(strstr(r, "\"message\":\"Not found.\""));
    free(r);
}

static void test_server_body_limit(void **state)
{
    struct srv *t = *state;
    /* declared too large: refused before the body is read */
    char big[4096];
    memset(big, ' ', sizeof(big) - 1);
    big[0] = '{';
    big[sizeof(big) - 2] = '}';
    big[sizeof(big) - 1] = '\0';
    char *r = http_fixture_request(t->port, "POST", "/things", "application/json", big);
    assert_int_equal(http_fixture_status(r), 413);
    assert_non_null(strstr(r, "\"code\":\"payload_too_large\""));
    assert_non_null(strstr(r, "\"limit_bytes\":1024"));
    free(r);

    /* chunked, no length: refused before the body is read */
    char raw[8192];
    int n = snprintf(raw, sizeof(raw),
                     "POST /things HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                     "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "%zx\r\n%s\r\n0\r\n\r\n",
                     strlen(big), big);
    r = http_fixture_roundtrip(t->port, raw, (size_t)n);
    assert_int_equal(http_fixture_status(r), 411);
    assert_non_null(strstr(r, "\"code\":\"length_required\""));
    free(r);

    /* two lengths: which one is the body? refused */
    n = snprintf(raw, sizeof(raw),
                 "POST /things HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                 "Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 7\r\n"
                 "\r\n{}");
    r = http_fixture_roundtrip(t->port, raw, (size_t)n);
    assert_int_equal(http_fixture_status(r), 422);
    assert_non_null(strstr(r, "\"Content-Length\""));
    free(r);

    /* just under the limit is fine */
    big[1000] = '}';
    big[1001] = '\0';
    r = http_fixture_request(t->port, "POST", "/things", "application/json", big);
    assert_int_equal(http_fixture_status(r), 201);
    free(r);
}

struct slow_call {
    int port;
    char *resp;
};

static void *call_slow(void *arg)
{
    struct slow_call *c = arg;
    c->resp = http_fixture_request(c->port, "GET", "/slow", NULL, NULL);
    return NULL;
}

/* Connects, sends head at once, then drips body (cycling) a byte every gap_ms until the
 * server closes the connection or max_ms pass. Returns the milliseconds of dripping. */
static int drip(int port, const char *head, const char *body, int gap_ms, int max_ms)
{
    int fd = http_fixture_connect(port);
    struct timeval tv = {.tv_sec = 0, .tv_usec = gap_ms * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (*head)
        assert_true(send(fd, head, strlen(head), MSG_NOSIGNAL) > 0);
    int waited = 0;
    for (size_t i = 0; waited < max_ms; i = (i + 1) % strlen(body)) {
        if (send(fd, body + i, 1, MSG_NOSIGNAL) <= 0)
            break;
        char c;
        ssize_t got = recv(fd, &c, 1, 0); /* waits gap_ms, or sees the close */
        if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
            break;
        waited += gap_ms;
    }
    close(fd);
    return waited;
}

static void test_slow_clients_are_dropped(void **state)
{
    struct srv *t = *state;
    /* headers dripped a byte every 200 ms, forever: cut after the 1 s header timeout,
     * although libmicrohttpd's idle timeout (5 s) never fires */
    int ms = drip(t->port, "", "GET /things HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaa", 200,
                  8000);
    assert_true(ms < 3000);
    /* headers at once, then a promised body dripped: cut after the 1 s body timeout */
    ms = drip(
        t->port,
        "POST /things HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 900\r\n\r\n",
        "{\"a\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        100, 8000);
    assert_true(ms < 3000);
    /* a GET may carry a body too: dripped, it is cut the same (it held a database
     * connection, with no deadline at all) */
    ms = drip(t->port, "GET /things HTTP/1.1\r\nHost: x\r\nContent-Length: 900\r\n\r\n", "b", 100,
              8000);
    assert_true(ms < 3000);
    const char *chunked = "GET /things HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1";
    /* and a chunked one: 411 */
    char *r = http_fixture_roundtrip(t->port, chunked, strlen(chunked));
    assert_int_equal(http_fixture_status(r), 411);
    free(r);
    /* and a quick client is still served */
    r = http_fixture_request(t->port, "GET", "/things", NULL, NULL);
    assert_int_equal(http_fixture_status(r), 200);
    free(r);
}

static void test_client_address_behind_a_proxy(void **state)
{
    struct srv *t = *state;
    struct {
        const char *xff, *ip;
    } cases[] = {
        {NULL, "127.0.0.1"},                          /* no header: the peer */
        {"203.0.113.7", "203.0.113.7"},               /* the peer (127.0.0.1) is trusted */
        {"198.51.100.1, 203.0.113.7", "203.0.113.7"}, /* the client may lie to the left */
        {"203.0.113.7, 10.1.2.3", "203.0.113.7"},     /* a second trusted proxy skipped */
        {"garbage, 203.0.113.7", "203.0.113.7"},      /* rightmost untrusted wins */
        {"203.0.113.7, not-an-address", "127.0.0.1"}, /* unreadable hop: stop at the peer */
        {"2001:db8::1", "2001:db8::1"},
        {"10.0.0.1, 10.0.0.2", "10.0.0.1"}, /* all trusted: the leftmost */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char raw[512], want[96];
        int n = snprintf(raw, sizeof(raw),
                         "GET /whoami HTTP/1.1\r\nHost: x\r\nConnection: close\r\n%s%s%s\r\n",
                         cases[i].xff ? "X-Forwarded-For: " : "", cases[i].xff ? cases[i].xff : "",
                         cases[i].xff ? "\r\n" : "");
        char *r = http_fixture_roundtrip(t->port, raw, (size_t)n);
        snprintf(want, sizeof(want), "{\"ip\":\"%s\"}", cases[i].ip);
        if (strstr(r, want) == NULL)
            fail_msg("X-Forwarded-For %s: want %s in %s", cases[i].xff, want, r);
        free(r);
    }
    /* /metrics-like routes answer only the monitoring addresses */
    char *r = http_fixture_request(t->port, "GET", "/monitoring", NULL, NULL);
    assert_int_equal(http_fixture_status(r), 403);
    free(r);
    char raw[256];
    int n = snprintf(raw, sizeof(raw),
                     "GET /monitoring HTTP/1.1\r\nHost: x\r\nConnection: "
                     "close\r\nX-Forwarded-For: 192.0.2.1\r\n\r\n");
    r = http_fixture_roundtrip(t->port, raw, (size_t)n);
    assert_int_equal(http_fixture_status(r), 200);
    free(r);
}

static void test_body_memory_is_capped(void **state)
{
    struct srv *t = *state;
    /* body_memory is 4 KiB: four clients that each declare 1000 bytes and send nothing
     * hold it; a fifth is told to come back, before sending its body */
    int fds[4];
    const char *head = "POST /things HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       "Content-Length: 1000\r\n\r\n";
    for (int i = 0; i < 4; i++) {
        fds[i] = http_fixture_connect(t->port);
        assert_true(send(fds[i], head, strlen(head), MSG_NOSIGNAL) > 0);
    }
    usleep(200 * 1000);
    char body[201];
    memset(body, ' ', 200);
    body[0] = '{';
    body[199] = '}';
    body[200] = '\0';
    char *r = http_fixture_request(t->port, "POST", "/things", "application/json", body);
    assert_int_equal(http_fixture_status(r), 503);
    assert_non_null(strstr(r, "Retry-After: 1"));
    free(r);
    for (int i = 0; i < 4; i++)
        close(fds[i]);
    usleep(300 * 1000); /* the server sees them go */
    r = http_fixture_request(t->port, "POST", "/things", "application/json", body);
    assert_int_equal(http_fixture_status(r), 201);
    free(r);
}

static void test_graceful_stop_finishes_requests_in_flight(void **state)
{
    struct srv *t = *state;
    struct slow_call c = {t->port, NULL};
    pthread_t th;
    pthread_create(&th, NULL, call_slow, &c);
    usleep(100 * 1000); /* the request is inside its handler */
    http_stop(t->s, 5000);
    t->s = NULL;
    pthread_join(th, NULL);
    assert_int_equal(http_fixture_status(c.resp), 200);
    assert_non_null(strstr(c.resp, "{\"slow\":true}"));
    free(c.resp);
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_router),
        cmocka_unit_test(test_query),
        cmocka_unit_test(test_assets),
        cmocka_unit_test(test_json_body),
    };
    const struct CMUnitTest server[] = {
        cmocka_unit_test_setup_teardown(test_server_answers_and_headers, start_server, stop_server),
        cmocka_unit_test_setup_teardown(test_server_errors, start_server, stop_server),
        cmocka_unit_test_setup_teardown(test_server_json_body_and_language, start_server,
                                        stop_server),
        cmocka_unit_test_setup_teardown(test_server_body_limit, start_server, stop_server),
        cmocka_unit_test_setup_teardown(test_slow_clients_are_dropped, start_server, stop_server),
        cmocka_unit_test_setup_teardown(test_client_address_behind_a_proxy, start_server,
                                        stop_server),
        cmocka_unit_test_setup_teardown(test_body_memory_is_capped, start_server, stop_server),
        cmocka_unit_test_setup_teardown(test_graceful_stop_finishes_requests_in_flight,
                                        start_server, stop_server),
    };
    return cmocka_run_group_tests_name("http", pure, NULL, NULL) +
           cmocka_run_group_tests_name("http_server", server, NULL, NULL);
}
