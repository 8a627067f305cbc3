/* service/outbox.c - writes an event and its deliveries in the caller's transaction. */
#include "service/outbox.h"

#include <stdbool.h>
#include <stdlib.h>
#include <strings.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "store/outbox.h"
#include "store/webhooks.h"

const char *const outbox_events[] = {
    "order.confirmed", "invoice.issued", "payment.failed", "order.cancelled",
    "subscription.renewed", "subscription.notice", "support.updated",
    /* company profile, directory, referrals (issue 19) */
    "referral.created", "referral.updated",
    /* benefits (issue 18); an automatic renewal the bank asks to authenticate (issue 16) */
    "benefit.activated", "benefit.revoked", "benefit.reminder", "payment.action_required",
    /* a wire transfer paid more than its order owed: the surplus goes back; or all of it */
    "payment.surplus", "payment.returned", NULL};

/* The outbox row; its id into id. */
static int record(struct db *db, const char *partner_id, const char *event, json_t *payload,
                  char id[32])
{
    id_new("evt", id, 32);
    char *text = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(payload);
    if (text == NULL)
        return -1;
    int rc = outbox_insert(db, id, event, partner_id, text, clock_now());
    free(text);
    return rc;
}

/* The event with an email to each of `to` and, when webhooks, a delivery to each webhook
 * endpoint of the organisation that wants it. */
static int emit_all(struct db *db, const char *partner_id, const char *event, json_t *payload,
                    const struct contact *to, int n, bool webhooks)
{
    char id[32];
    int64_t now = clock_now();
    int rc = record(db, partner_id, event, payload, id);
    for (int i = 0; rc >= 0 && i < n; i++)
        rc = email_delivery_insert(db, id, i + 1, to[i].email, to[i].lang, now);
    if (rc >= 0 && webhooks)
        rc = webhook_deliveries_fan_out(db, id, partner_id, event, now);
    return rc < 0 ? rc : 0;
}

int outbox_emit_to(struct db *db, const char *partner_id, const char *event, json_t *payload,
                   const struct contact *to, int n)
{
    return emit_all(db, partner_id, event, payload, to, n, false);
}

int outbox_emit_notify(struct db *db, const char *partner_id, const char *event, json_t *payload,
                       const struct contact *to, int n)
{
    return emit_all(db, partner_id, event, payload, to, n, true);
}

int outbox_emit(struct db *db, const char *partner_id, const char *event, json_t *payload)
{
    /* the event and its deliveries written without reading who they go to first: writes
     * that PostgreSQL is sent without waiting, where most events (notices, benefits,
     * renewals) used to wait for a read of their recipients */
    char id[32];
    int64_t now = clock_now();
    int rc = record(db, partner_id, event, payload, id);
    if (rc >= 0)
        rc = email_deliveries_to_billing(db, id, partner_id, now);
    if (rc >= 0)
        rc = webhook_deliveries_fan_out(db, id, partner_id, event, now);
    return rc < 0 ? rc : 0;
}

int outbox_emit_many(struct db *db, struct outbox_event *events, int n)
{
    struct outbox_new rows[OUTBOX_MANY];
    int64_t now = clock_now();
    int rc = 0;
    for (int from = 0; from < n; from += OUTBOX_MANY) {
        int k = n - from < OUTBOX_MANY ? n - from : OUTBOX_MANY;
        for (int i = 0; i < k; i++) {
            struct outbox_event *e = &events[from + i];
            id_new("evt", rows[i].id, sizeof(rows[i].id));
            rows[i].event = e->event;
            rows[i].partner_id = e->partner_id;
            rows[i].payload =
                rc >= 0 ? json_dumps(e->payload, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
            json_decref(e->payload);
            e->payload = NULL;
            if (rows[i].payload == NULL && rc >= 0)
                rc = -1;
        }
        if (rc >= 0)
            rc = outbox_insert_many(db, rows, k, now);
        if (rc >= 0)
            rc = email_deliveries_to_billing_many(db, rows, k, now);
        if (rc >= 0)
            rc = webhook_deliveries_fan_out_many(db, rows, k, now);
        for (int i = 0; i < k; i++)
            free(rows[i].payload);
    }
    return rc < 0 ? rc : 0;
}

int outbox_emit_also(struct db *db, const char *partner_id, const char *event, json_t *payload,
                     const struct contact *extra)
{
    struct contact *to = NULL;
    int n = 0;
    bool known = false;
    int rc = billing_contacts(db, partner_id, &to, &n);
    for (int i = 0; rc >= 0 && i < n; i++)
        known = known || strcasecmp(to[i].email, extra->email) == 0;
    if (rc >= 0 && !known && extra->email[0]) {
        struct contact *grown = realloc(to, (size_t)(n + 1) * sizeof(*to));
        if (grown == NULL)
            rc = -1;
        else
            (to = grown)[n++] = *extra;
    }
    if (rc >= 0)
        rc = emit_all(db, partner_id, event, payload, to, n, true);
    else
        json_decref(payload);
    free(to);
    return rc;
}

int outbox_emit_user(struct db *db, const char *partner_id, const char *event, json_t *payload,
                     const char *user_id)
{
    struct contact one;
    int rc = user_contact(db, partner_id, user_id, &one);
    if (rc == 1)
        return emit_all(db, partner_id, event, payload, &one, 1, true);
    if (rc < 0) {
        json_decref(payload);
        return rc;
    }
    return outbox_emit(db, partner_id, event, payload);
}
