/*
 * service/delivery.c - what the outbox_delivery job sends, and what became of it.
 *
 * A delivery is claimed before it is sent (store/outbox.c: one UPDATE under a claim
 * token), so two processes never send one message. A process that dies between sending
 * and recording leaves a claim that goes stale after CLAIM_STALE_S; the delivery is then
 * claimed and sent again, with the same id, which the receiver sees as the Message-ID or
 * the Partnerd-Delivery header. Each outcome is written only while the claim is still
 * ours, with the time of the next try or none (given up).
 */
#include "service/delivery.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/date.h"
#include "db/db.h"
#include "log.h"
#include "render/email.h"
#include "service/password_reset.h"
#include "service/tx.h"
#include "service/webhook_secrets.h"
#include "store/auth.h"
#include "store/outbox.h"
#include "store/webhooks.h"

#define CLAIM_STALE_S 600
#define EMAIL_MAX_ATTEMPTS 8
#define WEBHOOK_FIRST_RETRY_S 30
#define WEBHOOK_GIVE_UP_S 86400

int delivery_pass_begin(struct db *db, struct delivery_pass *p)
{
    memset(p, 0, sizeof(*p));
    p->emails.due_by = p->webhooks.due_by = clock_now();
    return settings_load(db, &p->settings);
}

void delivery_pass_end(struct db *db, struct delivery_pass *p)
{
    /* the last group's marks: a caller that stopped early must not leave later commits of
     * this connection deferred (nothing more to do when it fails: a mark lost leaves its
     * email claimed, sent again once the claim is stale) */
    db_sync(db);
    secret_wipe(p->settings.smtp_password, sizeof(p->settings.smtp_password));
}

/* The next attempt of an email that failed its attempt-th try: 1, 2, 4 ... minutes on;
 * 0 when it is given up. */
static int64_t email_retry_at(int attempt)
{
    return attempt >= EMAIL_MAX_ATTEMPTS ? 0 : clock_now() + (60LL << (attempt - 1));
}

/* Records an email's outcome (error NULL: sent). */
static int email_record(struct db *db, const char *claim, const char *id, const char *event,
                        int attempt, const char *error)
{
    char esc[1024]; /* libcurl's words (a certificate's name), a path: never raw */
    if (error)
        log_line(LOG_WARN, NULL, "email", "delivery=%s event=%s attempt=%d error=%s", id, event,
                 attempt, log_escape(error, esc, sizeof(esc)));
    return email_delivery_done(db, id, claim, error == NULL, error,
                               error ? email_retry_at(attempt) : 0, clock_now());
}

/* An invitation's link, minted now for this email: the event holds the invited user, not
 * a secret (an event queued before partnerd kept none holds its link already). A retry of
 * the email mints another; each link works once, and none once the invitee has accepted.
 * 0 when the email is not to be sent: its user is no longer invited, or was invited again
 * since (a later invitation expires later), and its link would revive what was ended. */
static int invitation_link(struct db *db, const struct delivery_pass *p, json_t *payload)
{
    const char *user_id = json_string_value(json_object_get(payload, "user_id"));
    const char *expires = json_string_value(json_object_get(payload, "expires_at"));
    int64_t expires_at;
    if (user_id == NULL || json_object_get(payload, "link") || expires == NULL ||
        instant_parse(expires, &expires_at) < 0)
        return 1;
    if (invitations_latest(db, user_id, expires_at) == 0)
        return 0;
    char token[65], hash[65], link[SETTING_TEXT_SIZE + 80];
    random_hex(32, token);
    sha256_hex(token, hash);
    if (invitations_insert(db, hash, user_id, clock_now(), expires_at) == 0) {
        snprintf(link, sizeof(link), "%s/invitations/%s", p->settings.portal_url, token);
        json_object_set_new(payload, "link", json_string(link));
        secret_wipe(link, sizeof(link));
    }
    secret_wipe(token, sizeof(token));
    return 1;
}

/* Renders delivery d into e. -1 when its event has no template, 1 when it is not to be sent
 * (an invitation replaced since). */
static int email_ready(struct db *db, const struct delivery_pass *p, const struct delivery *d,
                       struct delivery_email *e)
{
    json_t *payload = json_loads(d->payload, 0, NULL);
    if (payload && strcmp(d->event, "user.invited") == 0 && invitation_link(db, p, payload) == 0) {
        json_decref(payload);
        return 1;
    }
    if (payload && strcmp(d->event, "user.password_reset") == 0)
        password_reset_email_link(db, p->settings.portal_url, payload);
    snprintf(e->id, sizeof(e->id), "%s", d->id);
    snprintf(e->event, sizeof(e->event), "%s", d->event);
    snprintf(e->recipient, sizeof(e->recipient), "%s", d->recipient);
    e->attempt = d->attempts + 1;
    int rc = email_render(d->event, payload, d->lang, p->settings.seller_name, &e->subject,
                          &e->text, &e->html);
    json_decref(payload);
    return rc;
}

int delivery_emails_next(struct db *db, struct delivery_pass *p, int limit,
                         struct delivery_email **out, int *count)
{
    *out = NULL;
    *count = 0;
    /* the previous group's marks are on disk before the next group is claimed */
    int synced = db_sync(db);
    if (synced < 0)
        return synced;
    for (;;) {
        struct delivery *d = NULL;
        int n = 0;
        int64_t now = clock_now();
        /* a token of the group's own: a row an earlier group left claimed (its mark failed)
         * is not read back with this one's (deliveries_claim reads the rows of its token) */
        random_hex(16, p->claim);
        int rc = deliveries_claim(db, "email", p->claim, now, now - CLAIM_STALE_S, limit,
                                  &p->emails, &d, &n);
        if (rc < 0 || n == 0) {
            deliveries_free(d, n);
            return rc < 0 ? rc : 0;
        }
        struct delivery_email *e = calloc((size_t)n, sizeof(*e));
        if (e == NULL) {
            deliveries_free(d, n);
            return PD_E_INTERNAL;
        }
        int ready = 0;
        for (int i = 0; i < n; i++) {
            int made = email_ready(db, p, &d[i], &e[ready]);
            if (made == 0) {
                ready++;
                continue;
            }
            if (made == 1) /* given up at once, never sent */
                email_delivery_done(db, d[i].id, p->claim, false,
                                    "not sent: the invitation was replaced or ended", 0,
                                    clock_now());
            else {
                char error[120];
                snprintf(error, sizeof(error), "no template for %s", d[i].event);
                email_record(db, p->claim, d[i].id, d[i].event, d[i].attempts + 1, error);
            }
            buf_free(&e[ready].subject);
            buf_free(&e[ready].text);
            buf_free(&e[ready].html);
            memset(&e[ready], 0, sizeof(e[ready]));
        }
        deliveries_free(d, n);
        if (ready > 0) {
            /* Each email's mark (delivery_email_done) is a commit of its own that does not
             * wait for the disk: a crash loses none, and an email is sent again only if the
             * crash came between its sending and its mark, as always; a power cut may send
             * the group's emails again. One sync for the group at the next call, instead of
             * one for each email. (On PostgreSQL each mark is flushed by the server as always,
             * but sent without waiting for its answer: the next call reads them all.) */
            db_defer_sync(db);
            *out = e;
            *count = ready;
            return 0;
        }
        free(e); /* none could be rendered: claim the next ones */
    }
}

int delivery_email_done(struct db *db, const struct delivery_pass *p,
                        const struct delivery_email *e, const char *error)
{
    return email_record(db, p->claim, e->id, e->event, e->attempt, error);
}

int delivery_email_put_back(struct db *db, const struct delivery_pass *p,
                            const struct delivery_email *e)
{
    return deliveries_put_back(db, "email", e->id, p->claim);
}

void delivery_marks_defer(struct db *db)
{
    db_defer_sync(db); /* as delivery_emails_next() does for the pass's own connection */
}

int delivery_marks_sync(struct db *db)
{
    return db_sync(db);
}

void delivery_emails_free(struct delivery_email *e, int count)
{
    for (int i = 0; e && i < count; i++) {
        buf_free(&e[i].subject);
        buf_free(&e[i].text);
        buf_free(&e[i].html);
    }
    free(e);
}

/* The body of a webhook: the event with its payload as data. NULL when out of memory. */
static char *webhook_body(const struct delivery *d)
{
    char created[21];
    json_t *data = json_loads(d->payload, 0, NULL);
    json_t *event =
        json_pack("{s:s, s:s, s:s, s:o}", "id", d->outbox_id, "type", d->event, "created_at",
                  instant_format(d->created_at, created), "data", data ? data : json_object());
    char *body = json_dumps(event, JSON_COMPACT);
    json_decref(event);
    return body;
}

int delivery_webhooks_next(struct db *db, struct delivery_pass *p, int limit,
                           struct delivery_webhook **out, int *count)
{
    struct delivery *d = NULL;
    int n = 0;
    int64_t now = clock_now();
    *out = NULL;
    *count = 0;
    random_hex(16, p->claim); /* the group's own, as delivery_emails_next() draws */
    int rc = deliveries_claim(db, "webhook", p->claim, now, now - CLAIM_STALE_S, limit,
                              &p->webhooks, &d, &n);
    if (rc < 0 || n == 0) {
        deliveries_free(d, n);
        return rc < 0 ? rc : 0;
    }
    struct delivery_webhook *w = calloc((size_t)n, sizeof(*w));
    if (w == NULL) {
        deliveries_free(d, n);
        return PD_E_INTERNAL;
    }
    struct keyring k = {0};
    struct pd_error err = {0};
    bool tried = false;
    for (int i = 0; i < n; i++) {
        /* the secret sealed at rest is opened for this pass; one that opens with no key
         * of the key file is left empty, and the delivery fails unsigned (jobs/webhook_send.c) */
        if (!tried) {
            char esc[512]; /* the message names the key file's path */
            tried = true;
            if (bkeys_keyring(db, &k, &err) < 0)
                log_line(LOG_ERROR, NULL, "cannot open the webhook secrets", "error=%s",
                         log_escape(err.message, esc, sizeof(esc)));
            pd_error_clear(&err);
        }
        if (webhook_secret_open(&k, d[i].secret, w[i].secret, sizeof(w[i].secret)) < 0)
            w[i].secret[0] = '\0';
        snprintf(w[i].id, sizeof(w[i].id), "%s", d[i].id);
        snprintf(w[i].event, sizeof(w[i].event), "%s", d[i].event);
        snprintf(w[i].endpoint_id, sizeof(w[i].endpoint_id), "%s", d[i].endpoint_id);
        snprintf(w[i].url, sizeof(w[i].url), "%s", d[i].url);
        w[i].standard = strcmp(d[i].scheme, "standard") == 0;
        w[i].attempt = d[i].attempts + 1;
        w[i].created_at = d[i].created_at;
        w[i].body = webhook_body(&d[i]);
        secret_wipe(d[i].secret, sizeof(d[i].secret));
    }
    secret_wipe(&k, sizeof(k));
    deliveries_free(d, n);
    *out = w;
    *count = n;
    return 0;
}

int64_t delivery_webhook_retry_at(const struct delivery_webhook *w)
{
    int shift = w->attempt - 1 < 20 ? w->attempt - 1 : 20;
    int64_t next = clock_now() + ((int64_t)WEBHOOK_FIRST_RETRY_S << shift);
    return next > w->created_at + WEBHOOK_GIVE_UP_S ? 0 : next;
}

int delivery_webhook_done(struct db *db, const struct delivery_pass *p,
                          const struct delivery_webhook *w, long status, const char *error,
                          int64_t duration_ms)
{
    struct pd_error err = {0};
    char why[1200];
    bool ok = status >= 200 && status < 300;
    snprintf(why, sizeof(why), "%s", error ? error : "");
    if (!ok && status)
        snprintf(why, sizeof(why), "HTTP %ld", status);
    int64_t next = ok ? 0 : delivery_webhook_retry_at(w);
    int rc = tx_begin(db, &err);
    if (rc >= 0) {
        rc = webhook_attempt_insert(db, w->id, w->attempt, clock_now(), (int)status,
                                    ok ? NULL : why, duration_ms);
        if (rc >= 0)
            rc = webhook_delivery_done(db, w->id, p->claim, ok, ok ? NULL : why, next, clock_now());
        rc = tx_end(db, rc, &err);
    }
    pd_error_clear(&err);
    char esc[1024]; /* the transport's words: escaped, as every value */
    if (!ok)
        log_line(LOG_WARN, NULL, "webhook", "delivery=%s event=%s attempt=%d error=%s", w->id,
                 w->event, w->attempt, log_escape(why, esc, sizeof(esc)));
    return rc;
}

int delivery_webhook_put_back(struct db *db, const struct delivery_pass *p,
                              const struct delivery_webhook *w)
{
    return deliveries_put_back(db, "webhook", w->id, p->claim);
}

void delivery_webhooks_free(struct delivery_webhook *w, int count)
{
    for (int i = 0; w && i < count; i++) {
        free(w[i].body);
        secret_wipe(w[i].secret, sizeof(w[i].secret));
    }
    free(w);
}
