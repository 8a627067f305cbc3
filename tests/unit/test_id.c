/* test_id.c - ids: their form, unique, ordered by when they were made. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/crypto.h"

#define ALPHABET "0123456789abcdefghjkmnpqrstvwxyz"

static void test_form(void **state)
{
    (void)state;
    char id[32];
    id_new("ord", id, sizeof(id));
    assert_int_equal(strlen(id), 4 + 20);
    assert_memory_equal(id, "ord_", 4);
    assert_int_equal(strspn(id + 4, ALPHABET), 20);
    /* the time half is today's milliseconds: 1 000 000 000 000 (2001) < t < 2^50 */
    uint64_t ms = 0;
    for (int i = 4; i < 14; i++)
        ms = ms << 5 | (uint64_t)(strchr(ALPHABET, id[i]) - ALPHABET);
    assert_true(ms > 1000000000000ull && ms < ((uint64_t)1 << 50));
    assert_true(ms / 1000 + 60 > (uint64_t)time(NULL) && ms / 1000 < (uint64_t)time(NULL) + 60);
}

static int by_string(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Made in a tight loop, most share their millisecond: their random halves tell them apart. */
static void test_unique(void **state)
{
    (void)state;
    enum { N = 20000 };
    char(*ids)[32] = malloc(sizeof(*ids) * N);
    assert_non_null(ids);
    for (int i = 0; i < N; i++)
        id_new("aud", ids[i], sizeof(ids[i]));
    qsort(ids, N, sizeof(*ids), by_string);
    for (int i = 1; i < N; i++)
        if (strcmp(ids[i - 1], ids[i]) == 0)
            fail_msg("id %s made twice", ids[i]);
    free(ids);
}

/* An id made a millisecond or more after another sorts after it: a table's id index grows at
 * its end. */
static void test_ordered(void **state)
{
    (void)state;
    char prev[32], next[32];
    id_new("ben", prev, sizeof(prev));
    for (int i = 0; i < 50; i++) {
        struct timespec pause = {0, 1100 * 1000};
        nanosleep(&pause, NULL);
        id_new("ben", next, sizeof(next));
        if (strcmp(prev, next) >= 0)
            fail_msg("%s made after %s sorts before it", next, prev);
        memcpy(prev, next, sizeof(prev));
    }
}

/* A buffer too short gets a truncated, terminated id, as snprintf does. */
static void test_short_buffer(void **state)
{
    (void)state;
    char id[8];
    memset(id, 'x', sizeof(id));
    id_new("sub", id, sizeof(id));
    assert_int_equal(strlen(id), 7);
    assert_memory_equal(id, "sub_", 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_form),
        cmocka_unit_test(test_unique),
        cmocka_unit_test(test_ordered),
        cmocka_unit_test(test_short_buffer),
    };
    return cmocka_run_group_tests_name("id", tests, NULL, NULL);
}
