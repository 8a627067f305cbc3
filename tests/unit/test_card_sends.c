/*
 * test_card_sends.c - card_send_many(): a renewal batch's charges sent at once, never more
 * than at_once on the wire in the whole process (two callers sharing it, as two jobs
 * connections' parts do), every answer where it belongs, and one at a time to a gateway
 * that answers in the process. The gateway is a fake that takes a few milliseconds to
 * answer, as one a network away does, and counts the calls it is answering at a time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "gateway/gateway.h"
#include "service/card.h"
#include "service/settings.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int answering, most, calls;

/* Succeeds after 5 ms, with the key's last characters as the charge's id. */
static int slow_charge(const struct gw_charge_req *req, struct gw_result *out)
{
    pthread_mutex_lock(&lock);
    calls++;
    if (++answering > most)
        most = answering;
    pthread_mutex_unlock(&lock);
    struct timespec t = {0, 5 * 1000000L};
    nanosleep(&t, NULL);
    out->outcome = GW_SUCCEEDED;
    snprintf(out->charge_id, sizeof(out->charge_id), "ch_%s", req->key);
    pthread_mutex_lock(&lock);
    answering--;
    pthread_mutex_unlock(&lock);
    return 0;
}

static struct gateway_ops distant = {.name = "distant", .charge = slow_charge};
static struct gateway_ops local = {.name = "local", .in_process = true, .charge = slow_charge};

static void start(const struct gateway_ops *ops)
{
    gateway_use(ops);
    answering = most = calls = 0;
}

static void make(struct card_sent *sent, int n, const char *tag)
{
    memset(sent, 0, sizeof(*sent) * (size_t)n);
    for (int i = 0; i < n; i++) {
        snprintf(sent[i].order.id, sizeof(sent[i].order.id), "ord_%s%d", tag, i);
        snprintf(sent[i].order.card_token, sizeof(sent[i].order.card_token), "tok_%d", i);
        snprintf(sent[i].order.currency, sizeof(sent[i].order.currency), "EUR");
        sent[i].order.total = 100 + i;
        snprintf(sent[i].key, sizeof(sent[i].key), "auto:sub_%s%d:2:1", tag, i);
    }
}

static void each_answered(const struct card_sent *sent, int n)
{
    for (int i = 0; i < n; i++) {
        char want[120];
        snprintf(want, sizeof(want), "ch_%s", sent[i].key);
        assert_int_equal(sent[i].g.outcome, GW_SUCCEEDED);
        assert_string_equal(sent[i].g.charge_id, want);
    }
}

static void at_once_and_no_more(void **state)
{
    (void)state;
    static struct card_sent sent[40];
    struct settings set = {0};
    make(sent, 40, "a");
    start(&distant);
    card_send_many(NULL, &set, sent, 40, 6);
    assert_int_equal(calls, 40);
    assert_true(most <= 6);
    assert_true(most >= 2); /* 40 answers of 5 ms each: the threads overlap */
    each_answered(sent, 40);
}

static void one_at_a_time(void **state)
{
    (void)state;
    static struct card_sent sent[12];
    struct settings set = {0};
    make(sent, 12, "b");
    start(&distant);
    card_send_many(NULL, &set, sent, 12, 1);
    assert_int_equal(most, 1);
    each_answered(sent, 12);
    start(&local); /* answers in the process: one at a time whatever at_once says */
    card_send_many(NULL, &set, sent, 12, 8);
    assert_int_equal(most, 1);
    assert_int_equal(calls, 12);
    each_answered(sent, 12);
}

struct caller {
    struct card_sent sent[30];
    char tag[4];
};

static void *send_part(void *arg)
{
    struct caller *c = arg;
    struct settings set = {0};
    make(c->sent, 30, c->tag);
    card_send_many(NULL, &set, c->sent, 30, 4);
    return NULL;
}

/* two parts of one pass, each on a thread of its own, share at_once */
static void shared_between_callers(void **state)
{
    (void)state;
    static struct caller c[2] = {{.tag = "c"}, {.tag = "d"}};
    pthread_t t[2];
    start(&distant);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, send_part, &c[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(calls, 60);
    assert_true(most <= 4);
    each_answered(c[0].sent, 30);
    each_answered(c[1].sent, 30);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(at_once_and_no_more),
        cmocka_unit_test(one_at_a_time),
        cmocka_unit_test(shared_between_callers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
