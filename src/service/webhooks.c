/*
 * service/webhooks.c - webhook endpoints of an organisation and what was delivered.
 *
 * An endpoint's secret is shown once, at creation or rotation; it signs every delivery
 * (see jobs/deliver.c), so partnerd keeps it. A secret is "whsec_" and the base64 of 32
 * random bytes, the form Standard Webhooks verifiers take. Endpoints made before that
 * are signed the old way (Partnerd-Signature) until their owner rotates the secret. The JSON of
 * endpoints and deliveries is shaped here, one function per shape, from the rows of
 * store/webhooks.h and store/outbox.h. By default an endpoint must be on a public address: a
 * partner may not make partnerd call into the program owner's own network (setting
 * webhooks.allow_private lifts that, for tests and closed networks).
 */
#include "service/webhooks.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base64.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/date.h"
#include "service/audit.h"
#include "service/outbox.h"
#include "service/settings.h"
#include "service/tx.h"
#include "service/validate.h"
#include "store/outbox.h"
#include "store/webhooks.h"

#define MAX_ENDPOINTS 20

/* The host of an http(s) URL, lower-cased, without brackets or port; NULL when the URL
 * is not one. */
static const char *url_host(const char *url, char *host, size_t n)
{
    const char *p = strncmp(url, "https://", 8) == 0  ? url + 8
                    : strncmp(url, "http://", 7) == 0 ? url + 7
                                                      : NULL;
    if (p == NULL || strchr(url, ' ') || strchr(p, '@'))
        return NULL; /* no credentials in the address */
    size_t len = 0;
    if (*p == '[') {
        const char *end = strchr(p, ']');
        if (end == NULL)
            return NULL;
        p++;
        len = (size_t)(end - p);
    } else {
        len = strcspn(p, ":/?#");
    }
    if (len == 0 || len >= n)
        return NULL;
    for (size_t i = 0; i < len; i++)
        host[i] = (char)tolower((unsigned char)p[i]);
    host[len] = '\0';
    return host;
}

/* Loopback, private, link-local or unspecified, written as a name or a literal. */
static bool host_private(const char *h)
{
    unsigned a = 0, b = 0;
    size_t len = strlen(h);
    if (!strcmp(h, "localhost") || (len > 10 && !strcmp(h + len - 10, ".localhost")))
        return true;
    if (strchr(h, ':')) /* IPv6 literal */
        return !strcmp(h, "::1") || !strcmp(h, "::") || !strncmp(h, "fc", 2) ||
               !strncmp(h, "fd", 2) || !strncmp(h, "fe80", 4) || !strncmp(h, "::ffff:", 7);
    if (sscanf(h, "%u.%u", &a, &b) == 2 && strspn(h, "0123456789.") == len)
        return a == 0 || a == 10 || a == 127 || (a == 169 && b == 254) ||
               (a == 172 && b >= 16 && b <= 31) || (a == 192 && b == 168);
    return false;
}

static bool event_known(const char *e)
{
    for (const char *const *k = outbox_events; *k; k++)
        if (!strcmp(*k, e))
            return true;
    return false;
}

static json_t *events_json(const char *stored)
{
    json_t *a = json_array();
    if (!strcmp(stored, "*")) {
        json_array_append_new(a, json_string("*"));
        return a;
    }
    char copy[1024];
    snprintf(copy, sizeof(copy), "%s", stored);
    char *save = NULL;
    for (char *e = strtok_r(copy, ",", &save); e; e = strtok_r(NULL, ",", &save))
        json_array_append_new(a, json_string(e));
    return a;
}

/* An endpoint as its organisation sees it: no secret. */
static json_t *endpoint_view(const struct webhook_endpoint_row *e)
{
    char created[21];
    return json_pack("{s:s, s:s, s:o, s:s, s:s}", "id", e->id, "url", e->url, "events",
                     events_json(e->events), "signature_scheme",
                     strcmp(e->scheme, "partnerd") == 0 ? "partnerd-v1" : "standard-webhooks",
                     "created_at", instant_format(e->created_at, created));
}

/* A fresh signing secret: whsec_ and the base64 of 32 random bytes. */
static int secret_new(char *out, size_t n)
{
    unsigned char key[32];
    random_bytes(key, sizeof(key));
    char *b64 = base64_encode(key, sizeof(key));
    secret_wipe(key, sizeof(key));
    if (b64 == NULL)
        return PD_E_INTERNAL;
    snprintf(out, n, "whsec_%s", b64);
    secret_wipe(b64, strlen(b64));
    free(b64);
    return 0;
}

/* The checks of a new endpoint's body; its URL and its events (stored form) on success. */
static int endpoint_check(const json_t *body, const struct settings *set, const char **url,
                          char *events, size_t n, struct pd_error *err)
{
    static const char *const keys[] = {"url", "events", NULL};
    struct checks c = {0};
    char host[256];
    snprintf(events, n, ",");
    check_known_keys(&c, body, "", keys);
    *url = check_text(&c, body, "url", "url", true, 500);
    if (*url && url_host(*url, host, sizeof(host)) == NULL)
        check_fail(&c, "url", MSG_FIELD_URL), *url = NULL;
    if (*url && host_private(host) && set->webhooks_allow_private == 0)
        check_fail(&c, "url", MSG_FIELD_URL_PUBLIC);
    json_t *list = json_object_get(body, "events");
    if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > 20) {
        check_fail(&c, "events", MSG_FIELD_EVENTS);
    } else {
        size_t i;
        json_t *e;
        json_array_foreach(list, i, e)
        {
            const char *name = json_string_value(e);
            if (name && !strcmp(name, "*") && json_array_size(list) == 1) {
                snprintf(events, n, "*");
            } else if (name == NULL || !event_known(name)) {
                check_fail(&c, "events", MSG_FIELD_EVENT_UNKNOWN);
            } else {
                size_t used = strlen(events);
                snprintf(events + used, n - used, "%s,", name);
            }
        }
    }
    return check_done(&c, err);
}

int webhooks_create(struct db *db, const struct principal *who, const char *ip, const json_t *body,
                    json_t **out, struct pd_error *err)
{
    struct webhook_endpoint_row e = {.created_at = clock_now()};
    struct settings set;
    const char *url = NULL;
    int rc = settings_load(db, &set);
    if (rc < 0)
        return pd_fail(err, rc, "settings");
    if ((rc = endpoint_check(body, &set, &url, e.events, sizeof(e.events), err)) < 0)
        return rc;
    snprintf(e.url, sizeof(e.url), "%s", url);

    char secret[80];
    int64_t count = 0;
    id_new("whe", e.id, sizeof(e.id));
    snprintf(e.scheme, sizeof(e.scheme), "standard");
    if (secret_new(secret, sizeof(secret)) < 0)
        return pd_fail(err, PD_E_INTERNAL, "out of memory");
    if ((rc = tx_begin(db, err)) < 0)
        return rc;
    rc = webhook_endpoints_count(db, who->partner_id, &count);
    if (rc >= 0 && count >= MAX_ENDPOINTS) {
        rc = pd_fail(err, PD_E_CONFLICT, "at most %d webhook endpoints", MAX_ENDPOINTS);
        pd_error_detail(err, "limit", json_integer(MAX_ENDPOINTS));
    }
    if (rc >= 0)
        rc = webhook_endpoint_insert(db, &e, who->partner_id, secret, who->user_id);
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "webhook_endpoint.created", "webhook_endpoint", e.id,
                   json_pack("{s:s, s:s}", "url", e.url, "events", e.events));
    if ((rc = tx_end(db, rc, err)) < 0) {
        secret_wipe(secret, sizeof(secret));
        return rc;
    }
    *out = endpoint_view(&e);
    json_object_set_new(*out, "secret", json_string(secret));
    secret_wipe(secret, sizeof(secret));
    return 0;
}

int webhooks_rotate_secret(struct db *db, const struct principal *who, const char *ip,
                           const char *id, json_t **out, struct pd_error *err)
{
    struct webhook_endpoint_row e;
    char secret[80];
    if (secret_new(secret, sizeof(secret)) < 0)
        return pd_fail(err, PD_E_INTERNAL, "out of memory");
    int rc = tx_begin(db, err);
    if (rc < 0)
        return rc;
    rc = webhook_endpoint_rotate(db, id, who->partner_id, secret, &e);
    if (rc == 0)
        rc = pd_fail(err, PD_E_NOT_FOUND, NULL);
    if (rc > 0)
        rc = audit(db, who, ip, NULL, "webhook_endpoint.secret_rotated", "webhook_endpoint", id,
                   json_pack("{s:s}", "signature_scheme", "standard-webhooks"));
    if ((rc = tx_end(db, rc, err)) < 0) {
        secret_wipe(secret, sizeof(secret));
        return rc;
    }
    *out = endpoint_view(&e);
    json_object_set_new(*out, "secret", json_string(secret));
    secret_wipe(secret, sizeof(secret));
    return 0;
}

int webhooks_list(struct db *db, const struct principal *who, json_t **items, struct pd_error *err)
{
    struct webhook_endpoint_row *rows = NULL;
    int n = 0;
    int rc = webhook_endpoints_list(db, who->partner_id, &rows, &n);
    if (rc < 0) {
        free(rows);
        return pd_fail(err, rc, "webhook endpoints");
    }
    *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(*items, endpoint_view(&rows[i]));
    free(rows);
    return 0;
}

int webhooks_delete(struct db *db, const struct principal *who, const char *ip, const char *id,
                    struct pd_error *err)
{
    int rc = tx_begin(db, err);
    if (rc < 0)
        return rc;
    rc = webhook_endpoint_delete(db, id, who->partner_id, clock_now());
    if (rc == 0)
        rc = pd_fail(err, PD_E_NOT_FOUND, NULL);
    /* what was still waiting for it is not sent */
    if (rc >= 0)
        rc = webhook_deliveries_fail_pending(db, id);
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "webhook_endpoint.deleted", "webhook_endpoint", id, NULL);
    return tx_end(db, rc, err);
}

/* The attempts of one webhook delivery. */
static json_t *attempts_view(struct db *db, const char *delivery_id)
{
    struct webhook_attempt_row *rows = NULL;
    int n = 0;
    json_t *attempts = json_array();
    if (webhook_attempts_of(db, delivery_id, &rows, &n) == 0) {
        for (int i = 0; i < n; i++) {
            const struct webhook_attempt_row *a = &rows[i];
            char at[21];
            json_array_append_new(attempts, json_pack("{s:I, s:s, s:I, s:s?, s:I}", "attempt",
                                                      (json_int_t)a->attempt, "at",
                                                      instant_format(a->attempted_at, at),
                                                      "status_code", (json_int_t)a->status_code,
                                                      "error", a->has_error ? a->error : NULL,
                                                      "duration_ms", (json_int_t)a->duration_ms));
        }
    }
    free(rows);
    return attempts;
}

/* A delivery (webhook or email) as JSON; with its attempts for a webhook. */
static json_t *delivery_view(struct db *db, const struct delivery_row *r, bool webhook)
{
    char created[21], done[21];
    json_t *d = json_pack(
        "{s:s, s:s, s:s, s:s, s:I, s:s?, s:s, s:s?}", "id", r->id, "event_id", r->event_id, "event",
        r->event, "status", r->status, "attempts", (json_int_t)r->attempts, "last_error",
        r->has_error ? r->last_error : NULL, "created_at", instant_format(r->created_at, created),
        "done_at", r->done_at ? instant_format(r->done_at, done) : NULL);
    json_object_set_new(d, webhook ? "endpoint_url" : "recipient", json_string(r->target));
    if (webhook)
        json_object_set_new(d, "attempts_made", attempts_view(db, r->id));
    return d;
}

/* The rows as a JSON array; frees them. */
static json_t *deliveries_view(struct db *db, struct delivery_row *rows, int n, bool webhook)
{
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, delivery_view(db, &rows[i], webhook));
    free(rows);
    return items;
}

int webhooks_deliveries(struct db *db, const struct principal *who, const char *endpoint_id,
                        json_t **items, struct pd_error *err)
{
    struct delivery_row *rows = NULL;
    int n = 0;
    int rc = webhook_endpoint_owned(db, endpoint_id, who->partner_id);
    if (rc == 0)
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    if (rc > 0)
        rc = webhook_deliveries_list(db, endpoint_id, NULL, 100, &rows, &n);
    if (rc < 0) {
        free(rows);
        return pd_fail(err, rc, "webhook deliveries");
    }
    *items = deliveries_view(db, rows, n, true);
    return 0;
}

int deliveries_admin_list(struct db *db, const char *kind, const char *status, json_t **items,
                          struct pd_error *err)
{
    static const char *const statuses[] = {"pending",   "sending", "sent",
                                           "delivered", "failed",  NULL};
    bool webhook = kind && !strcmp(kind, "webhook");
    if (kind && !webhook && strcmp(kind, "email") != 0)
        return pd_fail_field(err, PD_E_INVALID_QUERY, "kind", MSG_FIELD_ONE_OF, "email, webhook");
    if (check_filter("status", status, statuses, err) < 0)
        return err->code;
    struct delivery_row *rows = NULL;
    int n = 0;
    int rc = webhook ? webhook_deliveries_list(db, NULL, status, 200, &rows, &n)
                     : email_deliveries_list(db, status, 200, &rows, &n);
    if (rc < 0) {
        free(rows);
        return pd_fail(err, rc, "deliveries");
    }
    *items = deliveries_view(db, rows, n, webhook);
    return 0;
}
