/*
 * test_claims.c - a delivery pass's claims (store/outbox.c deliveries_claim), on SQLite and,
 * when PARTNERD_TEST_PG holds a postgresql:// URL of a throwaway database, on PostgreSQL:
 * what dead processes left first, then every due row once, in the due index's order, from
 * where the pass's previous claim stopped; nothing not yet due, nothing a live process holds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db_fixture.h"
#include "store/outbox.h"

#define NOW 2000
#define STALE_BEFORE (NOW - 600)
#define DUE 120

static void add(struct db *db, const char *id, const char *status, int64_t next_attempt_at,
                int64_t claimed_at)
{
    int64_t rc = db_run(db,
                        "INSERT INTO email_deliveries (id, outbox_id, recipient, lang, status, "
                        "next_attempt_at, claim, claimed_at, created_at) VALUES (?, 'evt_1', "
                        "?, 'fr', ?, ?, ?, ?, 0)",
                        "tttiti", id, id, status, next_attempt_at,
                        claimed_at ? "another process" : NULL, claimed_at);
    assert_int_equal(rc, 1);
}

/* One claim of up to limit rows at now: their ids appended to seen (a space after each), each
 * then marked sent, as a pass does; how many. */
static int claim_at(struct db *db, int64_t now, struct claim_cursor *cur, int limit, char *seen,
                    size_t size)
{
    struct delivery *d = NULL;
    int n = 0;
    assert_int_equal(
        deliveries_claim(db, "email", "this pass", now, STALE_BEFORE, limit, cur, &d, &n), 0);
    for (int i = 0; i < n; i++) {
        size_t used = strlen(seen);
        snprintf(seen + used, size - used, "%s ", d[i].id);
        assert_int_equal(email_delivery_done(db, d[i].id, "this pass", true, NULL, 0, now), 0);
    }
    deliveries_free(d, n);
    return n;
}

static int claim(struct db *db, struct claim_cursor *cur, int limit, char *seen, size_t size)
{
    return claim_at(db, NOW, cur, limit, seen, size);
}

static void test_a_pass_claims_each_due_row_once(void **state)
{
    struct db *db = ((struct db_fixture *)*state)->db;
    char id[32];
    assert_int_equal(db_run(db,
                            "INSERT INTO outbox (id, event, payload, created_at) VALUES ('evt_1', "
                            "'user.invited', '{}', 0)",
                            ""),
                     1);
    /* due, seven to a second: ties broken by id */
    for (int i = 0; i < DUE; i++) {
        snprintf(id, sizeof(id), "eml_due_%03d", (i * 37) % DUE);
        add(db, id, "pending", 1000 + i % 7, 0);
    }
    add(db, "eml_later", "pending", NOW + 60, 0); /* a retry not yet due */
    add(db, "eml_stale_1", "sending", 999, 100);  /* a dead process's claims */
    add(db, "eml_stale_2", "sending", 999, 200);
    add(db, "eml_held", "sending", 999, STALE_BEFORE + 1); /* a live process's */

    struct claim_cursor cur = {.due_by = NOW};
    char seen[8192] = "";
    int first = claim(db, &cur, 50, seen, sizeof(seen));
    assert_int_equal(first, 50);
    assert_true(cur.stale_done); /* 2 stale, fewer than asked for: not looked for again */
    assert_non_null(strstr(seen, "eml_stale_1 ")); /* taken over first */
    assert_non_null(strstr(seen, "eml_stale_2 "));
    int total = first, n;
    while ((n = claim(db, &cur, 50, seen, sizeof(seen))) > 0)
        total += n;
    assert_int_equal(total, 2 + DUE);
    for (int i = 0; i < DUE; i++) {
        snprintf(id, sizeof(id), "eml_due_%03d ", i);
        char *at = strstr(seen, id);
        assert_non_null(at);
        assert_null(strstr(at + 1, id)); /* once */
    }
    assert_null(strstr(seen, "eml_later"));
    assert_null(strstr(seen, "eml_held"));

    /* rows that come during the pass: one after its cursor is claimed by it; one before
     * (committed late, or set back), and one due only after the pass began (the pass must
     * end), wait for the next pass */
    add(db, "eml_after", "pending", 1500, 0);
    add(db, "eml_before", "pending", 1000, 0);
    add(db, "eml_new", "pending", NOW + 30, 0);
    seen[0] = '\0';
    assert_int_equal(claim_at(db, NOW + 45, &cur, 50, seen, sizeof(seen)), 1);
    assert_string_equal(seen, "eml_after ");
    struct claim_cursor next_pass = {.due_by = NOW + 45};
    seen[0] = '\0';
    assert_int_equal(claim_at(db, NOW + 45, &next_pass, 50, seen, sizeof(seen)), 2);
    assert_string_equal(seen, "eml_before eml_new ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_a_pass_claims_each_due_row_once)};
    int failed =
        cmocka_run_group_tests_name("claims_sqlite", tests, db_fixture_sqlite, db_fixture_teardown);
    if (db_fixture_pg_url("claims_postgresql"))
        failed += cmocka_run_group_tests_name("claims_postgresql", tests, db_fixture_pg,
                                              db_fixture_teardown);
    return failed;
}
