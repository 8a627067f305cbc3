/*
 * http_fixture.h - the real server on a free loopback port, with a test's own route table,
 * and a client that speaks to it over raw sockets, byte for byte: for the tests of the HTTP
 * layer (test_http.c, test_http_nodb.c).
 *
 *     struct http_config cfg = http_fixture_config(routes, "sqlite:/tmp/x.sqlite");
 *     cfg.body_memory = 4096;            (what the test is about)
 *     int port;
 *     struct http_server *s = http_fixture_start(&cfg, &port);
 *     char *r = http_fixture_request(port, "GET", "/things", NULL, NULL);
 *     assert_int_equal(http_fixture_status(r), 200);
 *     free(r);
 *     http_stop(s, 1000);
 */
#ifndef PD_TESTS_HTTP_FIXTURE_H
#define PD_TESTS_HTTP_FIXTURE_H

#include <stddef.h>

#include "http/server.h"

/* A server's configuration on 127.0.0.1, a port picked free, routes and its database at
 * db_url: 1 KiB bodies, timeouts of 5 s, room for 64 connections. The test sets the rest. */
struct http_config http_fixture_config(const struct route *routes, const char *db_url);

/* Starts the server of cfg (the test fails otherwise), its port in *port. */
struct http_server *http_fixture_start(const struct http_config *cfg, int *port);

/* A socket connected to 127.0.0.1:port (the test fails otherwise). */
int http_fixture_connect(int port);

/* Sends raw bytes, reads the whole answer (the request asks to close). Caller frees. */
char *http_fixture_roundtrip(int port, const char *raw, size_t len);

/* A request with a Content-Length (0 without a body), and a Content-Type when ctype is
 * given; the whole answer, as http_fixture_roundtrip. */
char *http_fixture_request(int port, const char *method, const char *path, const char *ctype,
                           const char *body);

/* The status of an answer, 0 when it has none. */
int http_fixture_status(const char *resp);

#endif
