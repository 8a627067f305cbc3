/*
 * test_tx.c - a job's steps in batches (tx_batch_job): each transaction begins with the
 * batch's begin, also when a failed batch is done again one step to a transaction, and the
 * steps of a transaction that failed are not counted twice; and spread over several
 * connections (tx_batch_spread), each transaction on one, with that connection's job.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"
#include "service/tx.h"

struct fixture {
    char path[256];
    struct db *db;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    char url[300];
    struct pd_error err = {0};
    snprintf(f->path, sizeof(f->path), "/tmp/partnerd-test-tx-%d.sqlite", (int)getpid());
    snprintf(url, sizeof(url), "sqlite:%s", f->path);
    assert_int_equal(db_open(url, &f->db, &err), 0);
    assert_int_equal(db_exec(f->db, "CREATE TABLE t (i INTEGER PRIMARY KEY, tx INTEGER)"), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char side[300];
    db_close(f->db);
    unlink(f->path);
    snprintf(side, sizeof(side), "%s-wal", f->path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", f->path);
    unlink(side);
    free(f);
    return 0;
}

/* What the steps share: the number of the transaction they are in, set by begin. */
struct batch {
    int begins;
    int tx;         /* begins so far, as begin saw it */
    char steps[64]; /* each begin's steps, "from-to " (to excluded) */
};

static int count_begin(struct db *db, int from, int to, void *ctx)
{
    (void)db;
    struct batch *b = ctx;
    b->tx = ++b->begins;
    size_t used = strlen(b->steps);
    snprintf(b->steps + used, sizeof(b->steps) - used, "%d-%d ", from, to);
    return 0;
}

/* Writes row i with the transaction it was written in. */
static int write_step(struct db *db, int i, void *ctx)
{
    const struct batch *b = ctx;
    int64_t rc =
        db_run(db, "INSERT INTO t (i, tx) VALUES (?, ?)", "ii", (int64_t)i, (int64_t)b->tx);
    return rc < 0 ? (int)rc : 1;
}

static void test_begin_once_per_transaction(void **state)
{
    struct fixture *f = *state;
    struct batch b = {0};
    struct tx_batch_job job = {
        .name = "test.ok", .begin = count_begin, .step = write_step, .ctx = &b};
    assert_int_equal(tx_batch_job(f->db, 7, 3, &job), 7);
    assert_int_equal(b.begins, 3);
    assert_string_equal(b.steps, "0-3 3-6 6-7 "); /* each begin is told its steps */
    int64_t n = 0;
    assert_int_equal(db_scalar(f->db, &n, "SELECT COUNT(DISTINCT tx) FROM t", ""), 0);
    assert_int_equal(n, 3);
    assert_int_equal(db_scalar(f->db, &n, "SELECT tx FROM t WHERE i = 4", ""), 0);
    assert_int_equal(n, 2);
}

static void test_one_by_one_after_a_failure(void **state)
{
    struct fixture *f = *state;
    struct batch b = {0};
    /* PARTNERD_FAULT_FAIL (main): the first transaction of more than one fails */
    struct tx_batch_job job = {
        .name = "test.fail", .begin = count_begin, .step = write_step, .ctx = &b};
    assert_int_equal(tx_batch_job(f->db, 5, 3, &job), 5);
    /* 0-2 failed, then 0, 1 and 2 each in its own, then 3-4 */
    assert_int_equal(b.begins, 5);
    assert_string_equal(b.steps, "0-3 0-1 1-2 2-3 3-5 ");
    int64_t n = 0;
    assert_int_equal(db_scalar(f->db, &n, "SELECT COUNT(*) FROM t", ""), 0);
    assert_int_equal(n, 5);
    assert_int_equal(db_scalar(f->db, &n, "SELECT COUNT(DISTINCT tx) FROM t WHERE i < 3", ""), 0);
    assert_int_equal(n, 3);
}

/* A begin that fails fails its transaction: no step of it is written. */
static int failing_begin(struct db *db, int from, int to, void *ctx)
{
    (void)db;
    (void)from;
    (void)to;
    (void)ctx;
    return PD_E_DB;
}

static void test_a_failing_begin_writes_nothing(void **state)
{
    struct fixture *f = *state;
    struct batch b = {0};
    struct tx_batch_job job = {
        .name = "test.other", .begin = failing_begin, .step = write_step, .ctx = &b};
    assert_true(tx_batch_job(f->db, 4, 2, &job) < 0);
    int64_t n = -1;
    assert_int_equal(db_scalar(f->db, &n, "SELECT COUNT(*) FROM t", ""), 0);
    assert_int_equal(n, 0);
}

/* Ten steps, three to a transaction, over three connections: transactions 0 and 3 on the
 * first, 1 on the second, 2 on the third, each with its connection's job; every step once. */
static void test_spread_over_connections(void **state)
{
    struct fixture *f = *state;
    char url[300];
    struct pd_error err = {0};
    struct tx_workers w = {.n = 3, .db = {f->db}};
    snprintf(url, sizeof(url), "sqlite:%s", f->path);
    for (int k = 1; k < w.n; k++)
        assert_int_equal(db_open(url, &w.db[k], &err), 0);
    struct batch b[3] = {{0}};
    struct tx_batch_job jobs[3];
    for (int k = 0; k < 3; k++)
        jobs[k] = (struct tx_batch_job){
            .name = "test.spread", .begin = count_begin, .step = write_step, .ctx = &b[k]};
    assert_int_equal(tx_batch_spread(&w, 10, 3, jobs), 10);
    assert_string_equal(b[0].steps, "0-3 9-10 ");
    assert_string_equal(b[1].steps, "3-6 ");
    assert_string_equal(b[2].steps, "6-9 ");
    int64_t n = 0;
    assert_int_equal(db_scalar(f->db, &n, "SELECT COUNT(*) FROM t", ""), 0);
    assert_int_equal(n, 10);
    /* fewer transactions than connections: the third has none */
    memset(b, 0, sizeof(b));
    assert_int_equal(db_exec(f->db, "DELETE FROM t"), 0);
    assert_int_equal(tx_batch_spread(&w, 4, 3, jobs), 4);
    assert_string_equal(b[0].steps, "0-3 ");
    assert_string_equal(b[1].steps, "3-4 ");
    assert_string_equal(b[2].steps, "");
    for (int k = 1; k < w.n; k++)
        db_close(w.db[k]);
}

/* Ten items in three parts, in order, none lost: 3, 3 and 4; never more parts than items. */
static void test_parts(void **state)
{
    (void)state;
    struct tx_workers w = {.n = 3};
    int from, to, next = 0;
    assert_int_equal(tx_workers_parts(&w, 10), 3);
    assert_int_equal(tx_workers_parts(&w, 2), 2);
    for (int k = 0; k < 3; k++, next = to) {
        tx_workers_part(10, k, 3, &from, &to);
        assert_int_equal(from, next);
        assert_int_equal(to - from, k < 2 ? 3 : 4);
    }
    assert_int_equal(next, 10);
}

int main(void)
{
    setenv("PARTNERD_FAULT_FAIL", "test.fail=1", 1); /* read once, at the first fault point */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_begin_once_per_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_by_one_after_a_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_failing_begin_writes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spread_over_connections, setup, teardown),
        cmocka_unit_test(test_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
