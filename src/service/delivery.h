/*
 * service/delivery.h - the outbox's deliveries, ready to send, and what became of them.
 *
 * The outbox_delivery job (jobs/deliver.c, jobs/webhook_send.c) owns the transport, SMTP
 * or a directory of .eml files for emails and HTTP POST for webhooks; everything else is
 * here: claiming due deliveries so two processes never send one, the email in its
 * recipient's language (render/email.c, words from the catalog), the webhook body, and
 * recording each outcome with its retry: emails 8 times, 1, 2, 4 ... minutes apart;
 * webhooks with exponential backoff from 30 seconds for a day.
 *
 *     struct delivery_pass p;
 *     delivery_pass_begin(db, &p);
 *     while (delivery_emails_next(db, &p, 50, &mails, &n) == 0 && n > 0) {
 *         ...send each, then delivery_email_done(db, &p, &mails[i], error or NULL)...
 *         delivery_emails_free(mails, n);
 *     }
 *     delivery_pass_end(db, &p);
 */
#ifndef PD_SERVICE_DELIVERY_H
#define PD_SERVICE_DELIVERY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "service/settings.h"
#include "store/outbox.h"

struct db;

/* One pass of the outbox: the settings (mail.*, smtp.*, seller.name), read once, the
 * claim token of the group of deliveries it took last (each group draws its own), and how
 * far its claims of each kind have got.
 * Holds the SMTP password: end it. */
struct delivery_pass {
    struct settings settings;
    char claim[40];
    struct claim_cursor emails, webhooks;
};

/* An email ready to go. */
struct delivery_email {
    char id[32]; /* the delivery, also its Message-ID */
    char event[48];
    char recipient[256];
    int attempt;                    /* this one, from 1 */
    struct buf subject, text, html; /* UTF-8; owned, delivery_emails_free() */
};

/* The most webhook POSTs a pass has on the wire at once (webhooks.at_once's bound). */
#define WEBHOOKS_AT_ONCE_MAX 32

/* A webhook POST ready to go. */
struct delivery_webhook {
    char id[32]; /* the delivery, also its Partnerd-Delivery header */
    char event[48];
    char endpoint_id[32];
    char url[512];
    char secret[80];    /* signs the body; wiped by delivery_webhooks_free() */
    bool standard;      /* Standard Webhooks headers, else the old Partnerd-Signature */
    int attempt;        /* this one, from 1 */
    int64_t created_at; /* of the event: retries stop a day after it */
    char *body;         /* {"id","type","created_at","data"}; owned */
};

/* Starts a pass: loads the settings and records the pass's start, by which what its claims
 * take is due (store/outbox.h). 0 or a negative status. */
int delivery_pass_begin(struct db *db, struct delivery_pass *p);

/* Ends a pass: syncs the marks of the last emails returned, wipes the SMTP password. */
void delivery_pass_end(struct db *db, struct delivery_pass *p);

/* Claims up to limit due emails, under a claim token of their own, and renders each; one
 * without a template is recorded failed (and retried) rather than returned. 0 with *out
 * (owner: caller, delivery_emails_free()) and *count, 0 when nothing is due; or a negative
 * status. The marks of the emails it returns (delivery_email_done) do not wait for the
 * disk: they are synced at the next call, so call it again until it returns none or fails. */
int delivery_emails_next(struct db *db, struct delivery_pass *p, int limit,
                         struct delivery_email **out, int *count);

/* Records the outcome of an email: sent when error is NULL, else retried or given up. */
int delivery_email_done(struct db *db, const struct delivery_pass *p,
                        const struct delivery_email *e, const char *error);

/* Puts e back unsent (the pass stopping), for a later pass: no attempt is counted. Its mark
 * waits for the disk as the others do (delivery_emails_next, delivery_marks_sync). */
int delivery_email_put_back(struct db *db, const struct delivery_pass *p,
                            const struct delivery_email *e);

/* For a group's emails sent and marked on other connections than the pass's own (helpers
 * of a job pass, each sending a part of it): their marks, too, do not wait for the disk
 * after delivery_marks_defer(db), and are on disk once delivery_marks_sync(db) returns
 * (0, or PD_E_DB when the sync failed). Call both around each part. */
void delivery_marks_defer(struct db *db);
int delivery_marks_sync(struct db *db);

void delivery_emails_free(struct delivery_email *e, int count);

/* Claims up to limit due webhook deliveries, each with its body, as for emails. */
int delivery_webhooks_next(struct db *db, struct delivery_pass *p, int limit,
                           struct delivery_webhook **out, int *count);

/* Records one POST: the HTTP status (0 when none came, error then says why) and how
 * long it took; delivered on a 2xx, else retried or given up. */
int delivery_webhook_done(struct db *db, const struct delivery_pass *p,
                          const struct delivery_webhook *w, long status, const char *error,
                          int64_t duration_ms);

/* Puts w back unsent, for a later pass: no attempt is counted, and it stays due as it was. */
int delivery_webhook_put_back(struct db *db, const struct delivery_pass *p,
                              const struct delivery_webhook *w);

/* When a failure of this attempt of w is tried again (unix seconds): 30 s after it,
 * doubling with each attempt; 0 when that falls more than a day after its event, the
 * delivery then given up. */
int64_t delivery_webhook_retry_at(const struct delivery_webhook *w);

void delivery_webhooks_free(struct delivery_webhook *w, int count);

#endif
