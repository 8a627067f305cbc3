/* service/outbox.c - writes an event and its deliveries in the caller's transaction. */
#include "service/outbox.h"

#include <stdlib.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "store/outbox.h"

const char *const outbox_events[] = {"order.confirmed",      "invoice.issued",
                                     "payment.failed",       "order.cancelled",
                                     "subscription.renewed", "subscription.notice",
                                     NULL};

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

int outbox_emit_to(struct db *db, const char *partner_id, const char *event, json_t *payload,
                   const char *recipient, const char *lang)
{
    char id[32];
    int rc = record(db, partner_id, event, payload, id);
    if (rc >= 0)
        rc = email_delivery_insert(db, id, recipient, lang, clock_now());
    return rc < 0 ? rc : 0;
}

int outbox_emit(struct db *db, const char *partner_id, const char *event, json_t *payload)
{
    char id[32];
    int64_t now = clock_now();
    int rc = record(db, partner_id, event, payload, id);
    struct contact *to = NULL;
    int n = 0;
    if (rc >= 0)
        rc = billing_contacts(db, partner_id, &to, &n);
    for (int i = 0; rc >= 0 && i < n; i++)
        rc = email_delivery_insert(db, id, to[i].email, to[i].lang, now);
    free(to);
    if (rc >= 0)
        rc = webhook_deliveries_fan_out(db, id, partner_id, event, now);
    return rc < 0 ? rc : 0;
}
