/*
 * test_sqlite_queue.c - the writers of one SQLite file: a commit returns only once a sync
 * of the WAL covers it, commits made together share syncs, and a WAL that cannot be synced
 * fails the commit with its reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "db/sqlite_queue.h"

#define WRITERS 4
#define COMMITS 50

struct writer {
    struct writer_queue *q;
    int failures;
};

/* A writer's loop: take the turn (a commit would be written here), give it up, wait for a
 * sync that covers the commit. */
static void *commit_many(void *arg)
{
    struct writer *w = arg;
    char why[256];
    for (int i = 0; i < COMMITS; i++) {
        assert_true(queue_lock(w->q, 5000));
        queue_unlock(w->q);
        w->failures += queue_durable(w->q, why, sizeof(why)) != 0;
    }
    return NULL;
}

static void test_commits_share_syncs(void **state)
{
    (void)state;
    char path[128], wal[160];
    snprintf(path, sizeof(path), "/tmp/partnerd-test-queue-%d.sqlite", (int)getpid());
    snprintf(wal, sizeof(wal), "%s-wal", path);
    FILE *f = fopen(wal, "w");
    assert_non_null(f);
    fputs("frames", f);
    fclose(f);
    struct writer_queue *q = queue_acquire(path);
    assert_non_null(q);
    assert_ptr_equal(queue_acquire(path), q); /* one per file */
    assert_null(queue_release(q));
    pthread_t threads[WRITERS];
    struct writer writers[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        writers[i] = (struct writer){.q = q};
        assert_int_equal(pthread_create(&threads[i], NULL, commit_many, &writers[i]), 0);
    }
    for (int i = 0; i < WRITERS; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(writers[i].failures, 0);
    }
    uint64_t commits, syncs;
    queue_counts(q, &commits, &syncs);
    assert_int_equal(commits, WRITERS * COMMITS);
    assert_true(syncs >= 1 && syncs <= commits);
    /* one more commit alone: one more sync, made for it */
    char why[256];
    assert_int_equal(queue_durable(q, why, sizeof(why)), 0);
    uint64_t after;
    queue_counts(q, &commits, &after);
    assert_int_equal(after, syncs + 1);
    assert_int_equal(commits, WRITERS * COMMITS + 1);
    assert_null(queue_release(q));
    unlink(wal);
}

static void test_a_wal_that_cannot_be_synced_fails_the_commit(void **state)
{
    (void)state;
    char path[128], why[256] = "";
    snprintf(path, sizeof(path), "/tmp/partnerd-test-queue-missing-%d.sqlite", (int)getpid());
    struct writer_queue *q = queue_acquire(path);
    assert_int_equal(queue_durable(q, why, sizeof(why)), PD_E_DB);
    assert_non_null(strstr(why, "-wal"));
    /* the WAL back, a later commit still fails: its frames follow ones that may be lost */
    char wal[160];
    snprintf(wal, sizeof(wal), "%s-wal", path);
    FILE *f = fopen(wal, "w");
    assert_non_null(f);
    fclose(f);
    why[0] = '\0';
    assert_int_equal(queue_durable(q, why, sizeof(why)), PD_E_DB);
    assert_non_null(strstr(why, "restarted"));
    unlink(wal);
    assert_null(queue_release(q));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commits_share_syncs),
        cmocka_unit_test(test_a_wal_that_cannot_be_synced_fails_the_commit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
