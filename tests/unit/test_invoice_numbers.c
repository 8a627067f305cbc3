/*
 * test_invoice_numbers.c - invoices drafted first and numbered last (service/invoice_issue.c),
 * as a batch of automatic renewals issues them, on SQLite and, when PARTNERD_TEST_PG holds a
 * postgresql:// URL of a throwaway database, on PostgreSQL.
 *
 * Drafts made on the last day of a year and on the first of the next are numbered in their
 * order, dated the day they are numbered and from that year's series, with no gap after
 * the numbers issued before; each number is in its row and in its frozen document. A batch
 * that fails part way rolls back whole: no number is taken, and a batch issued next starts
 * where the series was. A draft numbered after another invoice is not dated before it, and
 * one whose year turned while its number was awaited is dated the last day of its series'
 * year.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "db/db.h"
#include "db_fixture.h"
#include "service/invoice_issue.h"
#include "service/settings.h"
#include "service/tx.h"
#include "store/counters.h"

#define ORDERS 4
#define DEC31 1830211200 /* 2027-12-31T00:00:00Z */
#define JAN01 1830297600 /* 2028-01-01T00:00:00Z */

static void exec(struct db *db, const char *sql)
{
    if (db_exec(db, sql) != 0)
        fail_msg("%s: %s", sql, db_errmsg(db));
}

/* The organisation, and order i paid by card, in memory as confirm_order() has it. */
static void seed(struct db *db, struct order_row o[ORDERS])
{
    char sql[1024];
    exec(db, "INSERT INTO partners (id, membership_id, legal_name, country, address_line1, "
             "postal_code, city, vat_id, locale, currency, created_at) VALUES ('ptn_n', "
             "'9000002', 'Numéros SARL', 'FR', '2 rue', '69001', 'Lyon', 'FR40303265045', 'fr', "
             "'EUR', 0)");
    for (int i = 0; i < ORDERS; i++) {
        snprintf(sql, sizeof(sql),
                 "INSERT INTO orders (id, partner_id, offer_code, action, status, currency, "
                 "unit_amount, subtotal, tax_rate, tax_amount, total, tax_treatment, "
                 "payment_method, created_at, updated_at) VALUES ('ord_n%d', 'ptn_n', "
                 "'action-pack', 'purchase', 'processing', 'EUR', 100, 100, 2000, 20, 120, "
                 "'domestic', 'card', 0, 0)",
                 i);
        exec(db, sql);
        memset(&o[i], 0, sizeof(o[i]));
        snprintf(o[i].id, sizeof(o[i].id), "ord_n%d", i);
        snprintf(o[i].partner_id, sizeof(o[i].partner_id), "ptn_n");
        snprintf(o[i].offer_code, sizeof(o[i].offer_code), "action-pack");
        snprintf(o[i].action, sizeof(o[i].action), "purchase");
        snprintf(o[i].currency, sizeof(o[i].currency), "EUR");
        o[i].unit_amount = o[i].subtotal = 100;
        o[i].tax_rate = 2000;
        o[i].tax_amount = 20;
        o[i].total = 120;
        snprintf(o[i].tax_treatment, sizeof(o[i].tax_treatment), "domestic");
        snprintf(o[i].payment_method, sizeof(o[i].payment_method), "card");
        snprintf(o[i].card_brand, sizeof(o[i].card_brand), "visa");
        snprintf(o[i].card_last4, sizeof(o[i].card_last4), "4242");
    }
}

/* Drafts of the orders: the first two on 31 December 2027, the others on 1 January 2028. */
static void draft_all(struct db *db, const struct settings *set, const struct order_row o[ORDERS],
                      struct invoice_draft d[ORDERS], struct invoice_draft *p[ORDERS])
{
    for (int i = 0; i < ORDERS; i++) {
        clock_pin(i < 2 ? DEC31 + 3600 : JAN01 + 3600);
        assert_int_equal(
            invoice_draft(db, set, &o[i], NULL, NULL, "2028-01-01", "2028-12-31", &d[i]), 0);
        p[i] = &d[i];
    }
}

static int64_t count(struct db *db, const char *sql)
{
    return db_fixture_scalar(db, sql);
}

static void test_numbered_last_in_order(void **state)
{
    struct db *db = ((struct db_fixture *)*state)->db;
    struct settings set;
    struct order_row o[ORDERS];
    struct invoice_draft d[ORDERS], *p[ORDERS];
    struct invoice_issued out[ORDERS];
    struct pd_error err = {0};
    char sql[1024];
    seed(db, o);
    assert_int_equal(settings_load(db, &set), 0);
    assert_int_equal(counters_set(db, "invoice:2027", 41), 0); /* 41 issued this year so far */

    /* a batch that fails at its third invoice (its id is taken): nothing of it stays */
    assert_int_equal(tx_begin(db, &err), 0);
    draft_all(db, &set, o, d, p);
    snprintf(d[2].id, sizeof(d[2].id), "%s", d[1].id);
    /* (PostgreSQL is sent the insert without waiting: its failure may be the commit's) */
    assert_true(tx_end(db, invoice_drafts_issue(db, p, ORDERS, out), &err) < 0);
    pd_error_clear(&err);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM invoices"), 0);
    assert_int_equal(count(db, "SELECT value FROM counters WHERE name = 'invoice:2027'"), 41);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM counters WHERE name = 'invoice:2028'"), 0);

    /* the same batch again, numbered on 1 January: 1 to 4 of 2028, all of that day (the
     * drafts of 31 December too: an invoice numbered after them that night is of 2028) */
    assert_int_equal(tx_begin(db, &err), 0);
    draft_all(db, &set, o, d, p);
    assert_int_equal(tx_end(db, invoice_drafts_issue(db, p, ORDERS, out), &err), 0);
    static const char *const want[ORDERS] = {"2028-000001", "2028-000002", "2028-000003",
                                             "2028-000004"};
    for (int i = 0; i < ORDERS; i++) {
        assert_string_equal(out[i].number, want[i]);
        assert_string_equal(out[i].id, d[i].id);
        snprintf(sql, sizeof(sql),
                 "SELECT COUNT(*) FROM invoices WHERE id = '%s' AND number = '%s' AND "
                 "order_id = 'ord_n%d' AND issued_on = '%s' AND document LIKE '%%\"%s\"%%'",
                 out[i].id, want[i], i, "2028-01-01", want[i]);
        assert_int_equal(count(db, sql), 1);
    }
    assert_int_equal(count(db, "SELECT value FROM counters WHERE name = 'invoice:2027'"), 41);
    assert_int_equal(count(db, "SELECT value FROM counters WHERE name = 'invoice:2028'"), 4);

    /* one more, alone, as a Buy issues it: the next of its series */
    assert_int_equal(tx_begin(db, &err), 0);
    clock_pin(JAN01 + 7200);
    struct invoice_issued one;
    assert_int_equal(tx_end(db, invoice_issue(db, &set, &o[0], NULL, NULL, NULL, NULL, &one), &err),
                     0);
    assert_string_equal(one.number, "2028-000005");
    clock_unpin();
}

/* A draft made before midnight and numbered after another invoice was numbered past it (a
 * partner's Buy while a renewal batch settles, on PostgreSQL): the numbers still follow the
 * issue dates, as a French series must. */
static void test_dated_when_numbered(void **state)
{
    struct db *db = ((struct db_fixture *)*state)->db;
    struct settings set;
    struct order_row o[ORDERS];
    struct invoice_draft d, *p = &d;
    struct invoice_issued batch, buy;
    struct pd_error err = {0};
    seed(db, o);
    assert_int_equal(settings_load(db, &set), 0);
    assert_int_equal(tx_begin(db, &err), 0);
    clock_pin(DEC31 - 3600 - 60); /* 30 December 2027, 23:59 in Paris (22:59 UTC) */
    assert_int_equal(invoice_draft(db, &set, &o[0], NULL, NULL, "2027-12-30", "2028-12-29", &d), 0);
    clock_pin(DEC31 + 60); /* past midnight, in Paris and UTC */
    assert_int_equal(invoice_issue(db, &set, &o[1], NULL, NULL, NULL, NULL, &buy), 0);
    assert_int_equal(invoice_drafts_issue(db, &p, 1, &batch), 0);
    assert_int_equal(tx_end(db, 0, &err), 0);
    clock_unpin();
    assert_string_equal(buy.number, "2027-000001");
    assert_string_equal(batch.number, "2027-000002");
    /* no invoice of the series is dated before one with a lower number */
    assert_int_equal(count(db, "SELECT COUNT(*) FROM invoices a JOIN invoices b ON "
                               "a.type = b.type AND a.number < b.number AND "
                               "a.issued_on > b.issued_on"),
                     0);
}

/* Half-way through the pause after the counter was taken, the year turns; whether the
 * numbering was still under way then (a thread woken late would test nothing). */
static atomic_bool numbered, turned_while_numbering;

static void *new_year(void *arg)
{
    (void)arg;
    usleep(100 * 1000);
    clock_pin(JAN01 + 60); /* 1 January 2028, 01:01 in Paris */
    atomic_store(&turned_while_numbering, !atomic_load(&numbered));
    return NULL;
}

/* The year turns while a batch waits for its series' counter (another transaction holds it,
 * on PostgreSQL): its invoices keep the numbers of the year they were begun in, and are dated
 * its last day, not the new year's first, which would put a 2027 number among 2028's dates. */
static void test_the_year_turns_while_numbering(void **state)
{
    struct db *db = ((struct db_fixture *)*state)->db;
    struct settings set;
    struct order_row o[ORDERS];
    struct invoice_draft d, *p = &d;
    struct invoice_issued out;
    struct pd_error err = {0};
    pthread_t t;
    seed(db, o);
    assert_int_equal(settings_load(db, &set), 0);
    assert_int_equal(tx_begin(db, &err), 0);
    clock_pin(DEC31 + 22 * 3600 + 59 * 60); /* 31 December 2027, 23:59 in Paris */
    assert_int_equal(invoice_draft(db, &set, &o[0], NULL, NULL, "2027-12-31", "2028-12-30", &d), 0);
    atomic_store(&numbered, false); /* this engine's run */
    pthread_create(&t, NULL, new_year, NULL);
    assert_int_equal(invoice_drafts_issue(db, &p, 1, &out), 0);
    atomic_store(&numbered, true);
    pthread_join(t, NULL);
    assert_true(atomic_load(&turned_while_numbering));
    assert_int_equal(tx_end(db, 0, &err), 0);
    clock_unpin();
    assert_string_equal(out.number, "2027-000001");
    assert_int_equal(count(db, "SELECT COUNT(*) FROM invoices WHERE number = '2027-000001' AND "
                               "issued_on = '2027-12-31'"),
                     1);
}

int main(void)
{
    /* every numbering pauses a moment once its counter is taken: long enough for the year to
     * turn meanwhile (test_the_year_turns_while_numbering) */
    setenv("PARTNERD_FAULT_PAUSE", "invoice.counter_taken=200", 1);
    /* a group each: each seeds a database of its own */
    const struct CMUnitTest numbers[] = {cmocka_unit_test(test_numbered_last_in_order)};
    const struct CMUnitTest dates[] = {cmocka_unit_test(test_dated_when_numbered)};
    const struct CMUnitTest turn[] = {cmocka_unit_test(test_the_year_turns_while_numbering)};
    int failed = cmocka_run_group_tests_name("invoice_numbers_sqlite", numbers, db_fixture_sqlite,
                                             db_fixture_teardown);
    failed += cmocka_run_group_tests_name("invoice_dates_sqlite", dates, db_fixture_sqlite,
                                          db_fixture_teardown);
    failed += cmocka_run_group_tests_name("invoice_year_turn_sqlite", turn, db_fixture_sqlite,
                                          db_fixture_teardown);
    if (db_fixture_pg_url("invoice_numbers_postgresql")) {
        failed += cmocka_run_group_tests_name("invoice_numbers_postgresql", numbers, db_fixture_pg,
                                              db_fixture_teardown);
        failed += cmocka_run_group_tests_name("invoice_dates_postgresql", dates, db_fixture_pg,
                                              db_fixture_teardown);
        failed += cmocka_run_group_tests_name("invoice_year_turn_postgresql", turn, db_fixture_pg,
                                              db_fixture_teardown);
    }
    return failed;
}
