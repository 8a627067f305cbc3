/*
 * service/webhooks.c - webhook endpoints of an organisation and what was delivered.
 *
 * An endpoint's secret is shown once, at creation or rotation; it signs every delivery
 * (see jobs/webhook_send.c), so partnerd keeps it, sealed (service/webhook_secrets.h). A
 * secret is "whsec_" and the base64 of 32
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

#include <netdb.h>
#include <sys/socket.h>

#include "core/base64.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/date.h"
#include "core/netaddr.h"
#include "service/audit.h"
#include "service/outbox.h"
#include "service/settings.h"
#include "service/tx.h"
#include "service/page.h"
#include "service/validate.h"
#include "service/webhook_secrets.h"
#include "store/outbox.h"
#include "store/webhooks.h"

#define MAX_ENDPOINTS 20

/* The host of an http(s) URL, lower-cased, without brackets or port; NULL when the URL
 * is not one. *after: what follows the host (":port/...", "/...", or ""). */
static const char *url_host(const char *url, char *host, size_t n, const char **after)
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
        *after = end + 1;
    } else {
        len = strcspn(p, ":/?#");
        *after = p + len;
    }
    if (len == 0 || len >= n)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '%')
            return NULL; /* percent-encoding or an IPv6 zone: no spelling games */
        host[i] = (char)tolower((unsigned char)p[i]);
    }
    host[len] = '\0';
    return host;
}

/* True when what follows a URL's host has no port, or a port from 1 to 65535: a TCP port
 * cannot be more, and curl would refuse the address only when a delivery is due. */
static bool url_port_valid(const char *after)
{
    if (*after != ':')
        return *after == '\0' || strchr("/?#", *after) != NULL;
    long port = 0;
    size_t digits = strspn(after + 1, "0123456789");
    for (size_t i = 1; i <= digits && port <= 65535; i++)
        port = port * 10 + (after[i] - '0');
    const char *end = after + 1 + digits;
    return digits > 0 && port >= 1 && port <= 65535 && (*end == '\0' || strchr("/?#", *end));
}

/* True when the host, as typed, already says it is not on the public internet: a
 * numeric address in any spelling the system's resolver reads (127.1, 0x7f.0.0.1,
 * 2130706433, [::ffff:127.0.0.1], a zone), or a localhost name. This is early feedback
 * only: names are resolved, and every address checked, when a delivery connects
 * (jobs/egress.c), so a name pointing at a private address never reaches it either. */
static bool host_private(const char *h)
{
    char host[256];
    snprintf(host, sizeof(host), "%s", h);
    size_t len = strlen(host);
    while (len > 0 && host[len - 1] == '.') /* "localhost." is localhost */
        host[--len] = '\0';
    if (len == 0 || !strcmp(host, "localhost") ||
        (len > 10 && !strcmp(host + len - 10, ".localhost")))
        return true;
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    if (getaddrinfo(host, NULL, &hints, &res) != 0)
        return false; /* a name: decided when it is resolved */
    bool refused = false;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        struct netaddr a;
        refused = refused || !netaddr_from_sockaddr(ai->ai_addr, &a) || !netaddr_is_public(&a);
    }
    freeaddrinfo(res);
    return refused;
}

static bool event_known(const char *e)
{
    for (const char *const *k = outbox_events; *k; k++)
        if (!strcmp(*k, e))
            return true;
    return false;
}

/* True when the stored list ",a,b," holds the event name. */
static bool events_listed(const char *stored, const char *name)
{
    char item[128];
    snprintf(item, sizeof(item), ",%s,", name);
    return strstr(stored, item) != NULL;
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
    const char *after = NULL;
    snprintf(events, n, ",");
    check_known_keys(&c, body, "", keys);
    *url = check_text(&c, body, "url", "url", true, 500);
    if (*url && url_host(*url, host, sizeof(host), &after) == NULL)
        check_fail(&c, "url", MSG_FIELD_URL), *url = NULL;
    if (*url && !url_port_valid(after))
        check_fail(&c, "url", MSG_FIELD_URL_PORT), *url = NULL;
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
            } else if (events_listed(events, name)) { /* each event once */
                check_fail_args(&c, "events", MSG_FIELD_EVENT_TWICE, (const char *const[]){name},
                                1);
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

    char secret[80], sealed[WEBHOOK_SECRET_STORED];
    int64_t count = 0;
    id_new("whe", e.id, sizeof(e.id));
    snprintf(e.scheme, sizeof(e.scheme), "standard");
    if (secret_new(secret, sizeof(secret)) < 0)
        return pd_fail(err, PD_E_INTERNAL, "out of memory");
    if ((rc = webhook_secret_seal(db, secret, sealed, sizeof(sealed), err)) < 0 ||
        (rc = tx_begin(db, err)) < 0) {
        secret_wipe(secret, sizeof(secret));
        return rc;
    }
    rc = webhook_endpoints_count_locked(db, who->partner_id, &count);
    if (rc >= 0 && count >= MAX_ENDPOINTS) {
        rc = pd_fail(err, PD_E_CONFLICT, "at most %d webhook endpoints", MAX_ENDPOINTS);
        pd_error_detail(err, "limit", json_integer(MAX_ENDPOINTS));
    }
    if (rc >= 0)
        rc = webhook_endpoint_insert(db, &e, who->partner_id, sealed, who->user_id);
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
    char secret[80], sealed[WEBHOOK_SECRET_STORED];
    if (secret_new(secret, sizeof(secret)) < 0)
        return pd_fail(err, PD_E_INTERNAL, "out of memory");
    int rc = webhook_secret_seal(db, secret, sealed, sizeof(sealed), err);
    if (rc < 0 || (rc = tx_begin(db, err)) < 0) {
        secret_wipe(secret, sizeof(secret));
        return rc;
    }
    rc = webhook_endpoint_rotate(db, id, who->partner_id, sealed, &e);
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

int webhooks_list(struct db *db, const struct principal *who, const struct page_in *page,
                  json_t **items, char next[CURSOR_TEXT_MAX], struct pd_error *err)
{
    struct webhook_endpoint_row *rows = NULL;
    struct checks c = {0};
    struct page_request p;
    int n = 0;
    page_check(&c, page, &p);
    if (page_checks_done(&c, err) < 0)
        return err->code;
    int rc = webhook_endpoints_list(db, who->partner_id, &p, &rows, &n);
    if (rc < 0) {
        free(rows);
        return pd_fail(err, rc, "webhook endpoints");
    }
    int shown = page_shown(&p, n);
    *items = json_array();
    for (int i = 0; i < shown; i++)
        json_array_append_new(*items, endpoint_view(&rows[i]));
    page_next(&p, n, shown ? rows[shown - 1].created_at : 0, shown ? rows[shown - 1].id : NULL,
              next);
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
    /* what was still waiting for it, or being sent to it, is not sent again */
    if (rc >= 0)
        rc = webhook_deliveries_give_up(db, id);
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "webhook_endpoint.deleted", "webhook_endpoint", id, NULL);
    return tx_end(db, rc, err);
}

/* "2xx" ... "5xx" for an HTTP status, NULL when the endpoint gave none. */
static const char *status_class(int64_t code, char out[4])
{
    if (code < 100 || code > 599)
        return NULL;
    snprintf(out, 4, "%dxx", (int)(code / 100));
    return out;
}

/* The attempts of one webhook delivery. The organisation sees whether each was delivered
 * and the class of what its endpoint answered, never why a connection failed: that would
 * tell what listens where (a port scan through partnerd). Staff see everything. */
static json_t *attempts_view(struct db *db, const char *delivery_id, bool staff)
{
    struct webhook_attempt_row *rows = NULL;
    int n = 0;
    json_t *attempts = json_array();
    if (webhook_attempts_of(db, delivery_id, &rows, &n) == 0) {
        for (int i = 0; i < n; i++) {
            const struct webhook_attempt_row *a = &rows[i];
            char at[21], cls[4];
            bool ok = a->status_code >= 200 && a->status_code < 300;
            json_t *v = json_pack("{s:I, s:s, s:s, s:s?, s:I}", "attempt", (json_int_t)a->attempt,
                                  "at", instant_format(a->attempted_at, at), "outcome",
                                  ok ? "delivered" : "failed", "status_class",
                                  status_class(a->status_code, cls), "duration_ms",
                                  (json_int_t)a->duration_ms);
            if (staff) {
                json_object_set_new(v, "status_code", json_integer(a->status_code));
                json_object_set_new(v, "error", a->has_error ? json_string(a->error) : json_null());
            }
            json_array_append_new(attempts, v);
        }
    }
    free(rows);
    return attempts;
}

/* A delivery (webhook or email) as JSON; with its attempts for a webhook. Only staff see
 * the last error's text (see attempts_view). */
static json_t *delivery_view(struct db *db, const struct delivery_row *r, bool webhook, bool staff)
{
    char created[21], done[21];
    json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s?}", "id", r->id, "event_id",
                          r->event_id, "event", r->event, "status", r->status, "attempts",
                          (json_int_t)r->attempts, "created_at",
                          instant_format(r->created_at, created), "done_at",
                          r->done_at ? instant_format(r->done_at, done) : NULL);
    if (staff)
        json_object_set_new(d, "last_error",
                            r->has_error ? json_string(r->last_error) : json_null());
    json_object_set_new(d, webhook ? "endpoint_url" : "recipient", json_string(r->target));
    if (webhook)
        json_object_set_new(d, "attempts_made", attempts_view(db, r->id, staff));
    return d;
}

/* The rows shown of a page as a JSON array, and the page's next cursor; frees them. */
static json_t *deliveries_view(struct db *db, const struct page_request *p,
                               struct delivery_row *rows, int n, bool webhook, bool staff,
                               char next[CURSOR_TEXT_MAX])
{
    json_t *items = json_array();
    int shown = page_shown(p, n);
    for (int i = 0; i < shown; i++)
        json_array_append_new(items, delivery_view(db, &rows[i], webhook, staff));
    page_next(p, n, shown ? rows[shown - 1].created_at : 0, shown ? rows[shown - 1].id : NULL,
              next);
    free(rows);
    return items;
}

int webhooks_deliveries(struct db *db, const struct principal *who, const char *endpoint_id,
                        const struct page_in *page, json_t **items, char next[CURSOR_TEXT_MAX],
                        struct pd_error *err)
{
    struct delivery_row *rows = NULL;
    struct checks c = {0};
    struct page_request p;
    int n = 0;
    int rc = webhook_endpoint_owned(db, endpoint_id, who->partner_id);
    if (rc == 0)
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    page_check(&c, page, &p);
    if (page_checks_done(&c, err) < 0)
        return err->code;
    if (rc > 0)
        rc = webhook_deliveries_page(db, endpoint_id, NULL, &p, &rows, &n);
    if (rc < 0) {
        free(rows);
        return pd_fail(err, rc, "webhook deliveries");
    }
    *items = deliveries_view(db, &p, rows, n, true, false, next);
    return 0;
}

int deliveries_admin_list(struct db *db, const char *kind, const char *status,
                          const struct page_in *page, json_t **items, char next[CURSOR_TEXT_MAX],
                          struct pd_error *err)
{
    static const char *const statuses[] = {"pending",   "sending", "sent",
                                           "delivered", "failed",  NULL};
    static const char *const kinds[] = {"email", "webhook", NULL};
    struct checks c = {0};
    struct page_request p;
    bool webhook = kind && !strcmp(kind, "webhook");
    page_check(&c, page, &p);
    if (!check_one_of(kind, kinds))
        check_fail_one_of(&c, "kind", kinds);
    if (!check_one_of(status, statuses))
        check_fail_one_of(&c, "status", statuses);
    if (page_checks_done(&c, err) < 0)
        return err->code;
    struct delivery_row *rows = NULL;
    int n = 0;
    int rc = webhook ? webhook_deliveries_page(db, NULL, status, &p, &rows, &n)
                     : email_deliveries_page(db, status, &p, &rows, &n);
    if (rc < 0) {
        free(rows);
        return pd_fail(err, rc, "deliveries");
    }
    *items = deliveries_view(db, &p, rows, n, webhook, true, next);
    return 0;
}
