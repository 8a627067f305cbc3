/*
 * store/webhooks.h - SQL of webhook endpoints, the deliveries made to them, their attempts.
 *
 * An endpoint is never removed: deleting it stamps deleted_at, so the deliveries made to
 * it keep their history. Its events are stored as ",a,b," (or "*"), which lets one LIKE
 * find the endpoints that want an event. Rows come back as the structs below, with fixed
 * buffers; lists are malloc'd arrays whose owner is the caller (free()). Claiming due
 * deliveries and listing them is in store/outbox.h, with the emails.
 */
#ifndef PD_STORE_WEBHOOKS_H
#define PD_STORE_WEBHOOKS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/cursor.h"

struct db;
struct outbox_new;

/* An endpoint as its organisation sees it: never its secret. */
struct webhook_endpoint_row {
    char id[32];
    char url[512];
    char events[1024]; /* ",a,b," or "*" */
    char scheme[16];   /* how deliveries are signed: "standard" or "partnerd" (the old one) */
    int64_t created_at;
};

/* One POST of a delivery and what came back. */
struct webhook_attempt_row {
    int64_t attempt;
    int64_t attempted_at;
    int64_t status_code; /* 0 when no answer came */
    char error[1200];    /* empty when has_error is false */
    bool has_error;
    int64_t duration_ms;
};

/* 0 and *count, the live endpoints of the organisation, which stays locked until the
 * transaction ends: two creations at once are counted one after the other (on PostgreSQL
 * both would count the other's endpoint missing, and pass the limit together). */
int webhook_endpoints_count_locked(struct db *db, const char *partner_id, int64_t *count);

/* A new endpoint with the secret that signs its deliveries, the Standard Webhooks way. */
int webhook_endpoint_insert(struct db *db, const struct webhook_endpoint_row *e,
                            const char *partner_id, const char *secret, const char *created_by);

/* A page of the organisation's live endpoints, newest first (store/page.h: up to
 * p->limit + 1 rows, after the cursor's row). *out malloc'd (owner: caller, free()). */
int webhook_endpoints_list(struct db *db, const char *partner_id, const struct page_request *p,
                           struct webhook_endpoint_row **out, int *count);

/* Replaces the secret of a live endpoint of the organisation; its deliveries are signed
 * the Standard Webhooks way from then on. 1 and *row (the endpoint) when it was, 0 when
 * none. */
int webhook_endpoint_rotate(struct db *db, const char *id, const char *partner_id,
                            const char *secret, struct webhook_endpoint_row *row);

/* An endpoint's stored secret (sealed, or in clear when written by a partnerd before
 * sealing), for sealing it (service/webhooks.c). */
struct webhook_secret_row {
    char id[32];
    char stored[256];
};

/* 1 when any endpoint's secret is sealed (with the key file), deleted ones too, else 0. */
int webhook_secrets_sealed_any(struct db *db);

/* Every endpoint's stored secret, deleted ones too (their rows keep it).
 * *out malloc'd (owner: caller, free() after secret_wipe()). */
int webhook_secrets_all(struct db *db, struct webhook_secret_row **out, int *count);

/* Replaces an endpoint's stored secret with next, only while it still is was (another
 * server may have sealed it meanwhile). 1 when replaced, 0 when not. */
int webhook_secret_replace(struct db *db, const char *id, const char *was, const char *next);

/* Stamps a live endpoint of the organisation deleted. 1 when it was, 0 when none. */
int webhook_endpoint_delete(struct db *db, const char *id, const char *partner_id, int64_t now);

/* 1 when the endpoint (live or deleted) belongs to the organisation, else 0. */
int webhook_endpoint_owned(struct db *db, const char *id, const char *partner_id);

/* Gives up what an endpoint was still owed (last_error "endpoint deleted"): the deliveries
 * waiting for a retry and those being sent, whose claim it takes away. */
int webhook_deliveries_give_up(struct db *db, const char *endpoint_id);

/* One delivery per (event, endpoint) for every live endpoint of partner_id that wants
 * event, in one statement that reads them itself (on PostgreSQL sent without waiting,
 * db_write): the delivery's id is the event's with the endpoint's number, as an email's
 * (store/outbox.h). */
int webhook_deliveries_fan_out(struct db *db, const char *outbox_id, const char *partner_id,
                               const char *event, int64_t now);

/* The same for up to OUTBOX_MANY events at once (store/outbox.h). */
int webhook_deliveries_fan_out_many(struct db *db, const struct outbox_new *rows, int n,
                                    int64_t now);

/* Its statement, for the query-plan checks (tests/unit/test_plans.c). Bound: now, now, then
 * each event's id, its deliveries' stem, its organisation and its name. */
extern const char webhook_deliveries_sql_many[];

/* The attempts of one delivery, in order. *out malloc'd (owner: caller, free()). */
int webhook_attempts_of(struct db *db, const char *delivery_id, struct webhook_attempt_row **out,
                        int *count);

/* Records the outcome of a claimed delivery: delivered, or retried at next_attempt_at, or
 * failed for good (next_attempt_at 0). Only while the claim is still ours. */
int webhook_delivery_done(struct db *db, const char *id, const char *claim, bool delivered,
                          const char *error, int64_t next_attempt_at, int64_t now);

/* Records one attempt; a second record of the same attempt is ignored. */
int webhook_attempt_insert(struct db *db, const char *delivery_id, int attempt, int64_t at,
                           int status_code, const char *error, int64_t duration_ms);

#endif
