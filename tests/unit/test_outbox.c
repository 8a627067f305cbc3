/*
 * test_outbox.c - who an event goes to (service/outbox.c outbox_emit), on SQLite and, when
 * PARTNERD_TEST_PG holds a postgresql:// URL of a throwaway database, on PostgreSQL: an email
 * to each active global or billing admin of the organisation, once however many roles they
 * hold, in their language, and a delivery to each of its live webhook endpoints that wants
 * the event; the deliveries' ids are the event's with each one's number. These statements
 * read their recipients themselves, where the service read them first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db/db.h"
#include "db_fixture.h"
#include "service/outbox.h"
#include "store/outbox.h"

static void exec(struct db *db, const char *sql)
{
    assert_int_equal(db_exec(db, sql), 0);
}

/* An organisation with users of every kind, and webhook endpoints. */
static void seed(struct db *db, const char *partner)
{
    char sql[512];
    snprintf(sql, sizeof(sql),
             "INSERT INTO partners (id, membership_id, legal_name, country, address_line1, "
             "postal_code, city, vat_id, locale, currency, created_at) VALUES ('%s', '9%.6s', "
             "'Un SARL', 'FR', '1 rue', '75001', 'Paris', 'FR40303265045', 'fr', 'EUR', 0)",
             partner, partner + 4);
    exec(db, sql);
    static const struct {
        const char *id, *email, *locale, *status, *roles[2];
    } users[] = {
        {"u1", "zoe@", "en", "active", {"global_admin", "billing_admin"}}, /* both: one email */
        {"u2", "anne@", "fr", "active", {"billing_admin", NULL}},
        {"u3", "paul@", "fr", "active", {"user", NULL}},           /* not a billing contact */
        {"u4", "marc@", "fr", "removed", {"global_admin", NULL}},  /* gone */
        {"u5", "lea@", "en", "invited", {"billing_admin", NULL}},  /* not yet */
        {"u6", "jean@", "fr", "active", {"account_admin", NULL}}}; /* not billing either */
    for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
        snprintf(sql, sizeof(sql),
                 "INSERT INTO users (id, kind, partner_id, email, name, locale, status, "
                 "created_at) VALUES ('%s_%s', 'partner', '%s', '%s%s.example', 'X', '%s', '%s', "
                 "0)",
                 users[i].id, partner, partner, users[i].email, partner, users[i].locale,
                 users[i].status);
        exec(db, sql);
        for (int r = 0; r < 2 && users[i].roles[r]; r++) {
            snprintf(sql, sizeof(sql),
                     "INSERT INTO user_roles (user_id, role) VALUES ('%s_%s', '%s')", users[i].id,
                     partner, users[i].roles[r]);
            exec(db, sql);
        }
    }
    static const struct {
        const char *id, *events, *deleted;
    } endpoints[] = {{"wh_b", "*", "NULL"},
                     {"wh_a", ",order.confirmed,invoice.issued,", "NULL"},
                     {"wh_c", ",support.updated,", "NULL"}, /* another event */
                     {"wh_d", "*", "5"}};                   /* deleted */
    for (size_t i = 0; i < sizeof(endpoints) / sizeof(endpoints[0]); i++) {
        snprintf(sql, sizeof(sql),
                 "INSERT INTO webhook_endpoints (id, partner_id, url, events, secret, "
                 "created_at, deleted_at) VALUES ('%s_%s', '%s', 'https://h.example/', '%s', "
                 "'s', 0, %s)",
                 endpoints[i].id, partner, partner, endpoints[i].events, endpoints[i].deleted);
        exec(db, sql);
    }
}

/* The rows of a query, one a line, columns separated by spaces. */
static void rows(struct db *db, const char *sql, const char *arg, char *out, size_t n)
{
    struct db_stmt *st;
    out[0] = '\0';
    assert_int_equal(db_query(db, &st, sql, "t", arg), 0);
    while (db_step(st) == DB_ROW) {
        for (int c = 0; c < 3; c++) {
            size_t used = strlen(out);
            snprintf(out + used, n - used, "%s%s", c ? " " : "", db_column_text(st, c));
        }
        size_t used = strlen(out);
        snprintf(out + used, n - used, "\n");
    }
    db_finalize(st);
}

/* The id of the one event of partner (into out). */
static void event_of(struct db *db, const char *partner, char *out, size_t n)
{
    struct db_stmt *st;
    assert_int_equal(db_query(db, &st, "SELECT id FROM outbox WHERE partner_id = ?", "t", partner),
                     0);
    assert_int_equal(db_step(st), DB_ROW);
    snprintf(out, n, "%s", db_column_text(st, 0));
    db_finalize(st);
    assert_int_equal(strncmp(out, "evt_", 4), 0);
}

static void test_an_event_goes_to_the_billing_contacts_and_endpoints(void **state)
{
    struct db *db = ((struct db_fixture *)*state)->db;
    char got[1024], want[1024], event[32];
    seed(db, "ptn_000001");
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(outbox_emit(db, "ptn_000001", "order.confirmed", json_pack("{s:s}", "a", "b")),
                     0);
    assert_int_equal(db_commit(db), 0);
    event_of(db, "ptn_000001", event, sizeof(event));

    /* by email: anne, then zoe (both roles, once), in their own languages */
    rows(db, "SELECT id, recipient, lang FROM email_deliveries WHERE outbox_id = ? ORDER BY id",
         event, got, sizeof(got));
    snprintf(want, sizeof(want),
             "eml_%s-1 anne@ptn_000001.example fr\neml_%s-2 zoe@ptn_000001.example en\n", event + 4,
             event + 4);
    assert_string_equal(got, want);
    /* the live endpoints that want it, numbered by their ids */
    rows(db,
         "SELECT id, endpoint_id, status FROM webhook_deliveries WHERE outbox_id = ? ORDER BY id",
         event, got, sizeof(got));
    snprintf(want, sizeof(want),
             "whd_%s-1 wh_a_ptn_000001 pending\nwhd_%s-2 wh_b_ptn_000001 pending\n", event + 4,
             event + 4);
    assert_string_equal(got, want);

    /* an organisation without contacts nor endpoints: the event, and nothing to deliver */
    exec(db, "INSERT INTO partners (id, membership_id, legal_name, country, address_line1, "
             "postal_code, city, vat_id, locale, currency, created_at) VALUES ('ptn_000002', "
             "'9000002', 'Deux SARL', 'FR', '1 rue', '75001', 'Paris', 'FR40303265045', 'fr', "
             "'EUR', 0)");
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(outbox_emit(db, "ptn_000002", "invoice.issued", json_object()), 0);
    assert_int_equal(db_commit(db), 0);
    int64_t n = -1;
    assert_int_equal(db_scalar(db, &n,
                               "SELECT COUNT(*) FROM email_deliveries d JOIN outbox o ON o.id = "
                               "d.outbox_id WHERE o.partner_id = ?",
                               "t", "ptn_000002"),
                     0);
    assert_int_equal(n, 0);
    assert_int_equal(
        db_scalar(db, &n, "SELECT COUNT(*) FROM outbox WHERE partner_id = ?", "t", "ptn_000002"),
        0);
    assert_int_equal(n, 1);
}

/* An event to a list of people the caller chose (staff, an invited user): numbered in the
 * list's order, a second email to one of them ignored. */
static void test_an_event_to_chosen_people(void **state)
{
    struct db *db = ((struct db_fixture *)*state)->db;
    char got[1024], want[1024], event[32];
    seed(db, "ptn_000003");
    const struct contact to[] = {
        {"b@x.example", "en"}, {"a@x.example", "fr"}, {"b@x.example", "fr"}};
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(outbox_emit_to(db, "ptn_000003", "support.updated", json_object(), to, 3), 0);
    assert_int_equal(db_commit(db), 0);
    event_of(db, "ptn_000003", event, sizeof(event));
    rows(db, "SELECT id, recipient, lang FROM email_deliveries WHERE outbox_id = ? ORDER BY id",
         event, got, sizeof(got));
    snprintf(want, sizeof(want), "eml_%s-1 b@x.example en\neml_%s-2 a@x.example fr\n", event + 4,
             event + 4);
    assert_string_equal(got, want);
    /* nor to the webhooks: outbox_emit_to is for people only */
    int64_t n = -1;
    assert_int_equal(db_scalar(db, &n,
                               "SELECT COUNT(*) FROM webhook_deliveries WHERE outbox_id = ?", "t",
                               event),
                     0);
    assert_int_equal(n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_an_event_goes_to_the_billing_contacts_and_endpoints),
        cmocka_unit_test(test_an_event_to_chosen_people)};
    int failed =
        cmocka_run_group_tests_name("outbox_sqlite", tests, db_fixture_sqlite, db_fixture_teardown);
    if (db_fixture_pg_url("outbox_postgresql"))
        failed += cmocka_run_group_tests_name("outbox_postgresql", tests, db_fixture_pg,
                                              db_fixture_teardown);
    return failed;
}
