/*
 * test_renewal_tries.c - renewal_tries_of_many() reads a page's renewal tries as
 * renewal_tries_of() reads each subscription's (store/renewals.c), on SQLite and, when
 * PARTNERD_TEST_PG holds a postgresql:// URL of a throwaway database, on PostgreSQL: the
 * term (the number of terms, 0 without one), the failed tries of that term only, the day of
 * its latest, and whether one is pending or succeeded; for ids in any order, a full
 * statement's worth and a few.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "db/db.h"
#include "db_fixture.h"
#include "store/renewals.h"

#define SUBS 70

static void exec(struct db *db, const char *sql)
{
    if (db_exec(db, sql) != 0)
        fail_msg("%s: %s", sql, db_errmsg(db));
}

/* Subscription i's try (term, try, status, day), with the order it paid. */
static void add_try(struct db *db, int i, int term, int try, const char *status, const char *on)
{
    char sql[1024];
    snprintf(sql, sizeof(sql),
             "INSERT INTO orders (id, partner_id, offer_code, action, subscription_id, status, "
             "currency, unit_amount, subtotal, tax_rate, tax_amount, total, tax_treatment, "
             "payment_method, created_at, updated_at) VALUES ('ord_%d_%d_%d', 'ptn_t', "
             "'action-pack', 'renewal', 'sub_%02d', 'failed', 'EUR', 100, 100, 2000, 20, 120, "
             "'domestic', 'card', 0, 0)",
             i, term, try, i);
    exec(db, sql);
    snprintf(sql, sizeof(sql),
             "INSERT INTO renewal_attempts (id, subscription_id, term, try, order_id, status, "
             "attempted_on, created_at, updated_at) VALUES ('rat_%d_%d_%d', 'sub_%02d', %d, %d, "
             "'ord_%d_%d_%d', '%s', '%s', 0, 0)",
             i, term, try, i, term, try, i, term, try, status, on);
    exec(db, sql);
}

/* SUBS subscriptions of five kinds (i % 5): no term; a term and no try; two terms, tries of
 * the first and a failed one of the second; a term with two failed tries and a pending one;
 * a term with a try that succeeded. */
static void seed(struct db *db)
{
    char sql[512];
    exec(db, "INSERT INTO partners (id, membership_id, legal_name, country, address_line1, "
             "postal_code, city, vat_id, locale, currency, created_at) VALUES ('ptn_t', "
             "'9000001', 'Un SARL', 'FR', '1 rue', '75001', 'Paris', 'FR40303265045', 'fr', "
             "'EUR', 0)");
    for (int i = 0; i < SUBS; i++) {
        int kind = i % 5, terms = kind == 0 ? 0 : kind == 2 ? 2 : 1;
        snprintf(sql, sizeof(sql),
                 "INSERT INTO subscriptions (id, partner_id, offer_code, managed_in, paid, "
                 "starts_on, expires_on, auto_renew, auto_renew_locked, created_at, updated_at) "
                 "VALUES ('sub_%02d', 'ptn_t', 'action-pack', 'partner_center', 1, "
                 "'2026-06-23', '2027-06-22', 1, 0, 0, 0)",
                 i);
        exec(db, sql);
        for (int t = 1; t <= terms; t++) {
            snprintf(sql, sizeof(sql),
                     "INSERT INTO subscription_terms (subscription_id, term, starts_on, "
                     "expires_on, source, created_at) VALUES ('sub_%02d', %d, '2026-06-23', "
                     "'2027-06-22', 'purchase', 0)",
                     i, t);
            exec(db, sql);
        }
        if (kind == 2) {
            add_try(db, i, 1, 1, "failed", "2026-06-24");
            add_try(db, i, 1, 2, "succeeded", "2026-06-26");
            add_try(db, i, 2, 1, "failed", "2027-06-23");
        } else if (kind == 3) {
            add_try(db, i, 1, 2, "failed", "2027-06-25"); /* inserted out of order */
            add_try(db, i, 1, 1, "failed", "2027-06-23");
            add_try(db, i, 1, 3, "pending", "2027-06-29");
        } else if (kind == 4) {
            add_try(db, i, 1, 1, "succeeded", "2027-06-23");
        }
    }
}

static void test_many_as_each(void **state)
{
    struct db *db = ((struct db_fixture *)*state)->db;
    seed(db);
    char names[SUBS][16];
    const char *ids[SUBS];
    for (int i = 0; i < SUBS; i++) { /* the page's order is not the ids' */
        snprintf(names[i], sizeof(names[i]), "sub_%02d", (i * 37) % SUBS);
        ids[i] = names[i];
    }
    struct renewal_tries many[SUBS], one;
    assert_int_equal(renewal_tries_of_many(db, ids, RENEWAL_TRIES_READ_MAX, many), 0);
    assert_int_equal(renewal_tries_of_many(db, ids + RENEWAL_TRIES_READ_MAX,
                                           SUBS - RENEWAL_TRIES_READ_MAX,
                                           many + RENEWAL_TRIES_READ_MAX),
                     0);
    for (int i = 0; i < SUBS; i++) {
        assert_int_equal(renewal_tries_of(db, ids[i], &one), 0);
        assert_int_equal(many[i].term, one.term);
        assert_int_equal(many[i].failed, one.failed);
        assert_string_equal(many[i].last_on, one.last_on);
        assert_int_equal(many[i].open_or_done, one.open_or_done);
    }
    /* and what each kind reads, so that the two cannot agree on nothing */
    int at[5];
    for (int i = 0; i < SUBS; i++)
        at[((i * 37) % SUBS) % 5] = i;
    assert_int_equal(many[at[0]].term, 0);
    assert_int_equal(many[at[1]].term, 1);
    assert_string_equal(many[at[1]].last_on, "");
    assert_int_equal(many[at[2]].term, 2);
    assert_int_equal(many[at[2]].failed, 1);
    assert_false(many[at[2]].open_or_done); /* the first term's success is not this term's */
    assert_int_equal(many[at[3]].failed, 2);
    assert_true(many[at[3]].open_or_done);
    assert_string_equal(many[at[3]].last_on, "2027-06-29");
    assert_true(many[at[4]].open_or_done);
    assert_int_equal(many[at[4]].failed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_many_as_each)};
    int failed = cmocka_run_group_tests_name("renewal_tries_sqlite", tests, db_fixture_sqlite,
                                             db_fixture_teardown);
    if (db_fixture_pg_url("renewal_tries_postgresql"))
        failed += cmocka_run_group_tests_name("renewal_tries_postgresql", tests, db_fixture_pg,
                                              db_fixture_teardown);
    return failed;
}
