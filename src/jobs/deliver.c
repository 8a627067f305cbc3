/*
 * jobs/deliver.c - the transport of what the outbox holds.
 *
 * service/delivery.c claims the due deliveries and hands them over ready: an email
 * rendered in its recipient's language, a webhook with its body and secret. This file
 * carries them and reports back. Email goes through the SMTP relay of the settings
 * (libcurl, STARTTLS when asked) as a MIME message with a text and an HTML part or, when
 * smtp.host is empty, is written as an .eml file into mail.dir. Webhooks are POSTed with
 * libcurl, signed
 *     Partnerd-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
 * where t is the transport's real time, not the test clock.
 */
#include "jobs/deliver.h"
#include "jobs/egress.h"

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
#include "service/delivery.h"

#define BATCH 50
#define HTTP_TIMEOUT_S 10

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
static void build_message(const char *from, const struct delivery_email *e, struct buf *msg)
{
    struct buf enc = {0};
    char date[64];
    time_t now = (time_t)clock_now();
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    base64_lines(&enc, e->subject.data ? e->subject.data : "", e->subject.len);
    buf_printf(msg, "From: %s\r\nTo: %s\r\nDate: %s\r\nMessage-ID: <%s@partnerd>\r\n", from,
               e->recipient, date, e->id);
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
               e->event, e->id);
    buf_printf(msg,
               "--=_%s\r\nContent-Type: text/plain; charset=utf-8\r\n"
               "Content-Transfer-Encoding: base64\r\n\r\n",
               e->id);
    base64_lines(msg, e->text.data, e->text.len);
    buf_printf(msg,
               "--=_%s\r\nContent-Type: text/html; charset=utf-8\r\n"
               "Content-Transfer-Encoding: base64\r\n\r\n",
               e->id);
    base64_lines(msg, e->html.data, e->html.len);
    buf_printf(msg, "--=_%s--\r\n", e->id);
    buf_free(&enc);
}

static int mkdirs(const char *path)
{
    char tmp[SETTING_TEXT_SIZE];
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
    char tmp[SETTING_TEXT_SIZE + 64], final[SETTING_TEXT_SIZE + 64];
    snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, id);
    snprintf(final, sizeof(final), "%s/%s.eml", dir, id);
    FILE *f = mkdirs(dir) == 0 ? fopen(tmp, "wb") : NULL;
    if (f == NULL) {
        snprintf(error, n, "cannot write to %.300s: %s", dir, strerror(errno));
        return -1;
    }
    bool ok = fwrite(msg->data, 1, msg->len, f) == msg->len;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, final) < 0) {
        snprintf(error, n, "cannot write %.300s: %s", final, strerror(errno));
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

static int send_smtp(const struct settings *c, const char *to, const struct buf *msg, char *error,
                     size_t n)
{
    CURL *curl = curl_easy_init();
    if (curl == NULL) {
        snprintf(error, n, "curl_easy_init failed");
        return -1;
    }
    char url[SETTING_TEXT_SIZE + 32], from[SETTING_TEXT_SIZE + 2], rcpt[260];
    snprintf(url, sizeof(url), "smtp://%s:%lld", c->smtp_host, (long long)c->smtp_port);
    snprintf(from, sizeof(from), "<%s>", c->mail_from);
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
    if (c->smtp_starttls)
        curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (c->smtp_username[0]) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, c->smtp_username);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, c->smtp_password);
    }
    CURLcode res = curl_easy_perform(curl);
    if (res != CURLE_OK)
        snprintf(error, n, "smtp: %s", curl_easy_strerror(res));
    curl_slist_free_all(rcpts);
    curl_easy_cleanup(curl);
    return res == CURLE_OK ? 0 : -1;
}

/* Sends every due email. Returns how many went out, or a negative status. */
static int deliver_emails(struct db *db, const struct delivery_pass *p)
{
    const struct settings *c = &p->settings;
    struct delivery_email *e = NULL;
    int n = 0, sent = 0, rc;
    while ((rc = delivery_emails_next(db, p, BATCH, &e, &n)) == 0 && n > 0) {
        for (int i = 0; i < n; i++) {
            struct buf msg = {0};
            char error[1200] = "";
            build_message(c->mail_from, &e[i], &msg);
            int ok = c->smtp_host[0] ? send_smtp(c, e[i].recipient, &msg, error, sizeof(error))
                                     : write_eml(c->mail_dir, e[i].id, &msg, error, sizeof(error));
            buf_free(&msg);
            delivery_email_done(db, p, &e[i], ok == 0 ? NULL : error);
            sent += ok == 0;
        }
        delivery_emails_free(e, n);
    }
    return rc < 0 ? rc : sent;
}

static size_t discard(char *ptr, size_t size, size_t nmemb, void *arg)
{
    (void)ptr;
    (void)arg;
    return size * nmemb;
}

/* POSTs one webhook, only to a public address unless allow_private. Returns the HTTP
 * status, or 0 with error set. */
static long post_webhook(const struct delivery_webhook *d, const char *body, bool allow_private,
                         char *error, size_t n)
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
    struct egress eg = {.allow_private = allow_private};
    if (curl) {
        egress_restrict(curl, &eg); /* decided on the address connected to */
        curl_easy_setopt(curl, CURLOPT_URL, d->url);
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)HTTP_TIMEOUT_S);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        CURLcode res = curl_easy_perform(curl);
        if (res == CURLE_OK)
            curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        else if (eg.refused)
            snprintf(error, n, "refused: not a public address");
        else
            snprintf(error, n, "%s", curl_easy_strerror(res));
        curl_easy_cleanup(curl);
    }
    curl_slist_free_all(h);
    sodium_memzero(&st, sizeof(st));
    return status;
}

/* POSTs every due webhook. Returns how many were delivered, or a negative status. */
static int deliver_webhooks(struct db *db, const struct delivery_pass *p)
{
    struct delivery_webhook *w = NULL;
    int n = 0, delivered = 0, rc;
    while ((rc = delivery_webhooks_next(db, p, BATCH, &w, &n)) == 0 && n > 0) {
        for (int i = 0; i < n; i++) {
            char error[1200] = "";
            int64_t t0 = clock_monotonic_us();
            long status = w[i].body ? post_webhook(&w[i], w[i].body,
                                                   p->settings.webhooks_allow_private != 0, error,
                                                   sizeof(error))
                                    : 0;
            int64_t ms = (clock_monotonic_us() - t0) / 1000;
            delivery_webhook_done(db, p, &w[i], status, error, ms);
            delivered += status >= 200 && status < 300;
        }
        delivery_webhooks_free(w, n);
    }
    return rc < 0 ? rc : delivered;
}

int outbox_delivery_run(struct db *db)
{
    struct delivery_pass p;
    int rc = delivery_pass_begin(db, &p);
    if (rc < 0) {
        delivery_pass_end(&p);
        return rc;
    }
    int emails = deliver_emails(db, &p);
    int hooks = deliver_webhooks(db, &p);
    delivery_pass_end(&p);
    if (emails < 0)
        return emails;
    return hooks < 0 ? hooks : emails + hooks;
}
