/* test_gateway_wait.c - every call that goes to the payment gateway lets another request use
 * the database while it waits: gateway/gateway.c makes each one within the hook the server
 * gives it (db_pool_away_here()), so no use case has to remember to step away. A gateway
 * of stubs checks, from inside each call, that another request gets a turn at a pool of
 * one; and that, once the call is answered, the caller has its turn back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "db/pool.h"
#include "gateway/gateway.h"

static char url[128];
static struct db_pool *pool;

/* Whether another request, on a thread of its own, is lent a connection at once. */
static void *take_at_once(void *arg)
{
    bool *got = arg;
    struct db *db = NULL;
    struct pd_error err = {0};
    *got = db_pool_take(pool, 0, &db, &err) == 0;
    pd_error_clear(&err);
    db_pool_give(pool, db);
    return NULL;
}

static bool another_gets_a_turn(void)
{
    bool got = false;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, take_at_once, &got), 0);
    pthread_join(t, NULL);
    return got;
}

/* The stub gateway: each call records whether another request had a turn meanwhile. */
static int calls;
static int let_in;

static void called(void)
{
    calls++;
    if (another_gets_a_turn())
        let_in++;
}

static int stub_payment_method(const char *id, struct gw_token *out, struct pd_error *err)
{
    (void)id, (void)out, (void)err;
    called();
    return 0;
}

static int stub_charge(const struct gw_charge_req *req, struct gw_result *out)
{
    (void)req, (void)out;
    called();
    return 0;
}

static int stub_lookup(const char *key, struct gw_result *out)
{
    (void)key, (void)out;
    called();
    return 0;
}

static int stub_refund(const char *charge_id, int64_t amount, const char *key,
                       struct gw_result *out)
{
    (void)charge_id, (void)amount, (void)key, (void)out;
    called();
    return 0;
}

static int stub_cancel(const char *key, enum gw_cancel_reason reason, struct gw_result *out)
{
    (void)key, (void)reason, (void)out;
    called();
    return 0;
}

static int stub_customer(const char *key, const char *email, const char *name, char id[48])
{
    (void)key, (void)email, (void)name, (void)id;
    called();
    return 0;
}

static int stub_setup(const char *customer, const char *payment_method, const char *return_url,
                      const char *key, struct gw_result *out)
{
    (void)customer, (void)payment_method, (void)return_url, (void)key, (void)out;
    called();
    return 0;
}

/* Checking an event's signature goes nowhere: the caller keeps its turn. */
static int stub_event(const char *body, size_t len, const char *signature, char *key, size_t n)
{
    (void)body, (void)len, (void)signature, (void)key, (void)n;
    called();
    return 0;
}

static const struct gateway_ops stub_ops = {
    .name = "stub",
    .payment_method = stub_payment_method,
    .charge = stub_charge,
    .lookup = stub_lookup,
    .refund = stub_refund,
    .cancel = stub_cancel,
    .event = stub_event,
    .customer = stub_customer,
    .setup = stub_setup,
};

static int setup(void **state)
{
    (void)state;
    snprintf(url, sizeof(url), "sqlite:/tmp/partnerd-test-gateway-wait-%d.sqlite", (int)getpid());
    gateway_use(&stub_ops);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    gateway_use(NULL);
    gateway_on_wait(NULL);
    const char *ends[] = {"", "-wal", "-shm"};
    char path[160];
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s%s", url + strlen("sqlite:"), ends[i]);
        unlink(path);
    }
    return 0;
}

/* Each test: a pool of one, whose connection the gateway's calls step away (as serve does). */
static int pool_open(void **state)
{
    (void)state;
    pool = db_pool_new(url, 1);
    gateway_on_wait(db_pool_away_here);
    return pool ? 0 : -1;
}

static int pool_close(void **state)
{
    (void)state;
    gateway_on_wait(NULL);
    db_pool_free(pool);
    return 0;
}

/* This thread, a request, lent the pool's connection. */
static struct db *lend(void)
{
    struct db *db = NULL;
    struct pd_error err = {0};
    assert_int_equal(db_pool_take(pool, 0, &db, &err), 0);
    return db;
}

/* Calls each operation that goes to the gateway once; how many let another in. */
static int call_every_operation(void)
{
    struct gw_token t;
    struct gw_result g;
    struct gw_charge_req req = {.payment_method = "pm_1", .amount = 100, .key = "k"};
    struct pd_error err = {0};
    char id[48];
    calls = let_in = 0;
    assert_int_equal(gateway_payment_method("pm_1", &t, &err), 0);
    assert_int_equal(gateway_charge(&req, &g), 0);
    assert_int_equal(gateway_lookup("k", &g), 0);
    assert_int_equal(gateway_refund("ch_1", 100, "r", &g), 0);
    assert_int_equal(gateway_cancel("k", GW_CANCEL_ABANDONED, &g), 0);
    assert_int_equal(gateway_customer("p", NULL, NULL, id), 0);
    assert_int_equal(gateway_setup("cus_1", "pm_1", "https://x/", "s", &g), 0);
    assert_int_equal(calls, 7);
    return let_in;
}

/* A request lent the pool's only connection: every gateway call lets another request in
 * while it waits, and the caller has its turn back once answered. */
static void test_every_call_steps_away(void **state)
{
    (void)state;
    struct db *mine = lend();
    assert_false(another_gets_a_turn());
    assert_int_equal(call_every_operation(), 7);
    assert_false(another_gets_a_turn()); /* back at work after each */
    char key[64];
    calls = let_in = 0;
    assert_int_equal(gateway_event("{}", 2, "sig", key, sizeof(key)), 0);
    assert_int_equal(let_in, 0); /* a signature is checked here: the turn is kept */
    assert_int_equal(db_exec(mine, "SELECT 1"), 0);
    db_pool_give(pool, mine);
}

/* With a transaction open, the caller keeps its turn (its locks would hold the others
 * anyway), and is still in its transaction after the call. */
static void test_in_transaction_keeps_turn(void **state)
{
    (void)state;
    struct db *mine = lend();
    assert_int_equal(db_begin(mine), 0);
    assert_int_equal(call_every_operation(), 0);
    assert_int_equal(db_commit(mine), 0);
    assert_int_equal(call_every_operation(), 7); /* committed: away again */
    db_pool_give(pool, mine);
}

/* A thread lent no connection (the jobs thread, a command) calls the gateway as it is; one
 * that gave its connection back no longer steps it away. */
static void test_thread_lent_none(void **state)
{
    (void)state;
    db_pool_give(pool, lend());
    assert_int_equal(call_every_operation(), 7); /* none lent: nothing to step away from */
    struct db *again = lend();
    assert_false(another_gets_a_turn()); /* the calls above stepped away nobody's turn */
    db_pool_give(pool, again);
}

/* The usual request is lent a connection another gave back (the idle ones, not a new one):
 * its gateway calls step that one away just the same. */
static void test_lent_again_steps_away(void **state)
{
    (void)state;
    struct db *first = lend();
    db_pool_give(pool, first);
    struct db *again = lend();
    assert_ptr_equal(again, first); /* the idle one, lent again */
    assert_int_equal(call_every_operation(), 7);
    assert_false(another_gets_a_turn()); /* back at work after each */
    db_pool_give(pool, again);
}

/* A use case that already stepped away (db_away(), as jobs/run does) may call the gateway:
 * the pairs nest, and the outermost one brings it back. */
static void test_nested_away(void **state)
{
    (void)state;
    struct db *mine = lend();
    db_away(mine);
    assert_int_equal(call_every_operation(), 7);
    assert_true(another_gets_a_turn()); /* still away: the inner pairs did not bring it back */
    db_back(mine);
    assert_false(another_gets_a_turn());
    db_pool_give(pool, mine);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_call_steps_away, pool_open, pool_close),
        cmocka_unit_test_setup_teardown(test_in_transaction_keeps_turn, pool_open, pool_close),
        cmocka_unit_test_setup_teardown(test_thread_lent_none, pool_open, pool_close),
        cmocka_unit_test_setup_teardown(test_lent_again_steps_away, pool_open, pool_close),
        cmocka_unit_test_setup_teardown(test_nested_away, pool_open, pool_close),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
