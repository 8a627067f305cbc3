/*
 * jobs/deliver.c - the transport of what the outbox holds.
 *
 * service/delivery.c claims the due deliveries and hands them over ready: an email
 * rendered in its recipient's language, a webhook with its body and secret. This file
 * carries them and reports back. Email goes through the SMTP relay of the settings
 * (libcurl, STARTTLS when asked, one connection for each of a pass's connections to the
 * database, over which it spreads its emails) as a MIME message with a text
 * and an HTML part or, when smtp.host is empty, is written as an .eml file into mail.dir;
 * its Subject is a series of RFC 2047 encoded words of whole characters, none over 75
 * characters, one a line.
 * Webhooks are sent by jobs/webhook_send.c.
 */
#include "jobs/deliver.h"
#include "jobs/webhook_send.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/base64.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/fault.h"
#include "core/text.h"
#include "service/delivery.h"
#include "service/job_requests.h"
#include "service/tx.h"

#define BATCH 50

/* Appends s base64-encoded in lines of 76 characters. */
static void base64_lines(struct buf *out, const char *s, size_t len)
{
    char *b64 = base64_encode(s, len);
    if (b64 == NULL)
        return;
    for (size_t i = 0, n = strlen(b64); i < n; i += 76) {
        buf_append(out, b64 + i, n - i < 76 ? n - i : 76);
        buf_puts(out, "\r\n");
    }
    free(b64);
}

/* Subject: as RFC 2047 encoded words of whole characters, each on its own line. An
 * encoded word is at most 75 characters (RFC 2047 section 2): 12 of "=?UTF-8?B?" and "?="
 * around at most 60 of base64, 45 bytes; the first line also holds "Subject: ", so its
 * word carries 42 bytes and the line stays within 78 characters. */
void deliver_subject(struct buf *msg, const char *subject, size_t len)
{
    buf_puts(msg, "Subject:");
    size_t at = 0;
    do {
        size_t max = at == 0 ? 42 : 45;
        size_t n = text_utf8_fit(subject + at, len - at, max);
        if (n == 0 && len - at > max) /* not UTF-8 there: cut anyway, the word moves on */
            n = max;
        char *b64 = base64_encode(subject + at, n);
        buf_printf(msg, "%s=?UTF-8?B?%s?=", at == 0 ? " " : "\r\n ", b64 ? b64 : "");
        free(b64);
        at += n;
    } while (at < len);
    buf_puts(msg, "\r\n");
}

/* The whole message: headers, then a text and an HTML part, both base64 (any length of
 * line, any character). */
static void build_message(const char *from, const struct delivery_email *e, struct buf *msg)
{
    char date[64];
    time_t now = (time_t)clock_now();
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    buf_printf(msg, "From: %s\r\nTo: %s\r\nDate: %s\r\nMessage-ID: <%s@partnerd>\r\n", from,
               e->recipient, date, e->id);
    deliver_subject(msg, e->subject.data ? e->subject.data : "", e->subject.len);
    buf_printf(msg,
               "MIME-Version: 1.0\r\nX-Partnerd-Event: %s\r\nContent-Type: "
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

/* One SMTP connection for a pass's emails, or for each part of them (deliver_emails): libcurl
 * keeps it open between the transfers of one handle, so every email after the first is MAIL
 * FROM, RCPT TO and DATA on it rather than a new TCP (and TLS) handshake, EHLO and login. A
 * relay that closed it, or a failed transfer, makes the next one connect again. */
struct smtp {
    CURL *curl;
    char error[CURL_ERROR_SIZE]; /* libcurl's words for a failed transfer ("RCPT failed: 550") */
};

/* How long a stopping server lets the email under way finish: a relay that scans what it
 * got before it answers takes seconds, one that hangs would take libcurl's 30 s, past the
 * supervisor's patience (the unit's TimeoutStopSec=20), which would kill the server with
 * its emails claimed. */
#define STOP_GRACE_US (5 * 1000000LL)

/* When a transfer first saw the server stopping (clock_monotonic_us(); 0: not yet). */
static _Atomic int64_t stop_seen_us;

/* libcurl asks at least once a second while a transfer waits: 1 ends it. */
static int smtp_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                         curl_off_t ulnow)
{
    (void)arg, (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    if (!job_requests_closing())
        return 0;
    int64_t now = clock_monotonic_us(), first = 0;
    if (atomic_compare_exchange_strong(&stop_seen_us, &first, now))
        first = now; /* else first holds the earlier sighting */
    return now - first >= STOP_GRACE_US ? 1 : 0;
}

/* The handle of the pass, made at its first email with what does not change. */
static CURL *smtp_handle(struct smtp *s, const struct settings *c)
{
    if (s->curl)
        return s->curl;
    if ((s->curl = curl_easy_init()) == NULL)
        return NULL;
    char url[SETTING_TEXT_SIZE + 32], from[SETTING_TEXT_SIZE + 2];
    snprintf(url, sizeof(url), "smtp://%s:%lld", c->smtp_host, (long long)c->smtp_port);
    snprintf(from, sizeof(from), "<%s>", c->mail_from);
    curl_easy_setopt(s->curl, CURLOPT_URL, url); /* libcurl keeps copies of the strings */
    curl_easy_setopt(s->curl, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(s->curl, CURLOPT_ERRORBUFFER, s->error);
    curl_easy_setopt(s->curl, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(s->curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(s->curl, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(s->curl, CURLOPT_XFERINFOFUNCTION, smtp_progress);
    curl_easy_setopt(s->curl, CURLOPT_NOPROGRESS, 0L);
    if (c->smtp_starttls)
        curl_easy_setopt(s->curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (c->smtp_username[0]) {
        curl_easy_setopt(s->curl, CURLOPT_USERNAME, c->smtp_username);
        curl_easy_setopt(s->curl, CURLOPT_PASSWORD, c->smtp_password);
    }
    return s->curl;
}

static int send_smtp(struct smtp *s, const struct settings *c, const char *to,
                     const struct buf *msg, char *error, size_t n)
{
    CURL *curl = smtp_handle(s, c);
    if (curl == NULL) {
        snprintf(error, n, "curl_easy_init failed");
        return -1;
    }
    char rcpt[260];
    snprintf(rcpt, sizeof(rcpt), "<%s>", to);
    struct curl_slist *rcpts = curl_slist_append(NULL, rcpt);
    struct upload u = {msg->data, msg->len};
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpts);
    curl_easy_setopt(curl, CURLOPT_READDATA, &u);
    s->error[0] = '\0';
    CURLcode res = curl_easy_perform(curl);
    if (res == CURLE_ABORTED_BY_CALLBACK) /* the relay may have it: an attempt, retried, and
                                             its recipient may receive it twice */
        snprintf(error, n, "smtp: the server stopped with the email under way");
    else if (res != CURLE_OK)
        snprintf(error, n, "smtp: %s", s->error[0] ? s->error : curl_easy_strerror(res));
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, NULL); /* before the list goes */
    curl_easy_setopt(curl, CURLOPT_READDATA, NULL);
    curl_slist_free_all(rcpts);
    return res == CURLE_OK ? 0 : -1;
}

/* Ends the pass's connection (QUIT). */
static void smtp_close(struct smtp *s)
{
    if (s->curl)
        curl_easy_cleanup(s->curl);
    s->curl = NULL;
}

/* A group of claimed emails, sent in parts at once, each on a database connection (for its
 * marks) and an SMTP connection of its own: part k is tx_workers_part()'s k of e. */
struct senders {
    const struct delivery_pass *p;
    struct delivery_email *e;
    int n, parts;
    struct smtp smtp[TX_WORKERS_MAX]; /* kept open from one group to the next */
};

static int send_part(struct db *db, int k, void *arg)
{
    struct senders *s = arg;
    const struct settings *c = &s->p->settings;
    int from, to, sent = 0;
    tx_workers_part(s->n, k, s->parts, &from, &to);
    if (k > 0) /* the pass's own connection defers its marks already */
        delivery_marks_defer(db);
    int i = from;
    for (; i < to && !job_requests_closing(); i++) {
        struct buf msg = {0};
        char error[1200] = "";
        build_message(c->mail_from, &s->e[i], &msg);
        int ok = c->smtp_host[0]
                     ? send_smtp(&s->smtp[k], c, s->e[i].recipient, &msg, error, sizeof(error))
                     : write_eml(c->mail_dir, s->e[i].id, &msg, error, sizeof(error));
        buf_free(&msg);
        delivery_email_done(db, s->p, &s->e[i], ok == 0 ? NULL : error);
        sent += ok == 0;
        fault_pause("email.sent"); /* tests: the server stops between two emails */
    }
    for (; i < to; i++) /* stopping: the rest are the next start's, at its first pass */
        delivery_email_put_back(db, s->p, &s->e[i]);
    /* a helper's marks on disk before the pass claims its next group, as the pass's own are
     * (a failed sync leaves those emails claimed: sent again once the claim is stale) */
    if (k > 0)
        delivery_marks_sync(db);
    return sent;
}

/* Sends every email due by the pass's start, each group claimed on the pass's own
 * connection and sent over w's connections at once (on PostgreSQL, --jobs-workers: so many
 * SMTP sessions at once to the relay). Returns how many went out, or a negative status. */
static int deliver_emails(const struct tx_workers *w, struct delivery_pass *p)
{
    struct senders s = {.p = p};
    int n = 0, sent = 0, rc = 0;
    /* stopping: each part puts back what it has not sent */
    while (!job_requests_closing() &&
           (rc = delivery_emails_next(w->db[0], p, BATCH, &s.e, &n)) == 0 && n > 0) {
        int done[TX_WORKERS_MAX] = {0};
        s.n = n;
        s.parts = tx_workers_parts(w, n);
        tx_workers_run(w, s.parts, send_part, &s, done);
        for (int k = 0; k < s.parts; k++)
            sent += done[k];
        delivery_emails_free(s.e, n);
        s.e = NULL;
    }
    for (int k = 0; k < TX_WORKERS_MAX; k++)
        smtp_close(&s.smtp[k]);
    return rc < 0 ? rc : sent;
}

int outbox_delivery_run(const struct tx_workers *w)
{
    struct db *db = w->db[0];
    struct delivery_pass p;
    int rc = delivery_pass_begin(db, &p);
    if (rc < 0) {
        delivery_pass_end(db, &p);
        return rc;
    }
    int emails = deliver_emails(w, &p);
    int hooks = webhooks_send(db, &p);
    delivery_pass_end(db, &p);
    if (emails < 0)
        return emails;
    return hooks < 0 ? hooks : emails + hooks;
}
