/*
 * jobs/webhook_send.c - webhooks POSTed, several at once.
 *
 * A pass claims the due deliveries a group at a time (service/delivery.c) and POSTs up to
 * webhooks.at_once of them at once (an operator setting, default 8), on its own thread,
 * with libcurl's multi interface: a receiver that takes seconds to answer no longer holds
 * up the other receivers of its group, though still the rest of the group and what is
 * claimed after it. A receiver (an endpoint, and endpoints with exactly the same URL
 * together) is sent one delivery at a time, in the order of the group (its events'
 * order): it sees them in turn, as before, and is never sent two at once. Each outcome is
 * recorded as its answer comes.
 *
 * A receiver's time in a pass is bounded: once the POSTs to a URL have taken
 * webhooks.receiver_seconds (default 10) together, its other deliveries of the pass are put
 * back unsent, no attempt counted, and the next pass (a minute later under `serve`) claims
 * them again, in their order. A slow receiver, or one with a long backlog, then holds up the
 * rest of its group, the groups after it and the jobs after outbox_delivery by that much and
 * one POST more (at most HTTP_TIMEOUT_S), however many deliveries it has due. A URL that
 * gave no answer within HTTP_TIMEOUT_S gets no other POST in the pass: its deliveries are
 * recorded as failed attempts (retried, or at their last given up).
 *
 * Webhooks are signed as Standard Webhooks (https://www.standardwebhooks.com) say:
 *     webhook-id: <delivery id, the same on every retry>
 *     webhook-timestamp: <unix seconds>
 *     webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>
 * where the key is the base64 after "whsec_" of the endpoint's secret, so the published
 * verifiers accept them. Endpoints made before partnerd spoke it keep the old header until
 * their owner rotates the secret:
 *     Partnerd-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
 * (the whole secret as ASCII). Times are the transport's real time, not the test clock.
 */
#include "jobs/webhook_send.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base64.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/fault.h"
#include "core/hash.h"
#include "jobs/egress.h"
#include "log.h"
#include "service/job_requests.h"

/* How many deliveries a pass claims at a time. */
#define GROUP 50
#define HTTP_TIMEOUT_S 10

static size_t discard(char *ptr, size_t size, size_t nmemb, void *arg)
{
    (void)ptr;
    (void)arg;
    return size * nmemb;
}

/* The signature headers of one POST, at unix time t, into h. 0, or -1 when there is no
 * secret (it could not be opened) or the secret of a Standard Webhooks endpoint is not
 * whsec_<base64>. */
static int sign_webhook(const struct delivery_webhook *d, const char *body, const char *t,
                        struct curl_slist **h)
{
    unsigned char mac[HMAC_SHA256_BYTES];
    char line[200];
    if (d->secret[0] == '\0') /* sealed under a key the key file lacks */
        return -1;
    if (!d->standard) {
        char hex[HMAC_SHA256_BYTES * 2 + 1];
        const char *const parts[] = {t, ".", body};
        hmac_sha256(d->secret, strlen(d->secret), parts, 3, mac);
        bytes_hex(mac, sizeof(mac), hex);
        snprintf(line, sizeof(line), "Partnerd-Signature: t=%s,v1=%s", t, hex);
        *h = curl_slist_append(*h, line);
        return 0;
    }
    unsigned char *key = NULL;
    size_t key_len = 0;
    if (strncmp(d->secret, "whsec_", 6) != 0 || base64_decode(d->secret + 6, &key, &key_len) < 0)
        return -1;
    const char *const parts[] = {d->id, ".", t, ".", body};
    hmac_sha256(key, key_len, parts, 5, mac);
    secret_wipe(key, key_len);
    free(key);
    char *b64 = base64_encode(mac, sizeof(mac));
    if (b64 == NULL)
        return -1;
    snprintf(line, sizeof(line), "webhook-signature: v1,%s", b64);
    free(b64);
    *h = curl_slist_append(*h, line);
    snprintf(line, sizeof(line), "webhook-id: %s", d->id);
    *h = curl_slist_append(*h, line);
    snprintf(line, sizeof(line), "webhook-timestamp: %s", t);
    *h = curl_slist_append(*h, line);
    return 0;
}

/* What a pass knows of each receiver (an exact URL, as turns are kept, whichever endpoints
 * name it) it has sent to: the time its POSTs took, and whether one got no answer within
 * HTTP_TIMEOUT_S. An open-addressed table that doubles when half full; a URL that cannot be
 * added (out of memory) is neither bounded nor silenced. */
struct receiver_time {
    char *url; /* NULL: a free slot */
    int64_t ms;
    bool silent; /* gave no answer: the pass's other deliveries to it are not sent */
    bool told;   /* its first delivery put back was logged */
};
struct receiver_times {
    struct receiver_time *slot;
    size_t cap, n; /* cap: 0 or a power of two */
};

/* The slot of url: its own, or the free one where it would go. */
static struct receiver_time *times_slot(const struct receiver_times *t, const char *url)
{
    size_t i = (size_t)hash64_str(HASH64_START, url) & (t->cap - 1);
    while (t->slot[i].url && strcmp(t->slot[i].url, url) != 0)
        i = (i + 1) & (t->cap - 1);
    return &t->slot[i];
}

static bool times_grow(struct receiver_times *t)
{
    struct receiver_times bigger = {.cap = t->cap ? t->cap * 2 : 64, .n = t->n};
    if ((bigger.slot = calloc(bigger.cap, sizeof(*bigger.slot))) == NULL)
        return false;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slot[i].url)
            *times_slot(&bigger, t->slot[i].url) = t->slot[i];
    free(t->slot);
    *t = bigger;
    return true;
}

/* The receiver of url, NULL when it has not been sent to in the pass. */
static struct receiver_time *times_find(const struct receiver_times *t, const char *url)
{
    struct receiver_time *r = t->cap ? times_slot(t, url) : NULL;
    return r && r->url ? r : NULL;
}

/* Adds a POST of ms to url's receiver: the receiver, or NULL when it cannot be added. */
static struct receiver_time *times_add(struct receiver_times *t, const char *url, int64_t ms)
{
    if ((t->n + 1) * 2 > t->cap && !times_grow(t))
        return NULL;
    struct receiver_time *r = times_slot(t, url);
    if (r->url == NULL) {
        if ((r->url = strdup(url)) == NULL)
            return NULL;
        t->n++;
    }
    r->ms += ms;
    return r;
}

static void times_free(struct receiver_times *t)
{
    for (size_t i = 0; i < t->cap; i++)
        free(t->slot[i].url);
    free(t->slot);
}

/* What a pass keeps across its groups about the receivers it has sent to. */
struct pass_receivers {
    struct receiver_times times;
    int64_t budget_ms; /* webhooks.receiver_seconds */
    int put_back;      /* deliveries put back for the next pass */
};

/* One POST on the wire: its delivery, its transfer, and what the transfer needs kept until
 * it ends. d == NULL: a free place. */
struct call {
    struct delivery_webhook *d;
    CURL *curl;
    struct curl_slist *headers;
    struct egress eg;
    int64_t t0; /* clock_monotonic_us() at its start */
};

/* Starts POSTing d, only to a public address unless allow_private: c holds the transfer,
 * added to multi. 0, or -1 with error set when it cannot start (c is left free). */
static int call_start(CURLM *multi, struct call *c, struct delivery_webhook *d, bool allow_private,
                      char *error, size_t n)
{
    char t[24], event[80], delivery[80];
    snprintf(t, sizeof(t), "%lld", (long long)time(NULL)); /* transport time, not the test clock */
    snprintf(event, sizeof(event), "Partnerd-Event: %s", d->event);
    snprintf(delivery, sizeof(delivery), "Partnerd-Delivery: %s", d->id);
    *c = (struct call){.eg = {.allow_private = allow_private}, .t0 = clock_monotonic_us()};
    c->headers = curl_slist_append(NULL, "Content-Type: application/json");
    if (sign_webhook(d, d->body, t, &c->headers) < 0) {
        curl_slist_free_all(c->headers);
        c->headers = NULL;
        snprintf(error, n,
                 "the endpoint's secret cannot sign: not whsec_<base64>, or sealed "
                 "under a key benefits.key_file lacks");
        return -1;
    }
    c->headers = curl_slist_append(c->headers, event);
    c->headers = curl_slist_append(c->headers, delivery);
    c->headers = curl_slist_append(c->headers, "User-Agent: partnerd-webhooks/1");
    c->curl = curl_easy_init();
    if (c->curl) {
        egress_restrict(c->curl, &c->eg); /* decided on the address connected to */
        curl_easy_setopt(c->curl, CURLOPT_URL, d->url);
        curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->headers);
        curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, d->body);
        curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, (long)HTTP_TIMEOUT_S);
        curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c->curl, CURLOPT_PRIVATE, c);
    }
    if (c->curl == NULL || curl_multi_add_handle(multi, c->curl) != CURLM_OK) {
        if (c->curl)
            curl_easy_cleanup(c->curl);
        curl_slist_free_all(c->headers);
        *c = (struct call){0};
        snprintf(error, n, "the request could not be made (libcurl)");
        return -1;
    }
    c->d = d;
    return 0;
}

/* Ends c, whose transfer ended with res, and frees its place: the HTTP status, or 0 with
 * error set (and *silent when the endpoint gave no answer within HTTP_TIMEOUT_S). */
static long call_end(CURLM *multi, struct call *c, CURLcode res, char *error, size_t n,
                     bool *silent)
{
    long status = 0;
    if (res == CURLE_OK)
        curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
    else if (c->eg.refused)
        snprintf(error, n, "refused: not a public address");
    else
        snprintf(error, n, "%s", curl_easy_strerror(res));
    *silent = res == CURLE_OPERATION_TIMEDOUT;
    curl_multi_remove_handle(multi, c->curl);
    curl_easy_cleanup(c->curl);
    curl_slist_free_all(c->headers);
    *c = (struct call){0};
    return status;
}

/* A claimed group being sent: each delivery waiting, on the wire, or recorded. */
enum { WAITING, SENDING, RECORDED };
struct group {
    struct delivery_webhook *w;
    int n;
    unsigned char state[GROUP];
    struct call calls[WEBHOOKS_AT_ONCE_MAX];
    int at_once; /* places in calls */
    int sending, left, delivered;
};

/* Whether delivery i waits for an earlier one of the group, not recorded yet, to its
 * endpoint or to the same URL (two endpoints, of one organisation or two, may name one
 * receiver): a receiver is sent one delivery at a time, in their order. */
static bool waits_its_turn(const struct group *g, int i)
{
    for (int j = 0; j < i; j++)
        if (g->state[j] != RECORDED && (strcmp(g->w[j].endpoint_id, g->w[i].endpoint_id) == 0 ||
                                        strcmp(g->w[j].url, g->w[i].url) == 0))
            return true;
    return false;
}

static struct call *free_call(struct group *g)
{
    for (int k = 0; k < g->at_once; k++)
        if (g->calls[k].d == NULL)
            return &g->calls[k];
    return NULL;
}

/* Records delivery d's attempt: status (0 when none came), error, and its time. */
static void record(struct db *db, const struct delivery_pass *p, struct group *g,
                   struct delivery_webhook *d, long status, const char *error, int64_t ms)
{
    delivery_webhook_done(db, p, d, status, error, ms);
    g->delivered += status >= 200 && status < 300;
    g->state[d - g->w] = RECORDED;
    g->left--;
}

/* Puts delivery d back for a later pass, unsent. */
static void put_back(struct db *db, const struct delivery_pass *p, struct group *g,
                     struct delivery_webhook *d, struct pass_receivers *rx)
{
    int rc = delivery_webhook_put_back(db, p, d);
    if (rc < 0) /* left claimed: sent again once the claim is stale */
        log_line(LOG_ERROR, NULL, "webhooks", "delivery=%s not put back: error=%d", d->id, rc);
    g->state[d - g->w] = RECORDED;
    g->left--;
    rx->put_back++;
}

/* Puts delivery d back for a later pass, unsent, its URL's time in the pass being spent: said
 * once a pass for each URL, by endpoint (a URL may hold a token). */
static void put_back_spent(struct db *db, const struct delivery_pass *p, struct group *g,
                           struct delivery_webhook *d, struct receiver_time *r,
                           struct pass_receivers *rx)
{
    if (!r->told)
        log_line(LOG_WARN, NULL, "webhooks",
                 "endpoint=%s spent_ms=%lld: its receiver's time in this pass is spent, its "
                 "other deliveries wait for the next pass",
                 d->endpoint_id, (long long)r->ms);
    r->told = true;
    put_back(db, p, g, d, rx);
}

/* Starts what may start, in the group's order. A delivery whose turn it is, to a URL that
 * gave no answer earlier in the pass, is recorded as not sent: an attempt, retried as any
 * other or, at its last, given up (the receiver had its chance in this pass, and a wait for
 * each would let a dead receiver hold the pass up for as many deliveries as it has). One to
 * a URL whose time in the pass is spent, answering, is put back for the next pass. The
 * others go on the wire while there is room. */
static void start_due(struct db *db, const struct delivery_pass *p, CURLM *multi, struct group *g,
                      struct pass_receivers *rx)
{
    for (int i = 0; i < g->n && !job_requests_closing(); i++) {
        struct delivery_webhook *d = &g->w[i];
        char error[1200] = "";
        struct call *c;
        struct receiver_time *r;
        if (g->state[i] != WAITING || waits_its_turn(g, i))
            continue;
        if ((r = times_find(&rx->times, d->url)) != NULL && r->silent)
            record(db, p, g, d, 0, "not sent: its URL gave no answer earlier in this pass", 0);
        else if (r != NULL && r->ms >= rx->budget_ms)
            put_back_spent(db, p, g, d, r, rx);
        else if (d->body == NULL)
            record(db, p, g, d, 0, "", 0);
        else if ((c = free_call(g)) == NULL)
            continue; /* its turn comes when a POST ends */
        else if (call_start(multi, c, d, p->settings.webhooks_allow_private != 0, error,
                            sizeof(error)) < 0)
            record(db, p, g, d, 0, error, 0);
        else {
            g->state[i] = SENDING;
            g->sending++;
        }
    }
}

/* Records the POSTs that ended; true when one did. */
static bool end_finished(struct db *db, const struct delivery_pass *p, CURLM *multi,
                         struct group *g, struct pass_receivers *rx)
{
    CURLMsg *m;
    int queued;
    bool ended = false;
    while ((m = curl_multi_info_read(multi, &queued)) != NULL) {
        if (m->msg != CURLMSG_DONE)
            continue;
        struct call *c = NULL;
        CURLcode res = m->data.result; /* m is not to be read after the handle is removed */
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&c);
        struct delivery_webhook *d = c->d;
        int64_t ms = (clock_monotonic_us() - c->t0) / 1000;
        char error[1200] = "";
        bool no_answer = false;
        long status = call_end(multi, c, res, error, sizeof(error), &no_answer);
        struct receiver_time *r = times_add(&rx->times, d->url, ms);
        if (r && no_answer)
            r->silent = true;
        record(db, p, g, d, status, error, ms);
        g->sending--;
        ended = true;
    }
    return ended;
}

/* Ends every POST on the wire as failed, libcurl having failed (out of memory, say). */
static void end_all(struct db *db, const struct delivery_pass *p, CURLM *multi, struct group *g)
{
    for (int k = 0; k < g->at_once; k++) {
        struct call *c = &g->calls[k];
        if (c->d == NULL)
            continue;
        struct delivery_webhook *d = c->d;
        char error[1200];
        bool no_answer;
        call_end(multi, c, CURLE_FAILED_INIT, error, sizeof(error), &no_answer);
        record(db, p, g, d, 0, "libcurl failed with the request under way", 0);
        g->sending--;
    }
}

/* Sends a claimed group of n deliveries (at most GROUP), adding how many were delivered to
 * *delivered. Stopping (job_requests_closing), it starts no more and waits for those on the
 * wire; the others are put back, for the next process's first pass. Should libcurl fail,
 * those on the wire are recorded as failed, the others put back, and the pass's webhooks
 * end there: negative. A receiver that answers slowly holds up the rest of its group, not
 * the other receivers' deliveries in it; the next group is claimed once this one is done,
 * so it holds up those too, until its time in the pass is spent. The outcomes are written
 * on this thread while other POSTs are on the wire: a database that stalls for seconds
 * counts against their 10 s. */
static int send_group(struct db *db, const struct delivery_pass *p, CURLM *multi,
                      struct delivery_webhook *w, int n, struct pass_receivers *rx, int *delivered)
{
    int64_t at_once = p->settings.webhooks_at_once;
    struct group g = {.w = w,
                      .n = n,
                      .left = n,
                      .at_once = at_once < 1                      ? 1
                                 : at_once > WEBHOOKS_AT_ONCE_MAX ? WEBHOOKS_AT_ONCE_MAX
                                                                  : (int)at_once};
    CURLMcode mc = CURLM_OK;
    while (g.left > 0 && mc == CURLM_OK) {
        start_due(db, p, multi, &g, rx);
        if (g.sending == 0) /* stopping, or nothing left */
            break;
        int running = 0;
        mc = curl_multi_perform(multi, &running);
        if (mc == CURLM_OK && fault_fail("webhooks.multi")) /* tests: libcurl failing */
            mc = CURLM_INTERNAL_ERROR;
        if (mc == CURLM_OK && !end_finished(db, p, multi, &g, rx))
            mc = curl_multi_poll(multi, NULL, 0, 1000, NULL);
    }
    if (mc != CURLM_OK) {
        log_line(LOG_ERROR, NULL, "webhooks", "libcurl: %s", curl_multi_strerror(mc));
        end_all(db, p, multi, &g);
    }
    for (int i = 0; i < g.n; i++) /* stopping, or libcurl failed: for a later pass */
        if (g.state[i] == WAITING)
            put_back(db, p, &g, &g.w[i], rx);
    *delivered += g.delivered;
    return mc == CURLM_OK ? 0 : PD_E_INTERNAL;
}

int webhooks_send(struct db *db, struct delivery_pass *p)
{
    struct delivery_webhook *w = NULL;
    struct pass_receivers *rx = calloc(1, sizeof(*rx));
    CURLM *multi = curl_multi_init();
    int n = 0, delivered = 0, rc = 0;
    if (rx == NULL || multi == NULL) {
        free(rx);
        if (multi)
            curl_multi_cleanup(multi);
        return PD_E_INTERNAL;
    }
    rx->budget_ms = p->settings.webhooks_receiver_seconds * 1000;
    while (rc == 0 && !job_requests_closing() &&
           (rc = delivery_webhooks_next(db, p, GROUP, &w, &n)) == 0 && n > 0) {
        rc = send_group(db, p, multi, w, n, rx, &delivered);
        delivery_webhooks_free(w, n);
    }
    if (rx->put_back)
        log_line(LOG_INFO, NULL, "webhooks", "put_back=%d for a later pass", rx->put_back);
    curl_multi_cleanup(multi);
    times_free(&rx->times);
    free(rx);
    return rc < 0 ? rc : delivered;
}
