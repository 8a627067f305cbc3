/*
 * stripe_sig.h - the signature Stripe puts on a webhook event, checked as a pure function.
 *
 * Stripe signs each event it POSTs with the endpoint's secret (whsec_...): the header
 *   Stripe-Signature: t=1492774577,v1=5257a869...,v1=...,v0=...
 * carries the time of signing and one or more v1 signatures, each the lowercase hex of
 * HMAC-SHA256(secret, "<t>.<raw body>"). Several v1 appear while a secret is being rolled;
 * one match is enough. Other schemes (v0, test-mode ones) are ignored. An event signed more
 * than the tolerance away from now (300 s, Stripe's default) is refused, so a captured
 * event cannot be replayed later.
 */
#ifndef PD_STRIPE_SIG_H
#define PD_STRIPE_SIG_H

#include <stddef.h>

/* Stripe's default tolerance, in seconds. */
#define STRIPE_SIG_TOLERANCE_S 300

enum stripe_sig_result {
    STRIPE_SIG_OK,
    STRIPE_SIG_MALFORMED, /* no header, no t=, a t= that is not a number, no v1= */
    STRIPE_SIG_NO_MATCH,  /* no v1 is the HMAC of this body under this secret */
    STRIPE_SIG_TOO_OLD,   /* signed more than tolerance_s away from now (either way) */
};

/* Checks header against the len bytes of payload (the raw body, as received) signed with
 * secret at a time within tolerance_s of now (unix seconds). A body holding a NUL byte is
 * MALFORMED (Stripe sends JSON). */
enum stripe_sig_result stripe_sig_verify(const char *header, const char *payload, size_t len,
                                         const char *secret, long long now, long tolerance_s);

/* Writes the header Stripe would send for payload signed at t ("t=<t>,v1=<hex>") into out
 * (at least STRIPE_SIG_HEADER_BYTES). For tests and test tools. */
#define STRIPE_SIG_HEADER_BYTES 96
void stripe_sig_sign(const char *secret, long long t, const char *payload, char *out, size_t n);

/* "ok", "malformed", "no_match", "too_old". */
const char *stripe_sig_result_name(enum stripe_sig_result r);

#endif
