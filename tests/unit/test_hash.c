/* test_hash.c - FNV-1a: the published test values, and parts hashed one after the other. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/hash.h"

/* From the FNV reference (Fowler, Noll, Vo; draft-eastlake-fnv), FNV-1a of "", "a", "foobar". */
static void test_known_values(void **state)
{
    (void)state;
    assert_true(hash32_str(HASH32_START, "") == 0x811c9dc5u);
    assert_true(hash32_str(HASH32_START, "a") == 0xe40c292cu);
    assert_true(hash32_str(HASH32_START, "foobar") == 0xbf9cf968u);
    assert_true(hash64_str(HASH64_START, "") == 0xcbf29ce484222325ULL);
    assert_true(hash64_str(HASH64_START, "a") == 0xaf63dc4c8601ec8cULL);
    assert_true(hash64_str(HASH64_START, "foobar") == 0x85944171f73967e8ULL);
}

static void test_parts_hash_as_one(void **state)
{
    (void)state;
    assert_true(hash64_str(hash64_str(HASH64_START, "foo"), "bar") ==
                hash64_str(HASH64_START, "foobar"));
    assert_true(hash32(hash32_str(HASH32_START, "foo"), "bar", 3) ==
                hash32_str(HASH32_START, "foobar"));
    /* a byte between the parts keeps "ab"+"c" apart from "a"+"bc" */
    assert_true(hash64_str(hash64(hash64_str(HASH64_START, "ab"), "", 1), "c") !=
                hash64_str(hash64(hash64_str(HASH64_START, "a"), "", 1), "bc"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_known_values),
                                       cmocka_unit_test(test_parts_hash_as_one)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
