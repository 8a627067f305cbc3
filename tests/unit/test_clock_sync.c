/* test_clock_sync.c - the test clock travels between processes through the database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/date.h"
#include "db/db.h"
#include "service/clock_sync.h"

static char path[128], url[160];

static struct db *open_db(void)
{
    struct db *db;
    struct pd_error err = {0};
    assert_int_equal(db_open(url, &db, &err), 0);
    assert_int_equal(db_migrate(db, &err), 0);
    return db;
}

static void test_pinned_instant_is_shared(void **state)
{
    (void)state;
    int64_t t;
    assert_int_equal(instant_parse("2027-06-23T09:00:00Z", &t), 0);
    struct db *a = open_db(), *b = open_db();
    clock_sync_enable(true);
    assert_int_equal(clock_sync_set(a, t), 0);
    clock_unpin(); /* as in another process that has not synced yet */
    assert_false(clock_is_pinned());
    assert_int_equal(clock_sync(b), 0);
    assert_true(clock_is_pinned());
    assert_int_equal(clock_now(), t);
    assert_int_equal(clock_sync_reset(a), 0);
    clock_pin(t);
    assert_int_equal(clock_sync(b), 0); /* the reset reaches the other connection */
    assert_false(clock_is_pinned());
    db_close(a);
    db_close(b);
}

static void test_disabled_process_ignores_the_stored_clock(void **state)
{
    (void)state;
    struct db *db = open_db();
    clock_sync_enable(true);
    assert_int_equal(clock_sync_set(db, 1), 0);
    clock_unpin();
    clock_sync_enable(false); /* a server started without --test-clock */
    assert_int_equal(clock_sync(db), 0);
    assert_false(clock_is_pinned());
    assert_true(clock_now() > 1700000000);
    db_close(db);
}

int main(void)
{
    snprintf(path, sizeof(path), "/tmp/partnerd-test-clock-%d.sqlite", (int)getpid());
    snprintf(url, sizeof(url), "sqlite:%s", path);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pinned_instant_is_shared),
        cmocka_unit_test(test_disabled_process_ignores_the_stored_clock),
    };
    int failed = cmocka_run_group_tests_name("clock_sync", tests, NULL, NULL);
    unlink(path);
    char side[200];
    snprintf(side, sizeof(side), "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", path);
    unlink(side);
    return failed;
}
