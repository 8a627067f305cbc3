/* stripe_harness.c - the Stripe stand-in (node tests/stripe/standin.mjs) started for a C test,
 * a webhook receiver that keeps what it is sent, and the stand-in's test controls (see
 * stripe_harness.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <curl/curl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "gateway/stripe.h"
#include "stripe_harness.h"

#ifndef PD_SOURCE_DIR
#define PD_SOURCE_DIR "."
#endif

char standin_url[64];
static pid_t standin_pid;

/* ---- the webhook receiver: keeps every delivery ---- */

#define MAX_HOOKS 64
static struct hook {
    char signature[256];
    char *body;
    size_t len;
} hooks[MAX_HOOKS];
static int n_hooks;
static pthread_mutex_t hooks_lock = PTHREAD_MUTEX_INITIALIZER;
static struct MHD_Daemon *receiver;

struct upload {
    struct buf body;
};

static enum MHD_Result on_hook(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *data,
                               size_t *size, void **ctx)
{
    (void)cls, (void)url, (void)method, (void)version;
    struct upload *u = *ctx;
    if (u == NULL) {
        *ctx = calloc(1, sizeof(struct upload));
        return MHD_YES;
    }
    if (*size > 0) {
        buf_append(&u->body, data, *size);
        *size = 0;
        return MHD_YES;
    }
    const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Stripe-Signature");
    pthread_mutex_lock(&hooks_lock);
    if (n_hooks < MAX_HOOKS) {
        struct hook *h = &hooks[n_hooks++];
        snprintf(h->signature, sizeof(h->signature), "%s", sig ? sig : "");
        h->body = u->body.data ? strdup(u->body.data) : strdup("");
        h->len = u->body.len;
    }
    pthread_mutex_unlock(&hooks_lock);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(2, (void *)"ok", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ok = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ok;
}

static void on_done(void *cls, struct MHD_Connection *c, void **ctx,
                    enum MHD_RequestTerminationCode code)
{
    (void)cls, (void)c, (void)code;
    struct upload *u = *ctx;
    if (u) {
        buf_free(&u->body);
        free(u);
    }
}

/* The settling events received for key so far, verified by the adapter; the last in *last. */
int standin_events_for(const char *key, struct stripe_event *last, char first_id[64])
{
    int n = 0;
    pthread_mutex_lock(&hooks_lock);
    for (int i = 0; i < n_hooks; i++) {
        struct stripe_event ev;
        enum stripe_event_status s =
            stripe_webhook(hooks[i].signature, hooks[i].body, hooks[i].len, time(NULL), &ev);
        assert_int_not_equal(s, STRIPE_EVENT_BAD_SIGNATURE);
        if (s == STRIPE_EVENT_SETTLES && strcmp(ev.key, key) == 0 &&
            ev.outcome != STRIPE_REQUIRES_ACTION) {
            if (n == 0 && first_id)
                snprintf(first_id, 64, "%s", ev.id);
            *last = ev;
            n++;
        }
    }
    pthread_mutex_unlock(&hooks_lock);
    return n;
}

/* ---- talking to the stand-in's test controls ---- */

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
    buf_append(arg, p, size * n);
    return size * n;
}

/* method url [form body]: the status; the answer's body in *out when out is given. */
long standin_http(const char *method, const char *url, const char *body, const char *type,
                  struct buf *out, char *location, size_t location_n)
{
    CURL *c = curl_easy_init();
    struct buf ignored = {0};
    struct curl_slist *h = NULL;
    if (type) {
        char line[128];
        snprintf(line, sizeof(line), "Content-Type: %s", type);
        h = curl_slist_append(h, line);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out ? out : &ignored);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (location) {
        char *loc = NULL;
        curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc);
        snprintf(location, location_n, "%s", loc ? loc : "");
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    buf_free(&ignored);
    return status;
}

void standin_control(const char *path, const char *json)
{
    char url[256];
    snprintf(url, sizeof(url), "%s%s", standin_url, path);
    assert_int_equal(standin_http("POST", url, json, "application/json", NULL, NULL, 0), 200);
}

json_t *standin_get(const char *path)
{
    char url[256];
    struct buf b = {0};
    snprintf(url, sizeof(url), "%s%s", standin_url, path);
    assert_int_equal(standin_http("GET", url, NULL, NULL, &b, NULL, 0), 200);
    json_t *j = json_loadb(b.data, b.len, 0, NULL);
    buf_free(&b);
    assert_non_null(j);
    return j;
}

/* Charges that really happened for partnerd's key. */
int standin_charges_for(const char *key)
{
    json_t *l = standin_get("/_test/ledger");
    size_t i;
    json_t *c;
    int n = 0;
    json_array_foreach(json_object_get(l, "charges"), i, c)
    {
        const char *k = json_string_value(json_object_get(c, "partnerd_key"));
        n += k && strcmp(k, key) == 0;
    }
    json_decref(l);
    return n;
}

/* /v1 requests made with this Idempotency-Key. */
int standin_requests_with(const char *idem)
{
    json_t *l = standin_get("/_test/requests");
    size_t i;
    json_t *r;
    int n = 0;
    json_array_foreach(l, i, r)
    {
        const char *k = json_string_value(json_object_get(r, "idempotency_key"));
        const char *v = json_string_value(json_object_get(r, "stripe_version"));
        if (k && strcmp(k, idem) == 0) {
            assert_string_equal(v, STRIPE_API_VERSION);
            n++;
        }
    }
    json_decref(l);
    return n;
}

/* ---- setup ---- */

static void start_node(const char *secret_key, const char *webhook_secret, int child_stderr)
{
    int out[2];
    assert_int_equal(pipe(out), 0);
    standin_pid = fork();
    assert_true(standin_pid >= 0);
    if (standin_pid == 0) {
        dup2(out[1], 1);
        dup2(child_stderr, 2);
        close(out[0]);
        execlp("node", "node", PD_SOURCE_DIR "/tests/stripe/standin.mjs", "--key", secret_key,
               "--webhook-secret", webhook_secret, (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    char line[256];
    FILE *f = fdopen(out[0], "r");
    assert_non_null(fgets(line, sizeof(line), f));
    json_t *j = json_loads(line, 0, NULL);
    assert_non_null(j);
    snprintf(standin_url, sizeof(standin_url), "%s", json_string_value(json_object_get(j, "url")));
    json_decref(j);
    fclose(f);
}

int standin_refunds_of(const char *pi)
{
    json_t *l = standin_get("/_test/ledger");
    size_t i;
    json_t *x;
    int total = 0;
    json_array_foreach(json_object_get(l, "refunds"), i, x)
    {
        if (strcmp(json_string_value(json_object_get(x, "payment_intent")), pi) == 0)
            total += (int)json_integer_value(json_object_get(x, "amount"));
    }
    json_decref(l);
    return total;
}
void standin_start(const char *secret_key, const char *webhook_secret, int child_stderr)
{
    start_node(secret_key, webhook_secret, child_stderr);
    struct sockaddr_in loopback = {.sin_family = AF_INET, .sin_port = 0};
    loopback.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    receiver = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
                                on_hook, NULL, MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
                                MHD_OPTION_SOCK_ADDR, &loopback, MHD_OPTION_END);
    assert_non_null(receiver);
    int port = MHD_get_daemon_info(receiver, MHD_DAEMON_INFO_BIND_PORT)->port;
    char cfg[256];
    snprintf(cfg, sizeof(cfg),
             "{\"webhook_url\":\"http://127.0.0.1:%d/webhooks/stripe\",\"webhook_secret\":\"%s\"}",
             port, webhook_secret);
    standin_control("/_test/config", cfg);
}

void standin_stop(void)
{
    MHD_stop_daemon(receiver);
    kill(standin_pid, SIGTERM);
    waitpid(standin_pid, NULL, 0);
    for (int i = 0; i < n_hooks; i++)
        free(hooks[i].body);
    n_hooks = 0;
}
