/*
 * jobs/deliver.c - sends what the outbox holds.
 *
 * Email goes through the SMTP relay of the settings (libcurl, STARTTLS when asked) or,
 * when smtp.host is empty, is written as an .eml file into mail.dir. Webhooks are POSTed
 * with libcurl, signed
 *     Partnerd-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
 * and retried with exponential backoff for a day; every attempt is recorded.
 *
 * Each delivery is claimed before it is sent, so two processes never send one message.
 * A process that dies between sending and recording leaves a claim that goes stale after
 * CLAIM_STALE_S; the delivery is then sent again, with the same Message-ID or
 * Partnerd-Delivery header so that the receiver can tell.
 */
#include "jobs/deliver.h"

#include <curl/curl.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/date.h"
#include "log.h"
#include "render/email.h"
#include "service/settings.h"
#include "store/outbox.h"

#define BATCH 50
#define CLAIM_STALE_S 600
#define EMAIL_MAX_ATTEMPTS 8
#define WEBHOOK_FIRST_RETRY_S 30
#define WEBHOOK_GIVE_UP_S 86400
#define HTTP_TIMEOUT_S 10

struct mail_config {
    char host[256];
    int64_t port;
    bool starttls;
    char username[256];
    char password[256];
    char from[256];
    char seller[256];
    char dir[512];
};

static void mail_config_load(struct db *db, struct mail_config *c)
{
    setting_text(db, "smtp.host", c->host, sizeof(c->host));
    c->port = setting_int(db, "smtp.port");
    c->starttls = setting_int(db, "smtp.starttls") != 0;
    setting_text(db, "smtp.username", c->username, sizeof(c->username));
    setting_text(db, "smtp.password", c->password, sizeof(c->password));
    setting_text(db, "mail.from", c->from, sizeof(c->from));
    setting_text(db, "seller.name", c->seller, sizeof(c->seller));
    setting_text(db, "mail.dir", c->dir, sizeof(c->dir));
}

/* Appends s base64-encoded in lines of 76 characters. */
static void base64_lines(struct buf *out, const char *s, size_t len)
{
    size_t cap = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = malloc(cap);
    if (b64 == NULL)
        return;
    sodium_bin2base64(b64, cap, (const unsigned char *)s, len, sodium_base64_VARIANT_ORIGINAL);
    for (size_t i = 0, n = strlen(b64); i < n; i += 76) {
        buf_append(out, b64 + i, n - i < 76 ? n - i : 76);
        buf_puts(out, "\r\n");
    }
    free(b64);
}

/* The whole message: headers, then a text and an HTML part, both base64 (any length of
 * line, any character). The subject is an RFC 2047 encoded word. */
static int build_message(const struct mail_config *c, const struct delivery *d, struct buf *msg)
{
    json_t *payload = json_loads(d->payload, 0, NULL);
    struct buf subject = {0}, text = {0}, html = {0}, enc = {0};
    int rc = email_render(d->event, payload, d->lang, c->seller, &subject, &text, &html);
    json_decref(payload);
    if (rc == 0) {
        char date[64];
        time_t now = (time_t)clock_now();
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
        base64_lines(&enc, subject.data ? subject.data : "", subject.len);
        buf_printf(msg, "From: %s\r\nTo: %s\r\nDate: %s\r\nMessage-ID: <%s@partnerd>\r\n",
                   c->from, d->recipient, date, d->id);
        buf_puts(msg, "Subject: ");
        /* one encoded word per base64 line, folded */
        for (const char *p = enc.data ? enc.data : ""; *p;) {
            const char *eol = strstr(p, "\r\n");
            buf_printf(msg, "%s=?UTF-8?B?%.*s?=", p == enc.data ? "" : "\r\n ",
                       (int)(eol ? eol - p : (long)strlen(p)), p);
            p = eol ? eol + 2 : p + strlen(p);
        }
        buf_printf(msg,
                   "\r\nMIME-Version: 1.0\r\nX-Partnerd-Event: %s\r\nContent-Type: "
                   "multipart/alternative; boundary=\"=_%s\"\r\n\r\n",
                   d->event, d->id);
        buf_printf(msg, "--=_%s\r\nContent-Type: text/plain; charset=utf-8\r\n"
                        "Content-Transfer-Encoding: base64\r\n\r\n", d->id);
        base64_lines(msg, text.data, text.len);
        buf_printf(msg, "--=_%s\r\nContent-Type: text/html; charset=utf-8\r\n"
                        "Content-Transfer-Encoding: base64\r\n\r\n", d->id);
        base64_lines(msg, html.data, html.len);
        buf_printf(msg, "--=_%s--\r\n", d->id);
    }
    buf_free(&subject);
    buf_free(&text);
    buf_free(&html);
    buf_free(&enc);
    return rc;
}

static int mkdirs(const char *path)
{
    char tmp[512];
    snprintf(tmp, sizeof(tmp), "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0750) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(tmp, 0750) < 0 && errno != EEXIST ? -1 : 0;
}

/* Writes the message as DIR/<delivery id>.eml, whole or not at all (rename). */
static int write_eml(const char *dir, const char *id, const struct buf *msg, char *error, size_t n)
{
    char tmp[600], final[600];
    snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, id);
    snprintf(final, sizeof(final), "%s/%s.eml", dir, id);
    FILE *f = mkdirs(dir) == 0 ? fopen(tmp, "wb") : NULL;
    if (f == NULL) {
        snprintf(error, n, "cannot write to %s: %s", dir, strerror(errno));
        return -1;
    }
    bool ok = fwrite(msg->data, 1, msg->len, f) == msg->len;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, final) < 0) {
        snprintf(error, n, "cannot write %s: %s", final, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

struct upload {
    const char *data;
    size_t left;
};

static size_t read_upload(char *ptr, size_t size, size_t nmemb, void *arg)
{
    struct upload *u = arg;
    size_t n = size * nmemb < u->left ? size * nmemb : u->left;
    memcpy(ptr, u->data, n);
    u->data += n;
    u->left -= n;
    return n;
}

static int send_smtp(const struct mail_config *c, const char *to, const struct buf *msg,
                     char *error, size_t n)
{
    CURL *curl = curl_easy_init();
    if (curl == NULL) {
        snprintf(error, n, "curl_easy_init failed");
        return -1;
    }
    char url[320], from[260], rcpt[260];
    snprintf(url, sizeof(url), "smtp://%s:%lld", c->host, (long long)c->port);
    snprintf(from, sizeof(from), "<%s>", c->from);
    snprintf(rcpt, sizeof(rcpt), "<%s>", to);
    struct curl_slist *rcpts = curl_slist_append(NULL, rcpt);
    struct upload u = {msg->data, msg->len};
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpts);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &u);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (c->starttls)
        curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (c->username[0]) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, c->username);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, c->password);
    }
    CURLcode res = curl_easy_perform(curl);
    if (res != CURLE_OK)
        snprintf(error, n, "smtp: %s", curl_easy_strerror(res));
    curl_slist_free_all(rcpts);
    curl_easy_cleanup(curl);
    return res == CURLE_OK ? 0 : -1;
}

static int deliver_emails(struct db *db, const char *claim)
{
    struct mail_config c;
    mail_config_load(db, &c);
    int sent = 0;
    for (;;) {
        struct delivery *d = NULL;
        int n = 0;
        int64_t now = clock_now();
        int rc = deliveries_claim(db, "email", claim, now, now - CLAIM_STALE_S, BATCH, &d, &n);
        if (rc < 0 || n == 0) {
            deliveries_free(d, n);
            memset(c.password, 0, sizeof(c.password));
            return rc < 0 ? rc : sent;
        }
        for (int i = 0; i < n; i++) {
            struct buf msg = {0};
            char error[1200] = "";
            int ok = build_message(&c, &d[i], &msg);
            if (ok < 0)
                snprintf(error, sizeof(error), "no template for %s", d[i].event);
            else if (c.host[0])
                ok = send_smtp(&c, d[i].recipient, &msg, error, sizeof(error));
            else
                ok = write_eml(c.dir, d[i].id, &msg, error, sizeof(error));
            buf_free(&msg);
            int attempts = d[i].attempts + 1;
            /* 1, 2, 4 ... minutes; then given up */
            int64_t next = ok == 0 || attempts >= EMAIL_MAX_ATTEMPTS
                               ? 0
                               : clock_now() + (60LL << (attempts - 1));
            if (ok < 0)
                log_line(LOG_WARN, NULL, "email", "delivery=%s event=%s attempt=%d error=\"%s\"",
                         d[i].id, d[i].event, attempts, error);
            email_delivery_done(db, d[i].id, claim, ok == 0, ok == 0 ? NULL : error, next,
                                clock_now());
            sent += ok == 0;
        }
        deliveries_free(d, n);
    }
}

static size_t discard(char *ptr, size_t size, size_t nmemb, void *arg)
{
    (void)ptr;
    (void)arg;
    return size * nmemb;
}

/* POSTs one webhook. Returns the HTTP status, or 0 with error set. */
static long post_webhook(const struct delivery *d, const char *body, char *error, size_t n)
{
    char t[24], sig[200], hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    snprintf(t, sizeof(t), "%lld", (long long)time(NULL)); /* transport time, not the test clock */
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)d->secret, strlen(d->secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)t, strlen(t));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
    snprintf(sig, sizeof(sig), "Partnerd-Signature: t=%s,v1=%s", t, hex);

    char event[80], delivery[80];
    snprintf(event, sizeof(event), "Partnerd-Event: %s", d->event);
    snprintf(delivery, sizeof(delivery), "Partnerd-Delivery: %s", d->id);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    h = curl_slist_append(h, sig);
    h = curl_slist_append(h, event);
    h = curl_slist_append(h, delivery);
    h = curl_slist_append(h, "User-Agent: partnerd-webhooks/1");
    CURL *curl = curl_easy_init();
    long status = 0;
    if (curl) {
        curl_easy_setopt(curl, CURLOPT_URL, d->url);
        curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)HTTP_TIMEOUT_S);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
        CURLcode res = curl_easy_perform(curl);
        if (res == CURLE_OK)
            curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        else
            snprintf(error, n, "%s", curl_easy_strerror(res));
        curl_easy_cleanup(curl);
    }
    curl_slist_free_all(h);
    sodium_memzero(&st, sizeof(st));
    return status;
}

static int deliver_webhooks(struct db *db, const char *claim)
{
    int delivered = 0;
    for (;;) {
        struct delivery *d = NULL;
        int n = 0;
        int64_t now = clock_now();
        int rc = deliveries_claim(db, "webhook", claim, now, now - CLAIM_STALE_S, BATCH, &d, &n);
        if (rc < 0 || n == 0) {
            deliveries_free(d, n);
            return rc < 0 ? rc : delivered;
        }
        for (int i = 0; i < n; i++) {
            char created[21], error[1200] = "";
            json_t *data = json_loads(d[i].payload, 0, NULL);
            json_t *event = json_pack("{s:s, s:s, s:s, s:o}", "id", d[i].outbox_id, "type",
                                      d[i].event, "created_at",
                                      instant_format(d[i].created_at, created), "data",
                                      data ? data : json_object());
            char *body = json_dumps(event, JSON_COMPACT);
            json_decref(event);
            int64_t t0 = clock_monotonic_us();
            long status = body ? post_webhook(&d[i], body, error, sizeof(error)) : 0;
            int64_t ms = (clock_monotonic_us() - t0) / 1000;
            free(body);
            bool ok = status >= 200 && status < 300;
            if (!ok && status)
                snprintf(error, sizeof(error), "HTTP %ld", status);
            int attempts = d[i].attempts + 1;
            int64_t next = clock_now() + ((int64_t)WEBHOOK_FIRST_RETRY_S << (attempts - 1 < 20 ? attempts - 1 : 20));
            if (ok || next > d[i].created_at + WEBHOOK_GIVE_UP_S)
                next = 0;
            webhook_attempt_insert(db, d[i].id, attempts, clock_now(), (int)status,
                                   ok ? NULL : error, ms);
            webhook_delivery_done(db, d[i].id, claim, ok, ok ? NULL : error, next, clock_now());
            if (!ok)
                log_line(LOG_WARN, NULL, "webhook", "delivery=%s event=%s attempt=%d error=\"%s\"",
                         d[i].id, d[i].event, attempts, error);
            delivered += ok;
        }
        deliveries_free(d, n);
    }
}

int outbox_delivery_run(struct db *db)
{
    char claim[40];
    random_hex(16, claim);
    int emails = deliver_emails(db, claim);
    int hooks = deliver_webhooks(db, claim);
    if (emails < 0)
        return emails;
    return hooks < 0 ? hooks : emails + hooks;
}
