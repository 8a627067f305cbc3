/*
 * gateway/stripe.c - Stripe's REST API over libcurl (see stripe.h).
 *
 * One request: form-encoded body, Authorization: Bearer <secret key>, Stripe-Version
 * pinned, an Idempotency-Key on every POST that creates something, a connect timeout and
 * a whole-request timeout. A 429 (rate limited: Stripe did nothing) is retried after a
 * growing pause with the same Idempotency-Key, unless Stripe says Stripe-Should-Retry:
 * false; nothing else is retried here. A timeout or a 5xx is UNKNOWN: the caller looks
 * the key up later, and a new attempt replays the same Idempotency-Key, so Stripe answers
 * with the first attempt instead of charging again.
 *
 * The keys live in two static buffers, read once, wiped at close (a server keeps them to its
 * end); the secret key goes into an Authorization line built on the stack and into curl's
 * copy of it, both wiped after the request. libcurl also builds the request's headers in
 * buffers of its own, which it frees without wiping: freed memory may hold the key until it
 * is used again (a core dump would show it: the unit, as shipped, sets LimitCORE=0).
 *
 * A request's libcurl handle is given back to a small pool once answered, and the next
 * request takes it with the connection it keeps open: TCP and TLS to api.stripe.com cost
 * two more round trips, which every request of a Buy or a renewal used to pay.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <curl/curl.h>

#include "core/buf.h"
#include "core/crypto.h"
#include "core/form.h"
#include "core/stripe_sig.h"
#include "gateway/stripe.h"
#include "log.h"

#define KEY_BYTES 256
#define MAX_ANSWER ((size_t)1024 * 1024) /* Stripe's objects are a few kB */

static struct {
    int open;
    char api_base[256];
    char secret_key[KEY_BYTES];
    char webhook_secret[KEY_BYTES];
    long timeout_ms, connect_timeout_ms, backoff_ms;
    int max_retries;
} cfg;

/* Idle handles, each with its open connection: at most one per request under way at once
 * (the HTTP threads' Buys, a pass's charges at once), up to POOL_MAX. */
#define POOL_MAX 32

static struct {
    pthread_mutex_t lock;
    CURL *idle[POOL_MAX];
    int n;
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* ---- keys ---- */

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    size_t lead = strspn(s, " \t\r\n");
    memmove(s, s + lead, n - lead + 1);
}

/* Reads a key from path, or else from the environment variable env, into out. */
static int read_key(const char *path, const char *env, char *out, const char *what,
                    struct pd_error *err)
{
    out[0] = '\0';
    if (path != NULL) {
        FILE *f = fopen(path, "re");
        if (f == NULL)
            return pd_fail(err, PD_E_INTERNAL, "stripe: cannot read the %s file %s: %s", what, path,
                           strerror(errno));
        struct stat st;
        if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077) != 0) {
            char esc[512];
            log_line(LOG_WARN, NULL, "stripe key file readable by others", "file=%s",
                     log_escape(path, esc, sizeof(esc)));
        }
        size_t n = fread(out, 1, KEY_BYTES - 1, f);
        fclose(f);
        out[n] = '\0';
    } else {
        const char *v = getenv(env);
        if (v == NULL || *v == '\0')
            return pd_fail(err, PD_E_INTERNAL,
                           "stripe: no %s (give its file, or set %s in the environment)", what,
                           env);
        snprintf(out, KEY_BYTES, "%s", v);
    }
    trim(out);
    return 0;
}

int stripe_open(const struct stripe_options *o, struct pd_error *err)
{
    memset(&cfg, 0, sizeof(cfg));
    int rc = read_key(o->secret_key_file, "PARTNERD_STRIPE_SECRET_KEY", cfg.secret_key,
                      "secret key", err);
    if (rc == 0)
        rc = read_key(o->webhook_secret_file, "PARTNERD_STRIPE_WEBHOOK_SECRET", cfg.webhook_secret,
                      "webhook secret", err);
    if (rc < 0) {
        stripe_close();
        return rc;
    }
    if (strncmp(cfg.secret_key, "sk_", 3) != 0 && strncmp(cfg.secret_key, "rk_", 3) != 0) {
        stripe_close();
        return pd_fail(err, PD_E_INTERNAL,
                       "stripe: the secret key does not start with sk_ or rk_ (a publishable "
                       "pk_ key is not a secret key)");
    }
    if (strncmp(cfg.webhook_secret, "whsec_", 6) != 0) {
        stripe_close();
        return pd_fail(err, PD_E_INTERNAL, "stripe: the webhook secret does not start with whsec_");
    }
    if (strspn(cfg.secret_key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
        strlen(cfg.secret_key)) {
        stripe_close();
        return pd_fail(err, PD_E_INTERNAL, "stripe: the secret key holds unexpected characters");
    }
    snprintf(cfg.api_base, sizeof(cfg.api_base), "%s", o->api_base ? o->api_base : STRIPE_API_BASE);
    size_t n = strlen(cfg.api_base);
    while (n > 0 && cfg.api_base[n - 1] == '/')
        cfg.api_base[--n] = '\0';
    cfg.timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 30000;
    cfg.connect_timeout_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 10000;
    cfg.max_retries = o->max_retries > 0 ? o->max_retries : o->max_retries < 0 ? 0 : 3;
    cfg.backoff_ms = o->backoff_ms > 0 ? o->backoff_ms : 500;
    cfg.open = 1;
    char esc[300];
    log_line(LOG_INFO, NULL, "stripe gateway ready", "api=%s mode=%s version=%s",
             log_escape(cfg.api_base, esc, sizeof(esc)),
             strstr(cfg.secret_key, "_live_") ? "live" : "test", STRIPE_API_VERSION);
    return 0;
}

void stripe_close(void)
{
    pthread_mutex_lock(&pool.lock);
    cfg.open = 0; /* under the lock: no handle is given back to the pool once it is drained */
    while (pool.n > 0)
        curl_easy_cleanup(pool.idle[--pool.n]);
    pthread_mutex_unlock(&pool.lock);
    secret_wipe(cfg.secret_key, sizeof(cfg.secret_key));
    secret_wipe(cfg.webhook_secret, sizeof(cfg.webhook_secret));
}

/* ---- one request ---- */

struct answer {
    struct buf body;
    int should_retry; /* -1 unsaid, 0 Stripe-Should-Retry: false, 1 true */
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct answer *a = arg;
    if (a->body.len + size * n > MAX_ANSWER)
        return 0; /* aborts: an answer this big is not Stripe's */
    buf_append(&a->body, p, size * n);
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    struct answer *a = arg;
    static const char name[] = "stripe-should-retry:";
    size_t len = size * n;
    if (len > sizeof(name) - 1 && strncasecmp(p, name, sizeof(name) - 1) == 0) {
        const char *v = p + sizeof(name) - 1;
        while (*v == ' ')
            v++;
        a->should_retry = strncmp(v, "false", 5) == 0 ? 0 : 1;
    }
    return len;
}

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* An idle handle with its connection, or a new one. */
static CURL *handle_take(void)
{
    pthread_mutex_lock(&pool.lock);
    CURL *curl = pool.n > 0 ? pool.idle[--pool.n] : NULL;
    pthread_mutex_unlock(&pool.lock);
    return curl ? curl : curl_easy_init();
}

/* Back to the pool once answered, its options reset (none points into the request any
 * more) and its connection kept; one that got no answer has no connection worth keeping. */
static void handle_give(CURL *curl, bool answered)
{
    if (answered)
        curl_easy_reset(curl);
    pthread_mutex_lock(&pool.lock);
    if (answered && cfg.open && pool.n < POOL_MAX) {
        pool.idle[pool.n++] = curl;
        curl = NULL;
    }
    pthread_mutex_unlock(&pool.lock);
    if (curl != NULL)
        curl_easy_cleanup(curl);
}

/* Sends once: the HTTP status, or 0 when no answer came (timeout, no connection). */
static int send_once(const char *method, const char *url, const char *form, const char *idem,
                     struct answer *a, const char *path)
{
    CURL *curl = handle_take();
    if (curl == NULL)
        return 0;
    char auth[KEY_BYTES + 32], idem_line[STRIPE_IDEM_BYTES + 24];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", cfg.secret_key);
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, "Stripe-Version: " STRIPE_API_VERSION);
    h = curl_slist_append(h, "User-Agent: partnerd-stripe/1");
    h = curl_slist_append(h, "Expect:"); /* no 100-continue round trip */
    if (idem != NULL) {
        snprintf(idem_line, sizeof(idem_line), "Idempotency-Key: %s", idem);
        h = curl_slist_append(h, idem_line);
    }
    secret_wipe(auth, sizeof(auth));
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https,http");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, cfg.timeout_ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, cfg.connect_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, a);
    if (strcmp(method, "POST") == 0)
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form ? form : "");
    CURLcode res = curl_easy_perform(curl);
    long status = 0;
    if (res == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    else /* curl's text may quote the URL: its code only */
        log_line(LOG_WARN, NULL, "stripe request got no answer", "method=%s path=%s error=%d",
                 method, path, (int)res);
    /* curl's copy of the Authorization line */
    if (h != NULL)
        secret_wipe(h->data, strlen(h->data));
    curl_slist_free_all(h);
    handle_give(curl, res == CURLE_OK);
    return (int)status;
}

/* Sends method path (path has no secret in it; its query is not logged) with the
 * retries of a 429, and reads the answer into out. */
static int call(const char *method, const char *path, const char *form, const char *idem,
                struct stripe_result *out)
{
    if (!cfg.open) {
        memset(out, 0, sizeof(*out));
        out->outcome = STRIPE_UNKNOWN;
        return -1;
    }
    char url[1024], shown[128];
    snprintf(url, sizeof(url), "%s%s", cfg.api_base, path);
    snprintf(shown, sizeof(shown), "%.*s", (int)strcspn(path, "?"), path);
    char esc[160];
    log_escape(shown, esc, sizeof(esc));
    long wait = cfg.backoff_ms;
    for (int attempt = 0;; attempt++) {
        struct answer a = {.body = {0}, .should_retry = -1};
        int status = send_once(method, url, form, idem, &a, esc);
        stripe_read_answer(status, a.body.data, a.body.len, out);
        buf_free(&a.body);
        if (status == 429 && a.should_retry != 0 && attempt < cfg.max_retries) {
            log_line(LOG_WARN, NULL, "stripe rate limited, retrying",
                     "method=%s path=%s wait_ms=%ld", method, esc, wait);
            pause_ms(wait + random_between(0, wait / 4));
            wait *= 2;
            continue;
        }
        if (status < 200 || status >= 300) {
            char code[100];
            log_line(status >= 500 || status == 0 || status == 401 || status == 403 ? LOG_ERROR
                     : status == 400                                                ? LOG_WARN
                                                                                    : LOG_INFO,
                     NULL, "stripe answered", "method=%s path=%s status=%d code=%s outcome=%s",
                     method, esc, status, log_escape(out->code, code, sizeof(code)),
                     stripe_outcome_name(out->outcome));
        }
        return 0;
    }
}

/* ---- operations ---- */

static int idem_for(const char *op, const char *key, char *idem)
{
    if (key == NULL || *key == '\0')
        return -1;
    stripe_idempotency_key(op, key, idem, STRIPE_IDEM_BYTES);
    return 0;
}

static void lower(char *dst, size_t n, const char *s)
{
    size_t i = 0;
    for (; s[i] && i + 1 < n; i++)
        dst[i] = (char)tolower((unsigned char)s[i]);
    dst[i] = '\0';
}

int stripe_charge(const struct stripe_charge *c, struct stripe_result *out)
{
    char idem[STRIPE_IDEM_BYTES], currency[8];
    memset(out, 0, sizeof(*out));
    out->outcome = STRIPE_UNKNOWN;
    if (c->payment_method == NULL || c->currency == NULL || c->amount <= 0 ||
        idem_for("charge", c->key, idem) < 0 || (!c->off_session && c->return_url == NULL) ||
        (c->off_session && c->customer == NULL))
        return -1;
    lower(currency, sizeof(currency), c->currency);
    struct buf f = {0};
    form_add_int(&f, "amount", c->amount);
    form_add(&f, "currency", currency);
    form_add(&f, "payment_method", c->payment_method);
    form_add(&f, "customer", c->customer);
    form_add(&f, "description", c->description);
    form_add(&f, "confirm", "true");
    form_add_nested(&f, "payment_method_types", "", "card");
    form_add_nested(&f, "metadata", "partnerd_key", c->key);
    if (c->off_session) {
        form_add(&f, "off_session", "true");
    } else {
        form_add(&f, "return_url", c->return_url);
        if (c->save && c->customer)
            form_add(&f, "setup_future_usage", "off_session");
    }
    int rc = call("POST", "/v1/payment_intents", f.data, idem, out);
    buf_free(&f);
    return rc;
}

/* Writes s into b for Stripe's search language: between single quotes, ' and \ escaped. */
static void search_quote(struct buf *b, const char *s)
{
    buf_puts(b, "'");
    for (; *s; s++) {
        if (*s == '\'' || *s == '\\')
            buf_puts(b, "\\");
        buf_append(b, s, 1);
    }
    buf_puts(b, "'");
}

int stripe_lookup(const char *key, struct stripe_result *out)
{
    memset(out, 0, sizeof(*out));
    out->outcome = STRIPE_UNKNOWN;
    if (key == NULL || *key == '\0')
        return -1;
    struct buf q = {0}, path = {0};
    buf_puts(&q, "metadata['partnerd_key']:");
    search_quote(&q, key);
    buf_puts(&path, "/v1/payment_intents/search?");
    form_add(&path, "query", q.data);
    int rc = call("GET", path.data, NULL, NULL, out);
    buf_free(&q);
    buf_free(&path);
    return rc;
}

/* An id in a path: Stripe's ids are letters, digits and '_' only. */
static int id_ok(const char *id)
{
    return id && *id && strlen(id) < 48 &&
           strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
               strlen(id);
}

int stripe_intent(const char *intent_id, struct stripe_result *out)
{
    char path[96];
    int ok = id_ok(intent_id);
    if (ok) /* before out is cleared: intent_id may be out->id */
        snprintf(path, sizeof(path), "/v1/%s/%s",
                 strncmp(intent_id, "seti_", 5) == 0 ? "setup_intents" : "payment_intents",
                 intent_id);
    memset(out, 0, sizeof(*out));
    out->outcome = STRIPE_UNKNOWN;
    if (!ok)
        return -1;
    return call("GET", path, NULL, NULL, out);
}

int stripe_confirm(const char *intent_id, const char *payment_method, const char *return_url,
                   const char *key, struct stripe_result *out)
{
    char idem[STRIPE_IDEM_BYTES], path[96];
    int ok = id_ok(intent_id) && return_url != NULL && idem_for("confirm", key, idem) == 0;
    if (ok)
        snprintf(path, sizeof(path), "/v1/payment_intents/%s/confirm", intent_id);
    memset(out, 0, sizeof(*out));
    out->outcome = STRIPE_UNKNOWN;
    if (!ok)
        return -1;
    struct buf f = {0};
    form_add(&f, "payment_method", payment_method);
    form_add(&f, "return_url", return_url);
    int rc = call("POST", path, f.data, idem, out);
    buf_free(&f);
    return rc;
}

int stripe_cancel(const char *intent_id, enum gw_cancel_reason reason, struct stripe_result *out)
{
    char idem[STRIPE_IDEM_BYTES], path[96];
    int ok = id_ok(intent_id);
    if (ok) {
        snprintf(path, sizeof(path), "/v1/payment_intents/%s/cancel", intent_id);
        stripe_idempotency_key("cancel", intent_id, idem, sizeof(idem));
    }
    memset(out, 0, sizeof(*out));
    out->outcome = STRIPE_UNKNOWN;
    if (!ok)
        return -1;
    const char *form = reason == GW_CANCEL_ABANDONED     ? "cancellation_reason=abandoned"
                       : reason == GW_CANCEL_HANDED_OVER ? "cancellation_reason=requested_by_customer"
                                                         : "";
    return call("POST", path, form, idem, out);
}

int stripe_refund(const char *intent_id, int64_t amount, const char *key, struct stripe_result *out)
{
    char idem[STRIPE_IDEM_BYTES];
    memset(out, 0, sizeof(*out));
    out->outcome = STRIPE_UNKNOWN;
    if (!id_ok(intent_id) || amount <= 0 || idem_for("refund", key, idem) < 0)
        return -1;
    struct buf f = {0};
    form_add(&f, "payment_intent", intent_id);
    form_add_int(&f, "amount", amount);
    form_add_nested(&f, "metadata", "partnerd_key", key);
    int rc = call("POST", "/v1/refunds", f.data, idem, out);
    buf_free(&f);
    return rc;
}

int stripe_customer(const char *email, const char *name, const char *key, char out_id[48],
                    struct stripe_result *out)
{
    char idem[STRIPE_IDEM_BYTES];
    memset(out, 0, sizeof(*out));
    out->outcome = STRIPE_UNKNOWN;
    out_id[0] = '\0';
    if (idem_for("customer", key, idem) < 0)
        return -1;
    struct buf f = {0};
    form_add(&f, "email", email);
    form_add(&f, "name", name);
    form_add_nested(&f, "metadata", "partnerd_key", key);
    int rc = call("POST", "/v1/customers", f.data, idem, out);
    buf_free(&f);
    if (rc == 0 && out->outcome == STRIPE_SUCCEEDED && strncmp(out->id, "cus_", 4) == 0) {
        snprintf(out_id, 48, "%s", out->id);
        return 0;
    }
    if (out->outcome == STRIPE_SUCCEEDED)
        out->outcome = STRIPE_UNKNOWN;
    return -1;
}

int stripe_setup(const char *customer, const char *payment_method, const char *return_url,
                 const char *key, struct stripe_result *out)
{
    char idem[STRIPE_IDEM_BYTES];
    memset(out, 0, sizeof(*out));
    out->outcome = STRIPE_UNKNOWN;
    if (!id_ok(customer) || payment_method == NULL || return_url == NULL ||
        idem_for("setup", key, idem) < 0)
        return -1;
    struct buf f = {0};
    form_add(&f, "customer", customer);
    form_add(&f, "payment_method", payment_method);
    form_add(&f, "confirm", "true");
    form_add(&f, "usage", "off_session");
    form_add(&f, "return_url", return_url);
    form_add_nested(&f, "payment_method_types", "", "card");
    form_add_nested(&f, "metadata", "partnerd_key", key);
    int rc = call("POST", "/v1/setup_intents", f.data, idem, out);
    buf_free(&f);
    return rc;
}

int stripe_payment_method(const char *payment_method, struct gw_token *out,
                          struct stripe_result *res)
{
    memset(out, 0, sizeof(*out));
    memset(res, 0, sizeof(*res));
    res->outcome = STRIPE_UNKNOWN;
    if (!id_ok(payment_method) || !cfg.open)
        return -1;
    char url[512];
    snprintf(url, sizeof(url), "%s/v1/payment_methods/%s", cfg.api_base, payment_method);
    struct answer a = {.body = {0}, .should_retry = -1};
    char esc[64];
    int status =
        send_once("GET", url, NULL, NULL, &a, log_escape("/v1/payment_methods", esc, sizeof(esc)));
    stripe_read_answer(status, a.body.data, a.body.len, res);
    json_t *pm = status == 200 ? json_loadb(a.body.data, a.body.len, 0, NULL) : NULL;
    buf_free(&a.body);
    const json_t *card = json_object_get(pm, "card");
    const char *last4 = json_string_value(json_object_get(card, "last4"));
    const char *brand = json_string_value(json_object_get(card, "brand"));
    int rc = -1;
    if (json_is_object(card) && last4 && brand) {
        snprintf(out->token, sizeof(out->token), "%s", payment_method);
        snprintf(out->brand, sizeof(out->brand), "%s", brand);
        snprintf(out->last4, sizeof(out->last4), "%s", last4);
        out->exp_month = (int)json_integer_value(json_object_get(card, "exp_month"));
        out->exp_year = (int)json_integer_value(json_object_get(card, "exp_year"));
        rc = 0;
    } else if (res->outcome == STRIPE_SUCCEEDED) {
        res->outcome = STRIPE_DECLINED; /* not a card */
    }
    json_decref(pm);
    return rc;
}

enum stripe_event_status stripe_webhook(const char *signature, const char *body, size_t len,
                                        long long now, struct stripe_event *out)
{
    memset(out, 0, sizeof(*out));
    if (!cfg.open)
        return STRIPE_EVENT_BAD_SIGNATURE;
    enum stripe_sig_result v =
        stripe_sig_verify(signature, body, len, cfg.webhook_secret, now, STRIPE_SIG_TOLERANCE_S);
    if (v != STRIPE_SIG_OK) {
        log_line(LOG_WARN, NULL, "stripe webhook refused", "reason=%s", stripe_sig_result_name(v));
        return STRIPE_EVENT_BAD_SIGNATURE;
    }
    return stripe_read_event(body, len, out);
}
