/*
 * test_http_nodb.c - a route that never uses the database (ROUTE_NO_DB: the version, the
 * metrics) answers while the database cannot be reached, /healthz (ROUTE_DB_OPTIONAL) says
 * "unreachable"; every other route says 503.
 * The server's database is a PostgreSQL address nothing listens on, whatever the engine
 * of the other tests: the server never reaches it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "http/request.h"
#include "http/router.h"
#include "http/server.h"
#include "http_fixture.h"

static int h_alive(struct req *r, struct resp *w)
{
    resp_json(r, w, 200, json_pack("{s:b}", "alive", r->db == NULL));
    return 0;
}

static const struct route routes[] = {
    {"GET", "/alive", h_alive, ROUTE_NO_DB, "test"},
    {"GET", "/needs-db", h_alive, 0, "test"},
    {"GET", "/healthz", api_healthz, ROUTE_DB_OPTIONAL, "test"},
    {0, 0, 0, 0, 0},
};

/* The status of GET path, its whole answer in out. */
static int get(int port, const char *path, char *out, size_t n)
{
    char *r = http_fixture_request(port, "GET", path, NULL, NULL);
    snprintf(out, n, "%s", r);
    free(r);
    return http_fixture_status(out);
}

static void test_no_db_routes_answer_without_the_database(void **state)
{
    (void)state;
    struct http_config cfg =
        http_fixture_config(routes, "postgresql://127.0.0.1:1/unreachable?connect_timeout=2");
    cfg.threads = 1;
    int port;
    struct http_server *s = http_fixture_start(&cfg, &port);
    char out[4096];
    assert_int_equal(get(port, "/needs-db", out, sizeof(out)), 503);
    assert_int_equal(get(port, "/alive", out, sizeof(out)), 200);
    assert_non_null(strstr(out, "{\"alive\":true}"));
    /* /healthz says why, as docs/operations.md has it, not a bare service_unavailable */
    assert_int_equal(get(port, "/healthz", out, sizeof(out)), 503);
    assert_non_null(strstr(out, "\"status\":\"unavailable\",\"database\":\"unreachable\""));
    http_stop(s, 1000);
}

/* The application's own table: the version and the metrics never use the database. */
static void test_version_and_metrics_need_no_database(void **state)
{
    (void)state;
    assert_int_equal(api_check_routes(), 0);
    int found = 0;
    for (const struct route *rt = api_routes; rt->method; rt++)
        if (strcmp(rt->pattern, "/api/v1/version") == 0 || strcmp(rt->pattern, "/metrics") == 0) {
            assert_true(rt->flags & ROUTE_NO_DB);
            found++;
        } else if (strcmp(rt->pattern, "/healthz") == 0) {
            assert_true(rt->flags & ROUTE_DB_OPTIONAL);
            found++;
        }
    assert_int_equal(found, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_db_routes_answer_without_the_database),
        cmocka_unit_test(test_version_and_metrics_need_no_database),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
