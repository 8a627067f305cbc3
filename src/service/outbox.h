/*
 * service/outbox.h - the events partners hear of (SPEC section 7).
 *
 * A service that changes something a partner should hear of calls outbox_emit() inside
 * its own transaction: the event, one email per billing contact and one delivery per
 * webhook endpoint that wants it are written with the change or not at all. The
 * outbox_delivery job sends them: service/delivery.c makes them ready, jobs/deliver.c
 * (emails) and jobs/webhook_send.c (webhooks) carry them.
 *
 * Events: user.invited (email only), order.confirmed, invoice.issued, payment.failed,
 * payment.action_required (an automatic renewal waits for the partner to pay on session),
 * payment.surplus (a wire order paid more than it owed: the surplus is refunded),
 * payment.returned (a transfer for an order finance sends back whole),
 * order.cancelled, subscription.renewed, subscription.notice (payload "kind": upcoming_renewal,
 * expiry_30, expiry_7, expiry_1, window_open, window_closing, lapsed), support.updated,
 * referral.created, referral.updated, benefit.activated, benefit.revoked, benefit.reminder
 * (payload "days": 30 or 7); support.staff_notice goes to support staff only,
 * referral.confirm and referral.customer_notice to a referral's customer only, key_pool.low
 * to operators only.
 */
#ifndef PD_SERVICE_OUTBOX_H
#define PD_SERVICE_OUTBOX_H

#include <jansson.h>

struct db;
struct contact;

/* Every event name, ending with NULL. */
extern const char *const outbox_events[];

/* Records event for the organisation inside the caller's transaction. Takes ownership
 * of payload. Returns 0 or a negative status. */
int outbox_emit(struct db *db, const char *partner_id, const char *event, json_t *payload);

/* Events recorded together (a batch of renewals) as outbox_emit() records each one, in a few
 * statements for all of them rather than three each. Takes ownership of every payload. */
struct outbox_event {
    const char *partner_id;
    const char *event;
    json_t *payload;
};
int outbox_emit_many(struct db *db, struct outbox_event *events, int n);

/* The same, but the email goes to one user of the organisation (the author of a support
 * request), or to the billing contacts when that user is no longer active. */
int outbox_emit_user(struct db *db, const char *partner_id, const char *event, json_t *payload,
                     const char *user_id);

/* The same with an email to these n people, and webhooks (a referral: to the address
 * the partner's profile names). */
int outbox_emit_notify(struct db *db, const char *partner_id, const char *event, json_t *payload,
                       const struct contact *to, int n);
/* The same, with an email to one more person than the billing contacts (the contact a
 * partner named for a wire payment), unless they are one of them. */
int outbox_emit_also(struct db *db, const char *partner_id, const char *event, json_t *payload,
                     const struct contact *extra);

/* The same for an email to these n people only, never to webhooks (an invitation: its
 * link is for the invitee alone; a notice to support staff). */
int outbox_emit_to(struct db *db, const char *partner_id, const char *event, json_t *payload,
                   const struct contact *to, int n);

#endif
