/*
 * http_fixture.c - the real server and a raw-socket client, for the tests of the HTTP layer
 * (http_fixture.h).
 */
#include "http_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct http_config http_fixture_config(const struct route *routes, const char *db_url)
{
    return (struct http_config){.host = "127.0.0.1",
                                .port = 0,
                                .threads = 2,
                                .body_limit = 1024,
                                .max_connections = 64,
                                .max_per_ip = 64,
                                .timeout_s = 5,
                                .header_timeout_s = 5,
                                .body_timeout_s = 5,
                                .conn_memory = 32 * 1024,
                                .db_url = db_url,
                                .routes = routes};
}

struct http_server *http_fixture_start(const struct http_config *cfg, int *port)
{
    struct http_server *s = NULL;
    assert_int_equal(http_start(cfg, &s), 0);
    *port = http_port(s);
    assert_true(*port > 0);
    return s;
}

int http_fixture_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    return fd;
}

char *http_fixture_roundtrip(int port, const char *raw, size_t len)
{
    int fd = http_fixture_connect(port);
    for (size_t off = 0; off < len;) {
        ssize_t n = send(fd, raw + off, len - off, MSG_NOSIGNAL);
        if (n <= 0)
            break; /* the server may answer and close before reading everything */
        off += (size_t)n;
    }
    size_t cap = 65536, used = 0;
    char *out = calloc(1, cap);
    ssize_t n;
    while (used + 1 < cap && (n = recv(fd, out + used, cap - used - 1, 0)) > 0)
        used += (size_t)n;
    close(fd);
    return out;
}

char *http_fixture_request(int port, const char *method, const char *path, const char *ctype,
                           const char *body)
{
    char raw[8192];
    int n = snprintf(raw, sizeof(raw),
                     "%s %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n%s%s%s"
                     "Content-Length: %zu\r\n\r\n%s",
                     method, path, ctype ? "Content-Type: " : "", ctype ? ctype : "",
                     ctype ? "\r\n" : "", body ? strlen(body) : 0, body ? body : "");
    return http_fixture_roundtrip(port, raw, (size_t)n);
}

int http_fixture_status(const char *resp)
{
    int status = 0;
    sscanf(resp, "HTTP/1.1 %d", &status);
    return status;
}
