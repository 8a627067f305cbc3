/*
 * gateway/stripe_json.c - Stripe's answers and events read into outcomes (see stripe.h).
 *
 * Pure: no I/O, no keys. Anything unexpected reads as UNKNOWN (an answer that cannot be
 * understood does not prove that nothing was charged), except a well-formed "no such
 * object", which is NOT_FOUND.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/crypto.h"
#include "gateway/stripe.h"

const char *stripe_outcome_name(enum stripe_outcome o)
{
    static const char *const names[] = {"succeeded", "declined",  "insufficient_funds",
                                        "unknown",   "not_found", "requires_action"};
    return (unsigned)o <= STRIPE_REQUIRES_ACTION ? names[o] : "unknown";
}

void stripe_idempotency_key(const char *op, const char *key, char *out, size_t n)
{
    int w = snprintf(out, n, "partnerd-%s-%s", op, key);
    if (w < 0 || (size_t)w >= n || w > 255) {
        char hex[65];
        sha256_hex(key, hex);
        snprintf(out, n, "partnerd-%s-sha256-%s", op, hex);
    }
}

static void copy(char *dst, size_t n, const json_t *v)
{
    const char *s = json_string_value(v);
    snprintf(dst, n, "%s", s ? s : "");
}

static const char *str_at(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* A card error (402, or an intent's last_payment_error) into an outcome. */
static enum stripe_outcome card_error_outcome(const json_t *e)
{
    const char *code = str_at(e, "code"), *decline = str_at(e, "decline_code");
    if (strcmp(code, "authentication_required") == 0 ||
        strcmp(decline, "authentication_required") == 0)
        return STRIPE_REQUIRES_ACTION;
    if (strcmp(code, "insufficient_funds") == 0 || strcmp(decline, "insufficient_funds") == 0)
        return STRIPE_INSUFFICIENT_FUNDS;
    return STRIPE_DECLINED;
}

static void error_code(const json_t *e, struct stripe_result *out)
{
    const char *decline = str_at(e, "decline_code");
    snprintf(out->code, sizeof(out->code), "%s", *decline ? decline : str_at(e, "code"));
}

/* A cancelled intent's cancellation_reason: partnerd's two (abandoned, requested_by_customer),
 * none (null: cancelled by hand in the Dashboard), or another one. */
static enum gw_cancel_reason cancel_reason_of(const json_t *v)
{
    const char *r = json_string_value(v);
    if (r == NULL || *r == '\0')
        return GW_CANCEL_NONE;
    if (strcmp(r, "abandoned") == 0)
        return GW_CANCEL_ABANDONED;
    if (strcmp(r, "requested_by_customer") == 0)
        return GW_CANCEL_HANDED_OVER;
    return GW_CANCEL_OTHER;
}

/* A PaymentIntent or SetupIntent object. */
static void read_intent(const json_t *pi, struct stripe_result *out)
{
    copy(out->id, sizeof(out->id), json_object_get(pi, "id"));
    const json_t *pm = json_object_get(pi, "payment_method");
    copy(out->payment_method, sizeof(out->payment_method),
         json_is_object(pm) ? json_object_get(pm, "id") : pm);
    const char *status = str_at(pi, "status");
    const json_t *last = json_object_get(pi, "last_payment_error");
    if (!json_is_object(last))
        last = json_object_get(pi, "last_setup_error");
    if (strcmp(status, "succeeded") == 0) {
        out->outcome = STRIPE_SUCCEEDED;
    } else if (strcmp(status, "requires_action") == 0) {
        const json_t *next = json_object_get(pi, "next_action");
        const char *url = str_at(json_object_get(next, "redirect_to_url"), "url");
        if (*url == '\0') /* Stripe.js's own 3-D Secure flow: the same URL, another name */
            url = str_at(json_object_get(next, "use_stripe_sdk"), "stripe_js");
        snprintf(out->action_url, sizeof(out->action_url), "%s", url);
        out->outcome = STRIPE_REQUIRES_ACTION;
    } else if (strcmp(status, "canceled") == 0) {
        out->outcome = STRIPE_DECLINED;
        out->canceled = true;
        out->cancel_reason = cancel_reason_of(json_object_get(pi, "cancellation_reason"));
        snprintf(out->code, sizeof(out->code), "canceled");
    } else if (strcmp(status, "requires_payment_method") == 0 && json_is_object(last)) {
        /* an attempt failed: declined, or an off-session charge the bank wants to see
         * authenticated (the payer must come back on session) */
        out->outcome = card_error_outcome(last);
        error_code(last, out);
    } else {
        /* processing, requires_confirmation, requires_capture, requires_payment_method
         * before any attempt: not settled */
        out->outcome = STRIPE_UNKNOWN;
        snprintf(out->code, sizeof(out->code), "%s", status);
    }
}

static void read_refund(const json_t *re, struct stripe_result *out)
{
    copy(out->id, sizeof(out->id), json_object_get(re, "id"));
    const char *status = str_at(re, "status");
    if (strcmp(status, "succeeded") == 0 || strcmp(status, "pending") == 0)
        out->outcome = STRIPE_SUCCEEDED;
    else if (strcmp(status, "failed") == 0 || strcmp(status, "canceled") == 0)
        out->outcome = STRIPE_DECLINED;
    else
        out->outcome = STRIPE_UNKNOWN;
    snprintf(out->code, sizeof(out->code), "%s", status);
}

static void read_object(const json_t *o, struct stripe_result *out)
{
    const char *object = str_at(o, "object");
    if (strcmp(object, "payment_intent") == 0 || strcmp(object, "setup_intent") == 0) {
        read_intent(o, out);
    } else if (strcmp(object, "refund") == 0) {
        read_refund(o, out);
    } else if (strcmp(object, "search_result") == 0 || strcmp(object, "list") == 0) {
        const json_t *data = json_object_get(o, "data");
        if (!json_is_array(data)) {
            out->outcome = STRIPE_UNKNOWN;
        } else if (json_array_size(data) == 0) {
            out->outcome = STRIPE_NOT_FOUND;
        } else {
            /* one intent per key; should there be more, a succeeded one is the answer */
            size_t i;
            const json_t *v;
            json_array_foreach(data, i, v)
            {
                memset(out, 0, sizeof(*out));
                read_object(v, out);
                if (out->outcome == STRIPE_SUCCEEDED)
                    break;
            }
        }
    } else if (strcmp(object, "customer") == 0 || strcmp(object, "payment_method") == 0) {
        copy(out->id, sizeof(out->id), json_object_get(o, "id"));
        out->outcome = *out->id ? STRIPE_SUCCEEDED : STRIPE_UNKNOWN;
    } else {
        out->outcome = STRIPE_UNKNOWN;
    }
}

void stripe_read_answer(int http_status, const char *body, size_t len, struct stripe_result *out)
{
    memset(out, 0, sizeof(*out));
    out->http_status = http_status;
    out->outcome = STRIPE_UNKNOWN;
    json_t *root = body ? json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL) : NULL;
    if (!json_is_object(root)) {
        json_decref(root);
        snprintf(out->code, sizeof(out->code), "%s", http_status ? "unreadable" : "no_answer");
        return;
    }
    if (http_status >= 200 && http_status < 300) {
        read_object(root, out);
        out->http_status = http_status;
        json_decref(root);
        return;
    }
    const json_t *e = json_object_get(root, "error");
    error_code(e, out);
    const char *type = str_at(e, "type");
    const json_t *pi = json_object_get(e, "payment_intent");
    if (!json_is_object(pi))
        pi = json_object_get(e, "setup_intent");
    if (http_status == 402 && strcmp(type, "card_error") == 0) {
        out->outcome = card_error_outcome(e);
        if (json_is_object(pi)) {
            copy(out->id, sizeof(out->id), json_object_get(pi, "id"));
            if (out->outcome == STRIPE_REQUIRES_ACTION) { /* on session, a URL may be given */
                const char *url = str_at(
                    json_object_get(json_object_get(pi, "next_action"), "redirect_to_url"), "url");
                snprintf(out->action_url, sizeof(out->action_url), "%s", url);
            }
        }
    } else if (json_is_object(pi) &&
               strcmp(str_at(e, "code"), "payment_intent_unexpected_state") == 0) {
        /* cancel or confirm of an intent already settled: its state is the answer */
        read_intent(pi, out);
        error_code(e, out);
    } else if (http_status == 404 && strcmp(str_at(e, "code"), "resource_missing") == 0) {
        out->outcome = STRIPE_NOT_FOUND;
    } else if (http_status == 400 && strcmp(type, "invalid_request_error") == 0) {
        /* refused as asked, nothing done (not saved for replay either): a refund larger
         * than what is left, of an intent with no charge, a parameter naming no object */
        out->outcome = STRIPE_DECLINED;
    } else {
        /* 400 idempotency_error (the key was used with other parameters: an intent
         * exists), 401, 409, 429, 5xx: what happened is not known from this answer */
        out->outcome = STRIPE_UNKNOWN;
    }
    if (out->code[0] == '\0')
        snprintf(out->code, sizeof(out->code), "%s", *type ? type : "http_error");
    out->http_status = http_status;
    json_decref(root);
}

enum stripe_event_status stripe_read_event(const char *body, size_t len, struct stripe_event *out)
{
    memset(out, 0, sizeof(*out));
    out->outcome = STRIPE_UNKNOWN;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(root) || strcmp(str_at(root, "object"), "event") != 0) {
        json_decref(root);
        return STRIPE_EVENT_MALFORMED;
    }
    copy(out->id, sizeof(out->id), json_object_get(root, "id"));
    copy(out->type, sizeof(out->type), json_object_get(root, "type"));
    const json_t *o = json_object_get(json_object_get(root, "data"), "object");
    if (out->id[0] == '\0' || out->type[0] == '\0' || !json_is_object(o)) {
        json_decref(root);
        return STRIPE_EVENT_MALFORMED;
    }
    copy(out->object_id, sizeof(out->object_id), json_object_get(o, "id"));
    copy(out->key, sizeof(out->key),
         json_object_get(json_object_get(o, "metadata"), "partnerd_key"));
    static const struct {
        const char *type;
        int settles;
    } types[] = {
        {"payment_intent.succeeded", 1},       {"payment_intent.payment_failed", 1},
        {"payment_intent.requires_action", 1}, {"payment_intent.canceled", 1},
        {"setup_intent.succeeded", 1},         {"setup_intent.setup_failed", 1},
        {"setup_intent.requires_action", 1},   {"setup_intent.canceled", 1},
    };
    int settles = 0;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(out->type, types[i].type) == 0)
            settles = types[i].settles;
    if (!settles || out->object_id[0] == '\0') {
        json_decref(root);
        return STRIPE_EVENT_IGNORED;
    }
    struct stripe_result r;
    memset(&r, 0, sizeof(r));
    read_intent(o, &r);
    if (strstr(out->type, "failed") && r.outcome == STRIPE_UNKNOWN)
        r.outcome = STRIPE_DECLINED; /* a failure event without its error still failed */
    out->outcome = r.outcome;
    memcpy(out->action_url, r.action_url, sizeof(out->action_url));
    json_decref(root);
    return out->outcome == STRIPE_UNKNOWN ? STRIPE_EVENT_IGNORED : STRIPE_EVENT_SETTLES;
}
