/* test_stripe.c - what the Stripe adapter sends (form bodies, idempotency keys) and how it
 * reads Stripe's answers and events into outcomes: the table of answers Stripe gives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/crypto.h"
#include "core/form.h"
#include "gateway/stripe.h"

static void test_form_encoding(void **state)
{
    (void)state;
    struct buf b = {0};
    form_add_int(&b, "amount", 120000);
    form_add(&b, "currency", "eur");
    form_add(&b, "description", "Adhésion Gold & co = 1/2 ~ok");
    form_add(&b, "skipped", NULL);
    form_add_nested(&b, "metadata", "partnerd_key", "k 1+2");
    form_add(&b, "payment_method_types[]", "card");
    form_add_int(&b, "n", -5);
    assert_string_equal(b.data, "amount=120000&currency=eur"
                                "&description=Adh%C3%A9sion%20Gold%20%26%20co%20%3D%201%2F2%20~ok"
                                "&metadata[partnerd_key]=k%201%2B2"
                                "&payment_method_types%5B%5D=card&n=-5");
    buf_reset(&b);
    form_add_nested(&b, "a b", "c&d", "");
    assert_string_equal(b.data, "a%20b[c%26d]=");
    buf_free(&b);
}

static void test_idempotency_key(void **state)
{
    (void)state;
    char k[STRIPE_IDEM_BYTES];
    stripe_idempotency_key("charge", "ord_123:1", k, sizeof(k));
    assert_string_equal(k, "partnerd-charge-ord_123:1");
    char longkey[300];
    memset(longkey, 'x', sizeof(longkey) - 1);
    longkey[sizeof(longkey) - 1] = '\0';
    stripe_idempotency_key("refund", longkey, k, sizeof(k));
    assert_true(strncmp(k, "partnerd-refund-sha256-", 23) == 0);
    assert_int_equal(strlen(k), 23 + 64);
    char again[STRIPE_IDEM_BYTES];
    stripe_idempotency_key("refund", longkey, again, sizeof(again));
    assert_string_equal(k, again); /* a retry sends the same key */
}

struct answer_row {
    const char *name;
    int status;
    const char *body;
    enum stripe_outcome want;
    const char *id;
    const char *action_url;
    const char *code;
};

static const struct answer_row answers[] = {
    {"payment succeeded", 200,
     "{\"id\":\"pi_1\",\"object\":\"payment_intent\",\"status\":\"succeeded\","
     "\"payment_method\":\"pm_1\"}",
     STRIPE_SUCCEEDED, "pi_1", "", ""},
    {"3-D Secure asked on session", 200,
     "{\"id\":\"pi_2\",\"object\":\"payment_intent\",\"status\":\"requires_action\","
     "\"next_action\":{\"type\":\"redirect_to_url\",\"redirect_to_url\":{\"url\":"
     "\"https://hooks.stripe.com/3d_secure_2/x\",\"return_url\":\"https://p.example/back\"}}}",
     STRIPE_REQUIRES_ACTION, "pi_2", "https://hooks.stripe.com/3d_secure_2/x", ""},
    {"card declined", 402,
     "{\"error\":{\"type\":\"card_error\",\"code\":\"card_declined\",\"decline_code\":"
     "\"generic_decline\",\"payment_intent\":{\"id\":\"pi_3\",\"object\":\"payment_intent\","
     "\"status\":\"requires_payment_method\"}}}",
     STRIPE_DECLINED, "pi_3", "", "generic_decline"},
    {"insufficient funds", 402,
     "{\"error\":{\"type\":\"card_error\",\"code\":\"card_declined\",\"decline_code\":"
     "\"insufficient_funds\"}}",
     STRIPE_INSUFFICIENT_FUNDS, "", "", "insufficient_funds"},
    {"off session, the bank wants the payer", 402,
     "{\"error\":{\"type\":\"card_error\",\"code\":\"authentication_required\",\"decline_code\":"
     "\"authentication_required\",\"payment_intent\":{\"id\":\"pi_4\",\"object\":"
     "\"payment_intent\",\"status\":\"requires_payment_method\"}}}",
     STRIPE_REQUIRES_ACTION, "pi_4", "", "authentication_required"},
    {"expired card", 402, "{\"error\":{\"type\":\"card_error\",\"code\":\"expired_card\"}}",
     STRIPE_DECLINED, "", "", "expired_card"},
    {"intent after a failed attempt", 200,
     "{\"id\":\"pi_5\",\"object\":\"payment_intent\",\"status\":\"requires_payment_method\","
     "\"last_payment_error\":{\"type\":\"card_error\",\"code\":"
     "\"payment_intent_authentication_failure\"}}",
     STRIPE_DECLINED, "pi_5", "", "payment_intent_authentication_failure"},
    {"intent still processing", 200,
     "{\"id\":\"pi_6\",\"object\":\"payment_intent\",\"status\":\"processing\"}", STRIPE_UNKNOWN,
     "pi_6", "", "processing"},
    {"intent canceled", 200,
     "{\"id\":\"pi_7\",\"object\":\"payment_intent\",\"status\":\"canceled\"}", STRIPE_DECLINED,
     "pi_7", "", "canceled"},
    {"search: nothing with the key", 200,
     "{\"object\":\"search_result\",\"data\":[],\"has_more\":false}", STRIPE_NOT_FOUND, "", "", ""},
    {"search: the intent", 200,
     "{\"object\":\"search_result\",\"data\":[{\"id\":\"pi_8\",\"object\":\"payment_intent\","
     "\"status\":\"succeeded\"}]}",
     STRIPE_SUCCEEDED, "pi_8", "", ""},
    {"refund succeeded", 200, "{\"id\":\"re_1\",\"object\":\"refund\",\"status\":\"succeeded\"}",
     STRIPE_SUCCEEDED, "re_1", "", "succeeded"},
    {"refund pending", 200, "{\"id\":\"re_2\",\"object\":\"refund\",\"status\":\"pending\"}",
     STRIPE_SUCCEEDED, "re_2", "", "pending"},
    {"refund failed", 200, "{\"id\":\"re_3\",\"object\":\"refund\",\"status\":\"failed\"}",
     STRIPE_DECLINED, "re_3", "", "failed"},
    {"refund larger than what is left", 400,
     "{\"error\":{\"type\":\"invalid_request_error\",\"code\":\"amount_too_large\"}}",
     STRIPE_DECLINED, "", "", "amount_too_large"},
    {"refund of an intent that does not exist", 400,
     "{\"error\":{\"type\":\"invalid_request_error\",\"code\":\"resource_missing\","
     "\"param\":\"payment_intent\"}}",
     STRIPE_DECLINED, "", "", "resource_missing"},
    {"a parameter Stripe does not take", 400,
     "{\"error\":{\"type\":\"invalid_request_error\",\"param\":\"x\"}}", STRIPE_DECLINED, "", "",
     "invalid_request_error"},
    {"cancel of an intent paid first", 400,
     "{\"error\":{\"type\":\"invalid_request_error\",\"code\":"
     "\"payment_intent_unexpected_state\",\"payment_intent\":{\"id\":\"pi_9\",\"object\":"
     "\"payment_intent\",\"status\":\"succeeded\"}}}",
     STRIPE_SUCCEEDED, "pi_9", "", "payment_intent_unexpected_state"},
    {"intent canceled on request", 200,
     "{\"id\":\"pi_10\",\"object\":\"payment_intent\",\"status\":\"canceled\","
     "\"cancellation_reason\":\"abandoned\"}",
     STRIPE_DECLINED, "pi_10", "", "canceled"},
    {"no such intent", 404,
     "{\"error\":{\"type\":\"invalid_request_error\",\"code\":\"resource_missing\"}}",
     STRIPE_NOT_FOUND, "", "", "resource_missing"},
    {"rate limited", 429,
     "{\"error\":{\"type\":\"invalid_request_error\",\"code\":\"rate_limit\"}}", STRIPE_UNKNOWN, "",
     "", "rate_limit"},
    {"Stripe's 500", 500, "{\"error\":{\"type\":\"api_error\"}}", STRIPE_UNKNOWN, "", "",
     "api_error"},
    {"key reused with other parameters", 400, "{\"error\":{\"type\":\"idempotency_error\"}}",
     STRIPE_UNKNOWN, "", "", "idempotency_error"},
    {"bad secret key", 401, "{\"error\":{\"type\":\"invalid_request_error\"}}", STRIPE_UNKNOWN, "",
     "", "invalid_request_error"},
    {"no answer (timeout)", 0, NULL, STRIPE_UNKNOWN, "", "", "no_answer"},
    {"a proxy's HTML page", 502, "<html>Bad gateway</html>", STRIPE_UNKNOWN, "", "", "unreadable"},
    {"200 that is not an object", 200, "[1,2]", STRIPE_UNKNOWN, "", "", "unreadable"},
    {"200 of an unknown object", 200, "{\"object\":\"balance\"}", STRIPE_UNKNOWN, "", "", ""},
};

static void test_answers(void **state)
{
    (void)state;
    int failed = 0;
    for (size_t i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
        const struct answer_row *a = &answers[i];
        struct stripe_result r;
        stripe_read_answer(a->status, a->body, a->body ? strlen(a->body) : 0, &r);
        if (r.outcome != a->want || strcmp(r.id, a->id) != 0 ||
            strcmp(r.action_url, a->action_url) != 0 || strcmp(r.code, a->code) != 0 ||
            r.http_status != a->status) {
            print_error("%s: %s id=%s url=%s code=%s, want %s id=%s url=%s code=%s\n", a->name,
                        stripe_outcome_name(r.outcome), r.id, r.action_url, r.code,
                        stripe_outcome_name(a->want), a->id, a->action_url, a->code);
            failed++;
        }
    }
    assert_int_equal(failed, 0);
}

/* A cancelled intent is partnerd's own doing (an abandoned challenge, a renewal handed to the
 * partner), told apart from a bank's refusal: the order records partnerd's reason. */
static void test_cancelled_is_not_a_refusal(void **state)
{
    (void)state;
    struct stripe_result r;
    const char *canceled = "{\"id\":\"pi_7\",\"object\":\"payment_intent\",\"status\":"
                           "\"canceled\",\"cancellation_reason\":\"abandoned\"}";
    stripe_read_answer(200, canceled, strlen(canceled), &r);
    assert_int_equal(r.outcome, STRIPE_DECLINED);
    assert_true(r.canceled);
    const char *refused = "{\"id\":\"pi_5\",\"object\":\"payment_intent\",\"status\":"
                          "\"requires_payment_method\",\"last_payment_error\":{\"type\":"
                          "\"card_error\",\"code\":\"card_declined\"}}";
    stripe_read_answer(200, refused, strlen(refused), &r);
    assert_int_equal(r.outcome, STRIPE_DECLINED);
    assert_false(r.canceled);
}

/* Why an intent was cancelled, as Stripe says it (cancellation_reason), is how partnerd tells
 * its two cancellations apart, never the clock: abandoned (a challenge left too long),
 * requested_by_customer (a renewal's try handed over to the payer on session), anything
 * else or null (cancelled by hand in the Dashboard: a decline). */
struct cancel_row {
    const char *name;
    int status;
    const char *body;
    bool canceled;
    enum gw_cancel_reason want;
};

#define PI_CANCELED(reason)                                                                        \
    "{\"id\":\"pi_c\",\"object\":\"payment_intent\",\"status\":\"canceled\","                 \
    "\"cancellation_reason\":" reason "}"

static const struct cancel_row cancels[] = {
    {"abandoned", 200, PI_CANCELED("\"abandoned\""), true, GW_CANCEL_ABANDONED},
    {"requested_by_customer", 200, PI_CANCELED("\"requested_by_customer\""), true,
     GW_CANCEL_HANDED_OVER},
    {"null (the Dashboard)", 200, PI_CANCELED("null"), true, GW_CANCEL_NONE},
    {"absent", 200, "{\"id\":\"pi_c\",\"object\":\"payment_intent\",\"status\":\"canceled\"}",
     true, GW_CANCEL_NONE},
    {"duplicate", 200, PI_CANCELED("\"duplicate\""), true, GW_CANCEL_OTHER},
    {"fraudulent", 200, PI_CANCELED("\"fraudulent\""), true, GW_CANCEL_OTHER},
    {"automatic", 200, PI_CANCELED("\"automatic\""), true, GW_CANCEL_OTHER},
    {"not a string", 200, PI_CANCELED("7"), true, GW_CANCEL_NONE},
    {"cancel of an intent cancelled first (handed over)", 400,
     "{\"error\":{\"type\":\"invalid_request_error\",\"code\":"
     "\"payment_intent_unexpected_state\",\"payment_intent\":" PI_CANCELED(
         "\"requested_by_customer\"") "}}",
     true, GW_CANCEL_HANDED_OVER},
    {"a reason on an intent not cancelled", 200,
     "{\"id\":\"pi_c\",\"object\":\"payment_intent\",\"status\":\"succeeded\","
     "\"cancellation_reason\":\"abandoned\"}",
     false, GW_CANCEL_NONE},
};

static void test_cancellation_reason(void **state)
{
    (void)state;
    int failed = 0;
    for (size_t i = 0; i < sizeof(cancels) / sizeof(cancels[0]); i++) {
        const struct cancel_row *c = &cancels[i];
        struct stripe_result r;
        stripe_read_answer(c->status, c->body, strlen(c->body), &r);
        if (r.canceled != c->canceled || r.cancel_reason != c->want ||
            r.outcome != (c->canceled ? STRIPE_DECLINED : STRIPE_SUCCEEDED)) {
            print_error("%s: canceled=%d reason=%d outcome=%s, want canceled=%d reason=%d\n",
                        c->name, r.canceled, (int)r.cancel_reason,
                        stripe_outcome_name(r.outcome), c->canceled, (int)c->want);
            failed++;
        }
    }
    assert_int_equal(failed, 0);
}

struct event_row {
    const char *name;
    const char *body;
    enum stripe_event_status want;
    enum stripe_outcome outcome;
    const char *key;
};

#define EV(type, object)                                                                           \
    "{\"id\":\"evt_1\",\"object\":\"event\",\"type\":\"" type "\",\"data\":{\"object\":" object "}}"

static const struct event_row events[] = {
    {"payment succeeded",
     EV("payment_intent.succeeded", "{\"id\":\"pi_1\",\"object\":\"payment_intent\",\"status\":"
                                    "\"succeeded\",\"metadata\":{\"partnerd_key\":\"ord_1\"}}"),
     STRIPE_EVENT_SETTLES, STRIPE_SUCCEEDED, "ord_1"},
    {"payment failed after a refused challenge",
     EV("payment_intent.payment_failed",
        "{\"id\":\"pi_2\",\"object\":\"payment_intent\",\"status\":\"requires_payment_method\","
        "\"last_payment_error\":{\"type\":\"card_error\",\"code\":"
        "\"payment_intent_authentication_failure\"},\"metadata\":{\"partnerd_key\":\"ord_2\"}}"),
     STRIPE_EVENT_SETTLES, STRIPE_DECLINED, "ord_2"},
    {"payment failed for lack of funds",
     EV("payment_intent.payment_failed",
        "{\"id\":\"pi_3\",\"object\":\"payment_intent\",\"status\":\"requires_payment_method\","
        "\"last_payment_error\":{\"type\":\"card_error\",\"code\":\"card_declined\","
        "\"decline_code\":\"insufficient_funds\"},\"metadata\":{\"partnerd_key\":\"ord_3\"}}"),
     STRIPE_EVENT_SETTLES, STRIPE_INSUFFICIENT_FUNDS, "ord_3"},
    {"payment failed, no error in it",
     EV("payment_intent.payment_failed",
        "{\"id\":\"pi_3\",\"object\":\"payment_intent\",\"status\":\"requires_payment_method\"}"),
     STRIPE_EVENT_SETTLES, STRIPE_DECLINED, ""},
    {"requires action",
     EV("payment_intent.requires_action",
        "{\"id\":\"pi_4\",\"object\":\"payment_intent\",\"status\":\"requires_action\","
        "\"next_action\":{\"redirect_to_url\":{\"url\":\"https://hooks.stripe.com/a\"}},"
        "\"metadata\":{\"partnerd_key\":\"ord_4\"}}"),
     STRIPE_EVENT_SETTLES, STRIPE_REQUIRES_ACTION, "ord_4"},
    {"card saved",
     EV("setup_intent.succeeded",
        "{\"id\":\"seti_1\",\"object\":\"setup_intent\",\"status\":\"succeeded\","
        "\"metadata\":{\"partnerd_key\":\"pm_save_1\"}}"),
     STRIPE_EVENT_SETTLES, STRIPE_SUCCEEDED, "pm_save_1"},
    {"processing: nothing to do yet",
     EV("payment_intent.processing",
        "{\"id\":\"pi_5\",\"object\":\"payment_intent\",\"status\":\"processing\"}"),
     STRIPE_EVENT_IGNORED, STRIPE_UNKNOWN, ""},
    {"another event type", EV("customer.created", "{\"id\":\"cus_1\",\"object\":\"customer\"}"),
     STRIPE_EVENT_IGNORED, STRIPE_UNKNOWN, ""},
    {"not an event", "{\"id\":\"pi_1\",\"object\":\"payment_intent\"}", STRIPE_EVENT_MALFORMED,
     STRIPE_UNKNOWN, ""},
    {"no data.object", "{\"id\":\"evt_1\",\"object\":\"event\",\"type\":\"x\"}",
     STRIPE_EVENT_MALFORMED, STRIPE_UNKNOWN, ""},
    {"not JSON", "t=1", STRIPE_EVENT_MALFORMED, STRIPE_UNKNOWN, ""},
    {"duplicate keys", "{\"id\":\"evt_1\",\"id\":\"evt_2\",\"object\":\"event\"}",
     STRIPE_EVENT_MALFORMED, STRIPE_UNKNOWN, ""},
};

static void test_events(void **state)
{
    (void)state;
    int failed = 0;
    for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
        const struct event_row *e = &events[i];
        struct stripe_event ev;
        enum stripe_event_status got = stripe_read_event(e->body, strlen(e->body), &ev);
        if (got != e->want || ev.outcome != e->outcome || strcmp(ev.key, e->key) != 0) {
            print_error("%s: status %d outcome %s key %s, want %d %s %s\n", e->name, (int)got,
                        stripe_outcome_name(ev.outcome), ev.key, (int)e->want,
                        stripe_outcome_name(e->outcome), e->key);
            failed++;
        }
    }
    assert_int_equal(failed, 0);
}

/* The outcomes keep gw_outcome's order, so the lead's mapping is a cast plus one value. */
static void test_outcomes_follow_gateway(void **state)
{
    (void)state;
    assert_int_equal((int)STRIPE_SUCCEEDED, (int)GW_SUCCEEDED);
    assert_int_equal((int)STRIPE_DECLINED, (int)GW_DECLINED);
    assert_int_equal((int)STRIPE_INSUFFICIENT_FUNDS, (int)GW_INSUFFICIENT_FUNDS);
    assert_int_equal((int)STRIPE_UNKNOWN, (int)GW_UNKNOWN);
    assert_int_equal((int)STRIPE_NOT_FOUND, (int)GW_NOT_FOUND);
    assert_string_equal(stripe_outcome_name(STRIPE_REQUIRES_ACTION), "requires_action");
}

int main(void)
{
    if (crypto_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_form_encoding),
        cmocka_unit_test(test_idempotency_key),
        cmocka_unit_test(test_answers),
        cmocka_unit_test(test_cancelled_is_not_a_refusal),
        cmocka_unit_test(test_cancellation_reason),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_outcomes_follow_gateway),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
