/*
 * service/webhooks.c - webhook endpoints of an organisation and what was delivered.
 *
 * An endpoint's secret is shown once, at creation; it signs every delivery (see
 * jobs/deliver.c), so partnerd keeps it. By default an endpoint must be on a public
 * address: a partner may not make partnerd call into the program owner's own network
 * (setting webhooks.allow_private lifts that, for tests and closed networks).
 */
#include "service/webhooks.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/date.h"
#include "db/db.h"
#include "service/audit.h"
#include "service/outbox.h"
#include "service/settings.h"
#include "service/validate.h"

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

static json_t *endpoint_json(struct db_stmt *st)
{
    char created[21];
    return json_pack("{s:s, s:s, s:o, s:s}", "id", db_column_text(st, 0), "url",
                     db_column_text(st, 1), "events", events_json(db_column_text(st, 2)),
                     "created_at", instant_format(db_column_int64(st, 3), created));
}

int webhooks_create(struct db *db, const struct principal *who, const char *ip,
                    const json_t *body, json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"url", "events", NULL};
    struct checks c = {0};
    char host[256], events[1024] = ",";
    check_known_keys(&c, body, "", keys);
    const char *url = check_text(&c, body, "url", "url", true, 500);
    if (url && url_host(url, host, sizeof(host)) == NULL)
        check_fail(&c, "url", MSG_FIELD_URL), url = NULL;
    if (url && host_private(host) && setting_int(db, "webhooks.allow_private") == 0)
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
                snprintf(events, sizeof(events), "*");
            } else if (name == NULL || !event_known(name)) {
                check_fail(&c, "events", MSG_FIELD_EVENT_UNKNOWN);
            } else {
                size_t used = strlen(events);
                snprintf(events + used, sizeof(events) - used, "%s,", name);
            }
        }
    }
    int rc = check_done(&c, err);
    if (rc < 0)
        return rc;

    char id[32], secret[80], random[49], created[21];
    int64_t now = clock_now(), count = 0;
    id_new("whe", id, sizeof(id));
    random_hex(24, random);
    snprintf(secret, sizeof(secret), "whsec_%s", random);
    secret_wipe(random, sizeof(random));
    if ((rc = db_begin(db)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    rc = db_scalar(db, &count,
                   "SELECT COUNT(*) FROM webhook_endpoints WHERE partner_id = ? AND deleted_at IS "
                   "NULL",
                   "t", who->partner_id);
    if (rc >= 0 && count >= MAX_ENDPOINTS) {
        db_rollback(db);
        pd_fail(err, PD_E_CONFLICT, "at most %d webhook endpoints", MAX_ENDPOINTS);
        pd_error_detail(err, "limit", json_integer(MAX_ENDPOINTS));
        return PD_E_CONFLICT;
    }
    if (rc >= 0)
        rc = (int)db_run(db,
                         "INSERT INTO webhook_endpoints (id, partner_id, url, events, secret, "
                         "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         "tttttti", id, who->partner_id, url, events, secret, who->user_id, now);
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "webhook_endpoint.created", "webhook_endpoint", id,
                   json_pack("{s:s, s:s}", "url", url, "events", events));
    if (rc >= 0)
        rc = db_commit(db);
    if (rc < 0) {
        db_rollback(db);
        return pd_fail(err, rc, "%s", db_errmsg(db));
    }
    *out = json_pack("{s:s, s:s, s:o, s:s, s:s}", "id", id, "url", url, "events",
                     events_json(events), "secret", secret, "created_at",
                     instant_format(now, created));
    secret_wipe(secret, sizeof(secret));
    return 0;
}

int webhooks_list(struct db *db, const struct principal *who, json_t **items)
{
    struct db_stmt *st;
    *items = json_array();
    int rc = db_query(db, &st,
                      "SELECT id, url, events, created_at FROM webhook_endpoints WHERE partner_id "
                      "= ? AND deleted_at IS NULL ORDER BY created_at DESC, id",
                      "t", who->partner_id);
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(*items, endpoint_json(st));
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int webhooks_delete(struct db *db, const struct principal *who, const char *ip, const char *id,
                    struct pd_error *err)
{
    int rc = db_begin(db);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    int64_t changed = db_run(db,
                             "UPDATE webhook_endpoints SET deleted_at = ? WHERE id = ? AND "
                             "partner_id = ? AND deleted_at IS NULL",
                             "itt", clock_now(), id, who->partner_id);
    rc = changed < 0 ? (int)changed : 0;
    if (changed == 0) {
        db_rollback(db);
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    }
    /* what was still waiting for it is not sent */
    if (rc >= 0)
        rc = (int)db_run(db,
                         "UPDATE webhook_deliveries SET status = 'failed', last_error = 'endpoint "
                         "deleted', claim = NULL WHERE endpoint_id = ? AND status = 'pending'",
                         "t", id);
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "webhook_endpoint.deleted", "webhook_endpoint", id, NULL);
    if (rc >= 0)
        rc = db_commit(db);
    if (rc < 0) {
        db_rollback(db);
        return pd_fail(err, rc, "%s", db_errmsg(db));
    }
    return 0;
}

/* A delivery row (webhook or email) as JSON; attempts for webhooks. */
static json_t *delivery_json(struct db *db, struct db_stmt *st, bool webhook)
{
    char created[21], done[21];
    json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s?, s:s, s:s?}", "id",
                          db_column_text(st, 0), "event_id", db_column_text(st, 1), "event",
                          db_column_text(st, 2), "status", db_column_text(st, 3), "attempts",
                          (json_int_t)db_column_int64(st, 4), "last_error", db_column_text(st, 5),
                          "created_at", instant_format(db_column_int64(st, 6), created),
                          "done_at",
                          db_column_int64(st, 7) ? instant_format(db_column_int64(st, 7), done)
                                                 : NULL);
    json_object_set_new(d, webhook ? "endpoint_url" : "recipient",
                        json_string(db_column_text(st, 8)));
    if (!webhook)
        return d;
    struct db_stmt *a;
    json_t *attempts = json_array();
    if (db_query(db, &a,
                 "SELECT attempt, attempted_at, status_code, error, duration_ms FROM "
                 "webhook_attempts WHERE delivery_id = ? ORDER BY attempt",
                 "t", db_column_text(st, 0)) == 0) {
        while (db_step(a) == DB_ROW) {
            char at[21];
            json_array_append_new(
                attempts,
                json_pack("{s:I, s:s, s:I, s:s?, s:I}", "attempt", (json_int_t)db_column_int64(a, 0),
                          "at", instant_format(db_column_int64(a, 1), at), "status_code",
                          (json_int_t)db_column_int64(a, 2), "error", db_column_text(a, 3),
                          "duration_ms", (json_int_t)db_column_int64(a, 4)));
        }
        db_finalize(a);
    }
    json_object_set_new(d, "attempts_made", attempts);
    return d;
}

#define WEBHOOK_DELIVERY_COLUMNS                                                              \
    "SELECT d.id, d.outbox_id, o.event, d.status, d.attempts, d.last_error, d.created_at, "   \
    "COALESCE(d.delivered_at, 0), e.url FROM webhook_deliveries d JOIN outbox o ON o.id = "     \
    "d.outbox_id JOIN webhook_endpoints e ON e.id = d.endpoint_id "
#define EMAIL_DELIVERY_COLUMNS                                                                \
    "SELECT d.id, d.outbox_id, o.event, d.status, d.attempts, d.last_error, d.created_at, "   \
    "COALESCE(d.sent_at, 0), d.recipient FROM email_deliveries d JOIN outbox o ON o.id = "      \
    "d.outbox_id "

int webhooks_deliveries(struct db *db, const struct principal *who, const char *endpoint_id,
                        json_t **items, struct pd_error *err)
{
    struct db_stmt *st;
    int64_t owned = 0;
    int rc = db_scalar(db, &owned,
                       "SELECT COUNT(*) FROM webhook_endpoints WHERE id = ? AND partner_id = ?",
                       "tt", endpoint_id, who->partner_id);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (owned == 0)
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    rc = db_query(db, &st,
                  WEBHOOK_DELIVERY_COLUMNS "WHERE d.endpoint_id = ? ORDER BY d.created_at DESC, "
                                           "d.id DESC LIMIT 100",
                  "t", endpoint_id);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    *items = json_array();
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(*items, delivery_json(db, st, true));
    db_finalize(st);
    return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db)) : 0;
}

int deliveries_admin_list(struct db *db, const char *kind, const char *status, json_t **items,
                          struct pd_error *err)
{
    static const char *const statuses[] = {"pending", "sending", "sent", "delivered", "failed",
                                           NULL};
    bool webhook = kind && !strcmp(kind, "webhook");
    if (kind && !webhook && strcmp(kind, "email") != 0) {
        return pd_fail_field(err, PD_E_INVALID_QUERY, "kind", MSG_FIELD_ONE_OF, "email, webhook");
    }
    if (check_filter("status", status, statuses, err) < 0)
        return err->code;
    struct db_stmt *st;
    int rc = webhook ? db_query(db, &st,
                                WEBHOOK_DELIVERY_COLUMNS "WHERE d.status = COALESCE(?, d.status) "
                                                         "ORDER BY d.created_at DESC, d.id DESC "
                                                         "LIMIT 200",
                                "t", status)
                     : db_query(db, &st,
                                EMAIL_DELIVERY_COLUMNS "WHERE d.status = COALESCE(?, d.status) "
                                                       "ORDER BY d.created_at DESC, d.id DESC "
                                                       "LIMIT 200",
                                "t", status);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    *items = json_array();
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(*items, delivery_json(db, st, webhook));
    db_finalize(st);
    return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db)) : 0;
}
