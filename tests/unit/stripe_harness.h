/*
 * stripe_harness.h - for test_stripe_adapter: the Stripe stand-in started with node, a
 * webhook receiver on loopback that keeps every delivery, and the stand-in's test controls
 * (/_test/...: failures on demand, its ledger of charges and refunds, the requests it saw).
 * Every function fails the running cmocka test when the stand-in does not answer.
 */
#ifndef PD_STRIPE_HARNESS_H
#define PD_STRIPE_HARNESS_H

#include <jansson.h>

#include "core/buf.h"
#include "gateway/stripe.h"

/* http://127.0.0.1:<port> of the stand-in, once started. */
extern char standin_url[64];

/* Starts the stand-in with this secret key and webhook secret (its stderr: child_stderr)
 * and the receiver its events are sent to. */
void standin_start(const char *secret_key, const char *webhook_secret, int child_stderr);
void standin_stop(void);

/* The settling events (not requires_action) received for partnerd's key, each verified by
 * stripe_webhook(); the last one in *last, the first one's id in first_id (may be NULL). */
int standin_events_for(const char *key, struct stripe_event *last, char first_id[64]);

/* method url [body of the given type]: the status; the answer in *out when given, the
 * Location of a redirect in location when given. */
long standin_http(const char *method, const char *url, const char *body, const char *type,
                  struct buf *out, char *location, size_t location_n);

/* POSTs json to a control path (must answer 200); GETs one as JSON. */
void standin_control(const char *path, const char *json);
json_t *standin_get(const char *path);

/* Charges that really happened for partnerd's key; /v1 requests sent with an
 * Idempotency-Key (each checked to pin STRIPE_API_VERSION); the amount refunded of an
 * intent. */
int standin_charges_for(const char *key);
int standin_requests_with(const char *idem);
int standin_refunds_of(const char *pi);

#endif
