/* test_pool.c - the HTTP server's database connections (db/pool): lent one request at a
 * time, never more than the pool's size at work, a waiter served when one comes back, a
 * clear 503 when none does in time, a request away on a gateway letting another in (one
 * already waiting woken), and an unopenable database refused without losing a slot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/pool.h"

static char url[128];

static int setup(void **state)
{
    (void)state;
    snprintf(url, sizeof(url), "sqlite:/tmp/partnerd-test-pool-%d.sqlite", (int)getpid());
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof(path), "/tmp/partnerd-test-pool-%d.sqlite", (int)getpid());
    unlink(path);
    strcat(path, "-wal");
    unlink(path);
    path[strlen(path) - 4] = '\0';
    strcat(path, "-shm");
    unlink(path);
    return 0;
}

/* Connections are opened on need, reused last-given-first, and counted. */
static void test_lends_and_reuses(void **state)
{
    (void)state;
    struct db_pool *p = db_pool_new(url, 3);
    struct pd_error err = {0};
    struct db *a = NULL, *b = NULL, *c = NULL;
    unsigned lent, opened;
    assert_int_equal(db_pool_take(p, 0, &a, &err), 0);
    assert_int_equal(db_pool_take(p, 0, &b, &err), 0);
    assert_ptr_not_equal(a, b);
    db_pool_counts(p, &lent, &opened);
    assert_int_equal(lent, 2);
    assert_int_equal(opened, 2);
    assert_int_equal(db_exec(a, "SELECT 1"), 0);
    db_pool_give(p, b);
    assert_int_equal(db_pool_take(p, 0, &c, &err), 0);
    assert_ptr_equal(c, b); /* an idle one before a new one */
    db_pool_counts(p, &lent, &opened);
    assert_int_equal(opened, 2);
    db_pool_give(p, a);
    db_pool_give(p, c);
    db_pool_counts(p, &lent, &opened);
    assert_int_equal(lent, 0);
    db_pool_free(p);
}

/* With every connection lent, a request waits, then gets 503 with a reason. */
static void test_exhausted_times_out(void **state)
{
    (void)state;
    struct db_pool *p = db_pool_new(url, 1);
    struct pd_error err = {0};
    struct db *a = NULL, *b = NULL;
    assert_int_equal(db_pool_take(p, 0, &a, &err), 0);
    assert_int_equal(db_pool_take(p, 50, &b, &err), PD_E_UNAVAILABLE);
    assert_null(b);
    assert_non_null(strstr(err.message, "requests at work: 1 of 1"));
    pd_error_clear(&err);
    db_pool_give(p, a);
    assert_int_equal(db_pool_take(p, 0, &b, &err), 0);
    assert_ptr_equal(a, b);
    db_pool_give(p, b);
    db_pool_free(p);
}

struct waiter {
    struct db_pool *p;
    struct db *got;
    int rc;
};

static void *wait_for_one(void *arg)
{
    struct waiter *w = arg;
    struct pd_error err = {0};
    w->rc = db_pool_take(w->p, 10000, &w->got, &err);
    pd_error_clear(&err);
    return NULL;
}

/* Joins t, which must end within 5 s (a waiter served, not timed out: it waits 10 s). */
static void join_within_5s(pthread_t t)
{
    struct timespec by;
    clock_gettime(CLOCK_REALTIME, &by);
    by.tv_sec += 5;
    assert_int_equal(pthread_timedjoin_np(t, NULL, &by), 0);
}

/* A waiter gets the connection given back by another request. */
static void test_waiter_served(void **state)
{
    (void)state;
    struct db_pool *p = db_pool_new(url, 1);
    struct pd_error err = {0};
    struct db *a = NULL;
    assert_int_equal(db_pool_take(p, 0, &a, &err), 0);
    struct waiter w = {.p = p, .rc = 1};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, wait_for_one, &w), 0);
    usleep(20000); /* let it wait (the test holds either way) */
    db_pool_give(p, a);
    pthread_join(t, NULL);
    assert_int_equal(w.rc, 0);
    assert_ptr_equal(w.got, a);
    db_pool_give(p, w.got);
    db_pool_free(p);
}

/* A request waiting on a gateway (db_away) lets another in on a connection more, never more
 * than twice the pool's size; back (db_back), it goes on at once, and the one that came
 * meanwhile keeps its connection. */
static void test_away_lets_another_in(void **state)
{
    (void)state;
    struct db_pool *p = db_pool_new(url, 1);
    struct pd_error err = {0};
    struct db *a = NULL, *b = NULL, *c = NULL;
    unsigned lent, opened;
    assert_int_equal(db_pool_take(p, 0, &a, &err), 0);
    assert_int_equal(db_pool_take(p, 0, &b, &err), PD_E_UNAVAILABLE); /* a at work */
    pd_error_clear(&err);
    db_away(a);
    assert_int_equal(db_pool_take(p, 0, &b, &err), 0);
    assert_ptr_not_equal(a, b);
    assert_int_equal(db_exec(b, "SELECT 1"), 0);
    db_away(b); /* two away: two connections, the most for a pool of one */
    assert_int_equal(db_pool_take(p, 0, &c, &err), PD_E_UNAVAILABLE);
    pd_error_clear(&err);
    db_back(a);
    db_back(b); /* both at work again, past the size: they had outcomes to record */
    assert_int_equal(db_exec(a, "SELECT 1"), 0);
    db_pool_give(p, a);
    assert_int_equal(db_pool_take(p, 0, &c, &err), PD_E_UNAVAILABLE); /* b still at work */
    pd_error_clear(&err);
    db_pool_give(p, b);
    assert_int_equal(db_pool_take(p, 0, &c, &err), 0);
    db_pool_counts(p, &lent, &opened);
    assert_int_equal(lent, 1);
    assert_int_equal(opened, 2);
    db_pool_give(p, c);
    db_pool_free(p);
    /* outside a pool, nothing happens */
    struct db *alone = NULL;
    assert_int_equal(db_open(url, &alone, &err), 0);
    db_away(alone);
    db_back(alone);
    assert_int_equal(db_exec(alone, "SELECT 1"), 0);
    db_close(alone);
}

/* A request already waiting for its turn is woken by one stepping away: it need not wait
 * for a connection given back. */
static void test_away_wakes_a_waiter(void **state)
{
    (void)state;
    struct db_pool *p = db_pool_new(url, 1);
    struct pd_error err = {0};
    struct db *a = NULL;
    assert_int_equal(db_pool_take(p, 0, &a, &err), 0);
    struct waiter w = {.p = p, .rc = 1};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, wait_for_one, &w), 0);
    usleep(20000); /* let it wait (the test holds either way) */
    db_away(a);
    /* woken, not served when its 10 s are over (it would then find the place free too) */
    join_within_5s(t);
    assert_int_equal(w.rc, 0);
    assert_ptr_not_equal(w.got, a);
    db_back(a);
    db_pool_give(p, w.got);
    db_pool_give(p, a);
    db_pool_free(p);
}

/* A database in a directory of its own, which a test moves away (connections more then
 * fail to open, as when the database refuses them; those open keep working) and back. */
struct movable {
    char dir[64], moved[80], url[96];
    bool away;
};

static void movable_make(struct movable *m)
{
    snprintf(m->dir, sizeof(m->dir), "/tmp/partnerd-test-pool-dir-%d", (int)getpid());
    snprintf(m->moved, sizeof(m->moved), "%s-moved", m->dir);
    snprintf(m->url, sizeof(m->url), "sqlite:%s/db.sqlite", m->dir);
    m->away = false;
    assert_int_equal(mkdir(m->dir, 0700), 0);
}

static void movable_move(struct movable *m, bool away)
{
    assert_int_equal(away ? rename(m->dir, m->moved) : rename(m->moved, m->dir), 0);
    m->away = away;
}

static void movable_remove(const struct movable *m)
{
    const char *where = m->away ? m->moved : m->dir;
    const char *files[] = {"db.sqlite", "db.sqlite-wal", "db.sqlite-shm"};
    char path[112];
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", where, files[i]);
        unlink(path);
    }
    assert_int_equal(rmdir(where), 0);
}

/* The database refusing a connection more (PostgreSQL's max_connections reached): a request
 * waits for one of the pool's own to come back instead of answering 503 at once. Here new
 * connections fail because the database's directory moved; the one open keeps working. */
static void test_refused_waits_for_ours(void **state)
{
    (void)state;
    struct movable m;
    movable_make(&m);
    struct db_pool *p = db_pool_new(m.url, 2);
    struct pd_error err = {0};
    struct db *a = NULL;
    assert_int_equal(db_pool_take(p, 0, &a, &err), 0);
    movable_move(&m, true);
    struct waiter w = {.p = p, .rc = 1};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, wait_for_one, &w), 0);
    usleep(20000); /* let it be refused, and wait (the test holds either way) */
    assert_int_equal(db_exec(a, "SELECT 1"), 0);
    db_pool_give(p, a);
    join_within_5s(t);
    assert_int_equal(w.rc, 0);
    assert_ptr_equal(w.got, a);
    db_pool_give(p, w.got);
    db_pool_free(p);
    movable_remove(&m);
}

/* Refused while the pool's only connection is away on a gateway (never given back soon):
 * the waiter tries a connection more once the refusal's pause ends (1 s), and gets one if
 * the database takes it then, long before its own deadline. */
static void test_refused_tries_again_after_pause(void **state)
{
    (void)state;
    struct movable m;
    movable_make(&m);
    struct db_pool *p = db_pool_new(m.url, 2);
    struct pd_error err = {0};
    struct db *a = NULL;
    assert_int_equal(db_pool_take(p, 0, &a, &err), 0);
    db_away(a);
    movable_move(&m, true);
    struct waiter w = {.p = p, .rc = 1};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, wait_for_one, &w), 0); /* waits up to 10 s */
    usleep(100000); /* refused meanwhile (the test holds either way) */
    movable_move(&m, false);
    join_within_5s(t);
    assert_int_equal(w.rc, 0);
    assert_ptr_not_equal(w.got, a);
    db_back(a);
    db_pool_give(p, w.got);
    db_pool_give(p, a);
    db_pool_free(p);
    movable_remove(&m);
}

/* Refused, and no connection of the pool's came back in time: the 503 says why the
 * database refused (for the operator's log), not only that no turn came. */
static void test_refused_timeout_says_why(void **state)
{
    (void)state;
    struct movable m;
    movable_make(&m);
    struct db_pool *p = db_pool_new(m.url, 2);
    struct pd_error err = {0};
    struct db *a = NULL, *b = NULL;
    assert_int_equal(db_pool_take(p, 0, &a, &err), 0);
    movable_move(&m, true);
    assert_int_equal(db_pool_take(p, 300, &b, &err), PD_E_UNAVAILABLE);
    assert_null(b);
    assert_non_null(strstr(err.message, "no turn at the database within 300 ms"));
    assert_non_null(strstr(err.message, "a connection more refused: "));
    pd_error_clear(&err);
    db_pool_give(p, a);
    db_pool_free(p);
    movable_remove(&m);
}

/* A database that cannot be opened: refused, and the slot is not lost. */
static void test_open_failure_keeps_slot(void **state)
{
    (void)state;
    struct db_pool *p = db_pool_new("sqlite:/nonexistent-dir/x/y.db", 1);
    struct pd_error err = {0};
    struct db *a = NULL;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(db_pool_take(p, 0, &a, &err), PD_E_UNAVAILABLE);
        pd_error_clear(&err);
    }
    unsigned lent, opened;
    db_pool_counts(p, &lent, &opened);
    assert_int_equal(opened, 0);
    db_pool_free(p);
}

/* The database down, none open: every request answers at once, even several refused together
 * (one refused while another's attempt is still under way has no connection to wait for). */
struct opener {
    struct db_pool *p;
    pthread_barrier_t *go;
    int rc;
};

static void *open_one(void *arg)
{
    struct opener *o = arg;
    struct pd_error err = {0};
    struct db *db = NULL;
    pthread_barrier_wait(o->go);
    o->rc = db_pool_take(o->p, 3000, &db, &err);
    pd_error_clear(&err);
    return NULL;
}

static void test_down_refused_together_at_once(void **state)
{
    (void)state;
    enum { N = 8 };
    struct db_pool *p = db_pool_new("sqlite:/nonexistent-dir/x/y.db", N);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int round = 0; round < 10; round++) {
        pthread_barrier_t go;
        pthread_barrier_init(&go, NULL, N);
        struct opener o[N];
        pthread_t t[N];
        for (int i = 0; i < N; i++) {
            o[i] = (struct opener){.p = p, .go = &go, .rc = 1};
            assert_int_equal(pthread_create(&t[i], NULL, open_one, &o[i]), 0);
        }
        for (int i = 0; i < N; i++) {
            pthread_join(t[i], NULL);
            assert_int_equal(o[i].rc, PD_E_UNAVAILABLE);
        }
        pthread_barrier_destroy(&go);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    /* at once: none waited its 3 s */
    assert_true(t1.tv_sec - t0.tv_sec < 2);
    db_pool_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lends_and_reuses),
        cmocka_unit_test(test_exhausted_times_out),
        cmocka_unit_test(test_waiter_served),
        cmocka_unit_test(test_away_lets_another_in),
        cmocka_unit_test(test_away_wakes_a_waiter),
        cmocka_unit_test(test_refused_waits_for_ours),
        cmocka_unit_test(test_refused_tries_again_after_pause),
        cmocka_unit_test(test_refused_timeout_says_why),
        cmocka_unit_test(test_open_failure_keeps_slot),
        cmocka_unit_test(test_down_refused_together_at_once),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
