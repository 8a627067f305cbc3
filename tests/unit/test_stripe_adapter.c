/* test_stripe_adapter.c - the Stripe adapter driven for real against the local stand-in
 * (tests/stripe/standin.mjs, started here with node): payments that succeed, are declined,
 * ask for 3-D Secure (passed and refused, the signed event arriving before the payer is
 * back, and twice), a saved card charged off session, 429 then success, a 500 or a timeout
 * then a lookup, refunds and replays; the stand-in's ledger counts the charges that really
 * happened. The adapter's log lines are captured and must not hold either key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/crypto.h"
#include "core/stripe_sig.h"
#include "gateway/stripe.h"
#include "stripe_harness.h"

#define SECRET_KEY "sk_test_adapterSecret4242"
#define WEBHOOK_SECRET "whsec_adapterWebhook4242"

static char log_path[64] = "/tmp/pd-stripe-log-XXXXXX";
static char key_path[64] = "/tmp/pd-stripe-key-XXXXXX";
static int saved_stderr = -1;

static int setup(void **state)
{
    (void)state;
    /* the adapter's log lines go to a file, read by test_no_key_in_log */
    saved_stderr = dup(2);
    int lf = mkstemp(log_path);
    assert_true(lf >= 0);
    dup2(lf, 2);
    close(lf);
    standin_start(SECRET_KEY, WEBHOOK_SECRET, saved_stderr);

    /* the secret key from a file (0600), the webhook secret from the environment */
    int kf = mkstemp(key_path);
    assert_true(kf >= 0);
    fchmod(kf, 0600);
    assert_int_equal(write(kf, SECRET_KEY "\n", sizeof(SECRET_KEY)), (ssize_t)sizeof(SECRET_KEY));
    close(kf);
    setenv("PARTNERD_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET, 1);
    struct stripe_options o = {
        .api_base = standin_url, .secret_key_file = key_path, .timeout_ms = 1500, .backoff_ms = 20};
    struct pd_error err = {0};
    assert_int_equal(stripe_open(&o, &err), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    stripe_close();
    standin_stop();
    unlink(key_path);
    /* cmocka's failure messages went to the captured stderr too: show it all back */
    FILE *f = fopen(log_path, "r");
    char line[1024];
    while (f && fgets(line, sizeof(line), f))
        (void)!write(saved_stderr, line, strlen(line));
    if (f)
        fclose(f);
    unlink(log_path);
    return 0;
}

/* A fresh partnerd key per test, as partnerd makes one per payment. */
static void new_key(const char *what, char out[64])
{
    char r[9];
    random_hex(4, r);
    snprintf(out, 64, "ord_%s_%s", what, r);
}

static void customer(char cus[48])
{
    char k[64];
    struct stripe_result r;
    new_key("cus", k);
    assert_int_equal(stripe_customer("achats@exemple.fr", "Exemple SAS", k, cus, &r), 0);
    assert_true(strncmp(cus, "cus_", 4) == 0);
    char again[48];
    assert_int_equal(stripe_customer("achats@exemple.fr", "Exemple SAS", k, again, &r), 0);
    assert_string_equal(cus, again); /* the same key, the same customer */
}

static struct stripe_result on_session(const char *pm, const char *cus, const char *key)
{
    struct stripe_charge c = {.payment_method = pm,
                              .customer = cus,
                              .amount = 120000,
                              .currency = "EUR",
                              .key = key,
                              .save = cus != NULL,
                              .return_url = "https://partners.example/portal/return"};
    struct stripe_result r;
    assert_int_equal(stripe_charge(&c, &r), 0);
    return r;
}

static struct stripe_result off_session(const char *pm, const char *cus, const char *key)
{
    struct stripe_charge c = {.payment_method = pm,
                              .customer = cus,
                              .amount = 120000,
                              .currency = "eur",
                              .key = key,
                              .off_session = true};
    struct stripe_result r;
    assert_int_equal(stripe_charge(&c, &r), 0);
    return r;
}

/* The payer answers the challenge page; the stand-in sends its event, then redirects. */
static void answer_challenge(const char *action_url, const char *result)
{
    char location[600], body[32];
    struct buf page = {0};
    assert_int_equal(standin_http("GET", action_url, NULL, NULL, &page, NULL, 0), 200);
    assert_non_null(strstr(page.data, "Complete"));
    buf_free(&page);
    snprintf(body, sizeof(body), "result=%s", result);
    assert_int_equal(standin_http("POST", action_url, body, "application/x-www-form-urlencoded",
                                  NULL, location, sizeof(location)),
                     303);
    assert_true(strncmp(location, "https://partners.example/portal/return?", 39) == 0);
}

/* ---- the tests ---- */

static void test_success_and_replay(void **state)
{
    (void)state;
    char key[64], idem[STRIPE_IDEM_BYTES];
    new_key("ok", key);
    struct stripe_result r = on_session("pm_card_visa", NULL, key);
    assert_int_equal(r.outcome, STRIPE_SUCCEEDED);
    assert_true(strncmp(r.id, "pi_", 3) == 0);
    assert_int_equal(standin_charges_for(key), 1);

    struct stripe_result again = on_session("pm_card_visa", NULL, key);
    assert_int_equal(again.outcome, STRIPE_SUCCEEDED);
    assert_string_equal(again.id, r.id); /* Stripe's replay of the first answer */
    assert_int_equal(standin_charges_for(key), 1);
    stripe_idempotency_key("charge", key, idem, sizeof(idem));
    assert_int_equal(standin_requests_with(idem), 2);

    struct stripe_result looked;
    assert_int_equal(stripe_lookup(key, &looked), 0);
    assert_int_equal(looked.outcome, STRIPE_SUCCEEDED);
    assert_string_equal(looked.id, r.id);
    char other[64];
    new_key("never", other);
    assert_int_equal(stripe_lookup(other, &looked), 0);
    assert_int_equal(looked.outcome, STRIPE_NOT_FOUND);
}

static int standin_connections(void)
{
    json_t *load = standin_get("/_test/load");
    int n = (int)json_integer_value(json_object_get(load, "connections"));
    json_decref(load);
    return n;
}

/* Requests one after another go over one connection, kept open between them: a new one
 * costs TCP and TLS to Stripe, two round trips more for each request. */
static void test_connection_kept(void **state)
{
    (void)state;
    int before = standin_connections();
    char cus[48], key[64];
    customer(cus); /* two requests */
    for (int i = 0; i < 3; i++) {
        new_key("kept", key);
        assert_int_equal(on_session("pm_card_visa", NULL, key).outcome, STRIPE_SUCCEEDED);
    }
    struct stripe_result looked;
    assert_int_equal(stripe_lookup(key, &looked), 0);
    assert_int_equal(looked.outcome, STRIPE_SUCCEEDED);
    /* six requests: at most one new connection (the kept one may have been closed by the
     * stand-in while idle, after an earlier test) */
    assert_in_range(standin_connections() - before, 0, 1);
}

static void test_declined(void **state)
{
    (void)state;
    char key[64];
    new_key("declined", key);
    struct stripe_result r = on_session("pm_card_chargeDeclined", NULL, key);
    assert_int_equal(r.outcome, STRIPE_DECLINED);
    assert_int_equal(r.http_status, 402);
    new_key("funds", key);
    r = on_session("pm_card_chargeDeclinedInsufficientFunds", NULL, key);
    assert_int_equal(r.outcome, STRIPE_INSUFFICIENT_FUNDS);
    assert_int_equal(standin_charges_for(key), 0);
}

static void test_challenge_passed_event_first_and_twice(void **state)
{
    (void)state;
    standin_control("/_test/config", "{\"duplicate_events\":true}");
    char key[64], cus[48];
    customer(cus);
    new_key("3ds", key);
    struct stripe_result r = on_session("pm_card_authenticationRequired", cus, key);
    assert_int_equal(r.outcome, STRIPE_REQUIRES_ACTION);
    assert_true(strncmp(r.action_url, standin_url, strlen(standin_url)) == 0);
    assert_int_equal(standin_charges_for(key), 0);

    answer_challenge(r.action_url, "complete");
    /* by the time the payer is back, the event came, twice, with one id */
    struct stripe_event ev;
    char first[64] = "";
    assert_int_equal(standin_events_for(key, &ev, first), 2);
    assert_string_equal(ev.id, first);
    assert_int_equal(ev.outcome, STRIPE_SUCCEEDED);
    assert_string_equal(ev.object_id, r.id);
    struct stripe_result back;
    assert_int_equal(stripe_intent(r.id, &back), 0);
    assert_int_equal(back.outcome, STRIPE_SUCCEEDED);
    assert_int_equal(standin_charges_for(key), 1);
    standin_control("/_test/config", "{\"duplicate_events\":false}");
}

static void test_challenge_refused(void **state)
{
    (void)state;
    char key[64];
    new_key("3ds_no", key);
    struct stripe_result r = on_session("pm_card_authenticationRequired", NULL, key);
    assert_int_equal(r.outcome, STRIPE_REQUIRES_ACTION);
    answer_challenge(r.action_url, "fail");
    struct stripe_event ev;
    assert_int_equal(standin_events_for(key, &ev, NULL), 1);
    assert_int_equal(ev.outcome, STRIPE_DECLINED);
    struct stripe_result back;
    assert_int_equal(stripe_intent(r.id, &back), 0);
    assert_int_equal(back.outcome, STRIPE_DECLINED);
    assert_int_equal(standin_charges_for(key), 0);
}

static void test_saved_card_off_session(void **state)
{
    (void)state;
    char cus[48], key[64];
    customer(cus);
    /* a card that asks once, at setup: saved with a SetupIntent and its challenge */
    struct stripe_result s;
    new_key("setup", key);
    assert_int_equal(stripe_setup(cus, "pm_card_authenticationRequiredOnSetup",
                                  "https://partners.example/portal/return", key, &s),
                     0);
    assert_int_equal(s.outcome, STRIPE_REQUIRES_ACTION);
    assert_true(strncmp(s.id, "seti_", 5) == 0);
    answer_challenge(s.action_url, "complete");
    assert_int_equal(stripe_intent(s.id, &s), 0);
    assert_int_equal(s.outcome, STRIPE_SUCCEEDED);
    char pm[48];
    snprintf(pm, sizeof(pm), "%s", s.payment_method);
    assert_true(strncmp(pm, "pm_", 3) == 0);
    struct gw_token t;
    struct stripe_result pr;
    assert_int_equal(stripe_payment_method(pm, &t, &pr), 0);
    assert_string_equal(t.last4, "3155");
    assert_string_equal(t.brand, "visa");
    assert_true(t.exp_year > 2025);

    /* the renewal: merchant-initiated, no payer there */
    new_key("renewal", key);
    struct stripe_result r = off_session(pm, cus, key);
    assert_int_equal(r.outcome, STRIPE_SUCCEEDED);
    assert_int_equal(standin_charges_for(key), 1);

    /* a card whose bank always asks: the renewal needs the payer back on session */
    new_key("setup2", key);
    assert_int_equal(stripe_setup(cus, "pm_card_authenticationRequired",
                                  "https://partners.example/portal/return", key, &s),
                     0);
    answer_challenge(s.action_url, "complete");
    assert_int_equal(stripe_intent(s.id, &s), 0);
    snprintf(pm, sizeof(pm), "%s", s.payment_method);
    new_key("renewal_sca", key);
    r = off_session(pm, cus, key);
    assert_int_equal(r.outcome, STRIPE_REQUIRES_ACTION);
    assert_string_equal(r.action_url, ""); /* no challenge off session: come back on it */
    assert_string_equal(r.code, "authentication_required");
    assert_int_equal(standin_charges_for(key), 0);

    /* the partner follows the emailed link: the same intent confirmed on session */
    char try_key[64];
    new_key("renewal_sca_try", try_key);
    struct stripe_result c;
    assert_int_equal(
        stripe_confirm(r.id, pm, "https://partners.example/portal/return", try_key, &c), 0);
    assert_int_equal(c.outcome, STRIPE_REQUIRES_ACTION);
    assert_string_equal(c.id, r.id);
    answer_challenge(c.action_url, "complete");
    assert_int_equal(stripe_intent(r.id, &c), 0);
    assert_int_equal(c.outcome, STRIPE_SUCCEEDED);
    assert_int_equal(standin_charges_for(key), 1);
}

static void test_abandoned_challenge_cancelled(void **state)
{
    (void)state;
    char key[64];
    new_key("abandoned", key);
    struct stripe_result r = on_session("pm_card_authenticationRequired", NULL, key);
    assert_int_equal(r.outcome, STRIPE_REQUIRES_ACTION);
    struct stripe_result c;
    assert_int_equal(stripe_cancel(r.id, GW_CANCEL_ABANDONED, &c), 0);
    assert_int_equal(c.outcome, STRIPE_DECLINED);
    assert_int_equal(c.cancel_reason, GW_CANCEL_ABANDONED);
    /* read back later (a lookup by key): Stripe kept why */
    assert_int_equal(stripe_lookup(key, &c), 0);
    assert_true(c.canceled);
    assert_int_equal(c.cancel_reason, GW_CANCEL_ABANDONED);
    /* the payer comes back late: there is no challenge to answer any more */
    assert_int_equal(standin_http("GET", r.action_url, NULL, NULL, NULL, NULL, 0), 404);
    assert_int_equal(standin_http("POST", r.action_url, "result=complete",
                                  "application/x-www-form-urlencoded", NULL, NULL, 0),
                     404);
    assert_int_equal(standin_charges_for(key), 0);

    /* a cancel that comes after the payment: the payment stands */
    new_key("paid_first", key);
    r = on_session("pm_card_visa", NULL, key);
    assert_int_equal(stripe_cancel(r.id, GW_CANCEL_ABANDONED, &c), 0);
    assert_int_equal(c.outcome, STRIPE_SUCCEEDED);
    assert_int_equal(standin_charges_for(key), 1);

    /* a renewal's try handed over to the payer on session: Stripe is told, and says it back */
    new_key("handed_over", key);
    r = on_session("pm_card_authenticationRequired", NULL, key);
    assert_int_equal(r.outcome, STRIPE_REQUIRES_ACTION);
    assert_int_equal(stripe_cancel(r.id, GW_CANCEL_HANDED_OVER, &c), 0);
    assert_int_equal(c.outcome, STRIPE_DECLINED);
    assert_int_equal(c.cancel_reason, GW_CANCEL_HANDED_OVER);
    assert_int_equal(stripe_intent(r.id, &c), 0);
    assert_int_equal(c.cancel_reason, GW_CANCEL_HANDED_OVER);
    assert_int_equal(standin_charges_for(key), 0);
}

static void test_rate_limited_then_success(void **state)
{
    (void)state;
    char key[64], idem[STRIPE_IDEM_BYTES];
    new_key("429", key);
    standin_control("/_test/fail",
                    "{\"mode\":\"429\",\"count\":2,\"path\":\"/v1/payment_intents\"}");
    struct stripe_result r = on_session("pm_card_visa", NULL, key);
    assert_int_equal(r.outcome, STRIPE_SUCCEEDED);
    assert_int_equal(standin_charges_for(key), 1);
    stripe_idempotency_key("charge", key, idem, sizeof(idem));
    assert_int_equal(standin_requests_with(idem), 3); /* two 429, then the charge: one key */

    /* rate limited past the retries: unknown, nothing charged, found nowhere */
    new_key("429x", key);
    standin_control("/_test/fail",
                    "{\"mode\":\"429\",\"count\":4,\"path\":\"/v1/payment_intents\"}");
    r = on_session("pm_card_visa", NULL, key); /* 1 + 3 retries, all 429 */
    assert_int_equal(r.outcome, STRIPE_UNKNOWN);
    assert_int_equal(r.http_status, 429);
    struct stripe_result looked;
    assert_int_equal(stripe_lookup(key, &looked), 0);
    assert_int_equal(looked.outcome, STRIPE_NOT_FOUND);
    assert_int_equal(standin_charges_for(key), 0);
}

static void test_500_then_lookup(void **state)
{
    (void)state;
    char key[64];
    /* a 500 before anything was done: unknown, not found, charged once by the retry */
    new_key("500", key);
    standin_control("/_test/fail",
                    "{\"mode\":\"500\",\"path\":\"/v1/payment_intents\",\"method\":\"POST\"}");
    struct stripe_result r = on_session("pm_card_visa", NULL, key);
    assert_int_equal(r.outcome, STRIPE_UNKNOWN);
    struct stripe_result looked;
    assert_int_equal(stripe_lookup(key, &looked), 0);
    assert_int_equal(looked.outcome, STRIPE_NOT_FOUND);
    r = on_session("pm_card_visa", NULL, key);
    assert_int_equal(r.outcome, STRIPE_SUCCEEDED);
    assert_int_equal(standin_charges_for(key), 1);

    /* a 500 after the charge was made: the lookup finds it; a retry is Stripe's replay of
     * the same 500, never a second charge */
    new_key("500after", key);
    standin_control(
        "/_test/fail",
        "{\"mode\":\"500_after\",\"path\":\"/v1/payment_intents\",\"method\":\"POST\"}");
    r = on_session("pm_card_visa", NULL, key);
    assert_int_equal(r.outcome, STRIPE_UNKNOWN);
    assert_int_equal(r.http_status, 500);
    assert_int_equal(stripe_lookup(key, &looked), 0);
    assert_int_equal(looked.outcome, STRIPE_SUCCEEDED);
    r = on_session("pm_card_visa", NULL, key);
    assert_int_equal(r.outcome, STRIPE_UNKNOWN);
    assert_int_equal(standin_charges_for(key), 1);
}

static void test_timeout_then_lookup(void **state)
{
    (void)state;
    char key[64];
    new_key("hang", key);
    standin_control("/_test/fail",
                    "{\"mode\":\"hang\",\"path\":\"/v1/payment_intents\",\"method\":\"POST\"}");
    struct stripe_result r = on_session("pm_card_visa", NULL, key);
    assert_int_equal(r.outcome, STRIPE_UNKNOWN);
    assert_int_equal(r.http_status, 0); /* no answer within timeout_ms */
    struct stripe_result looked;
    assert_int_equal(stripe_lookup(key, &looked), 0);
    assert_int_equal(looked.outcome, STRIPE_SUCCEEDED);
    r = on_session("pm_card_visa", NULL, key); /* a retry replays: the same intent */
    assert_int_equal(r.outcome, STRIPE_SUCCEEDED);
    assert_string_equal(r.id, looked.id);
    assert_int_equal(standin_charges_for(key), 1);
}

static void test_refunds(void **state)
{
    (void)state;
    char key[64], rkey[64];
    new_key("refundme", key);
    struct stripe_result r = on_session("pm_card_visa", NULL, key);
    assert_int_equal(r.outcome, STRIPE_SUCCEEDED);
    new_key("refund", rkey);
    struct stripe_result re, again;
    assert_int_equal(stripe_refund(r.id, 20000, rkey, &re), 0);
    assert_int_equal(re.outcome, STRIPE_SUCCEEDED);
    assert_true(strncmp(re.id, "re_", 3) == 0);
    assert_int_equal(stripe_refund(r.id, 20000, rkey, &again), 0);
    assert_string_equal(again.id, re.id);
    assert_int_equal(standin_refunds_of(r.id), 20000); /* refunded once */

    new_key("refund_big", rkey);
    assert_int_equal(stripe_refund(r.id, 100001, rkey, &re), 0); /* 100 000 left */
    assert_int_equal(re.outcome, STRIPE_DECLINED);
    assert_int_equal(standin_refunds_of(r.id), 20000);

    new_key("refund_none", rkey);
    assert_int_equal(stripe_refund("pi_doesNotExist", 100, rkey, &re), 0);
    assert_int_equal(re.outcome, STRIPE_DECLINED);
}

static void test_bad_signature_and_keys(void **state)
{
    (void)state;
    const char *body =
        "{\"id\":\"evt_x\",\"object\":\"event\",\"type\":\"payment_intent.succeeded\","
        "\"data\":{\"object\":{\"id\":\"pi_x\",\"status\":\"succeeded\"}}}";
    char header[STRIPE_SIG_HEADER_BYTES];
    struct stripe_event ev;
    stripe_sig_sign("whsec_someoneElse", (long long)time(NULL), body, header, sizeof(header));
    assert_int_equal(stripe_webhook(header, body, strlen(body), time(NULL), &ev),
                     STRIPE_EVENT_BAD_SIGNATURE);
    stripe_sig_sign(WEBHOOK_SECRET, (long long)time(NULL) - 3600, body, header, sizeof(header));
    assert_int_equal(stripe_webhook(header, body, strlen(body), time(NULL), &ev),
                     STRIPE_EVENT_BAD_SIGNATURE);
    stripe_sig_sign(WEBHOOK_SECRET, (long long)time(NULL), body, header, sizeof(header));
    assert_int_equal(stripe_webhook(header, body, strlen(body), time(NULL), &ev),
                     STRIPE_EVENT_SETTLES);

    /* a publishable key is refused at start; a wrong secret key is a 401, never a charge */
    struct pd_error err = {0};
    stripe_close();
    setenv("PARTNERD_STRIPE_SECRET_KEY", "pk_test_notASecret", 1);
    struct stripe_options o = {.api_base = standin_url, .timeout_ms = 1500, .backoff_ms = 20};
    assert_int_not_equal(stripe_open(&o, &err), 0);
    assert_null(strstr(err.message, "pk_test_notASecret"));
    pd_error_clear(&err);
    setenv("PARTNERD_STRIPE_SECRET_KEY", "sk_test_wrongKey", 1);
    assert_int_equal(stripe_open(&o, &err), 0);
    char key[64];
    new_key("badkey", key);
    struct stripe_result r = on_session("pm_card_visa", NULL, key);
    assert_int_equal(r.outcome, STRIPE_UNKNOWN);
    assert_int_equal(r.http_status, 401);
    assert_int_equal(standin_charges_for(key), 0);
    stripe_close();
    o.secret_key_file = key_path;
    assert_int_equal(stripe_open(&o, &err), 0);
}

/* Last: everything above was logged; neither key is in the log, and the log is not empty. */
static void test_no_key_in_log(void **state)
{
    (void)state;
    FILE *f = fopen(log_path, "r");
    assert_non_null(f);
    static char text[1 << 20];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    assert_non_null(strstr(text, "stripe answered"));
    assert_non_null(strstr(text, "stripe rate limited, retrying"));
    assert_null(strstr(text, SECRET_KEY));
    assert_null(strstr(text, "adapterSecret"));
    assert_null(strstr(text, WEBHOOK_SECRET));
    assert_null(strstr(text, "sk_test_wrongKey"));
}

int main(void)
{
    if (crypto_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_success_and_replay),
        cmocka_unit_test(test_connection_kept),
        cmocka_unit_test(test_declined),
        cmocka_unit_test(test_challenge_passed_event_first_and_twice),
        cmocka_unit_test(test_challenge_refused),
        cmocka_unit_test(test_saved_card_off_session),
        cmocka_unit_test(test_abandoned_challenge_cancelled),
        cmocka_unit_test(test_rate_limited_then_success),
        cmocka_unit_test(test_500_then_lookup),
        cmocka_unit_test(test_timeout_then_lookup),
        cmocka_unit_test(test_refunds),
        cmocka_unit_test(test_bad_signature_and_keys),
        cmocka_unit_test(test_no_key_in_log),
    };
    int failed = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return failed;
}
