/* test_invoice_document.c - the document frozen in an invoice (service/invoice_document):
 * texts stored by earlier releases read back and write out byte for byte the same, and
 * draw as a PDF. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "render/invoice_pdf.h"
#include "service/invoice_document.h"

/* As stored at issue by partnerd before the typed document: a card invoice in English
 * with two street lines, a wire invoice with a reverse charge, its credit note. */
static const char *const STORED[] = {
    "{\"buyer\":{\"address\":[\"5 avenue Foch\",\"Bâtiment B\",\"69006 Lyon\"],\"country\":"
    "\"FR\",\"membership_id\":\"2847473\",\"name\":\"Compare 2 SARL\",\"vat_id\":"
    "\"FR40303265045\"},\"credits_number\":null,\"currency\":\"EUR\",\"due_on\":\"2027-03-01\","
    "\"issued_on\":\"2027-03-01\",\"lang\":\"en\",\"lines\":[{\"amount\":49000,\"description\":"
    "\"Microsoft Action Pack subscription\",\"quantity\":1,\"service_end\":\"2028-02-29\","
    "\"service_start\":\"2027-03-01\",\"unit_price\":49000}],\"number\":\"2027-000002\","
    "\"order_id\":\"ord_0heaqv96te2r0me82a24\",\"paid_by\":{\"brand\":\"visa\",\"last4\":"
    "\"4242\"},\"seller\":{\"address\":[\"10 rue de la Paix\",\"75002 Paris\"],\"country\":"
    "\"FR\",\"name\":\"Partnerd Programme SAS\",\"registration\":\"SAS au capital de 50 000 "
    "EUR - RCS Paris 123 456 789\",\"vat_id\":\"FR32123456789\"},\"subtotal\":49000,"
    "\"tax_amount\":9800,\"tax_mention\":null,\"tax_rate\":2000,\"tax_treatment\":\"domestic\","
    "\"total\":58800,\"type\":\"invoice\"}",
    "{\"buyer\":{\"address\":[\"Rue Royale 1\",\"1000 Bruxelles\"],\"country\":\"BE\","
    "\"membership_id\":\"1419488\",\"name\":\"Compare 3 SARL\",\"vat_id\":\"BE0417497106\"},"
    "\"credits_number\":null,\"currency\":\"EUR\",\"due_on\":\"2027-03-15\",\"issued_on\":"
    "\"2027-03-01\",\"lang\":\"en\",\"lines\":[{\"amount\":49000,\"description\":\"Microsoft "
    "Action Pack subscription\",\"quantity\":1,\"service_end\":\"2028-02-29\","
    "\"service_start\":\"2027-03-01\",\"unit_price\":49000}],\"number\":\"2027-000003\","
    "\"order_id\":\"ord_fhx2g0p45gfen7qq836p\",\"payment_instructions\":{\"bic\":"
    "\"AGRIFRPPXXX\",\"due_on\":\"2027-03-15\",\"iban\":\"FR7630006000011234567890189\","
    "\"reference\":\"RF04FHX2G0P45GFEN7QQ\"},\"seller\":{\"address\":[\"10 rue de la Paix\","
    "\"75002 Paris\"],\"country\":\"FR\",\"name\":\"Partnerd Programme SAS\",\"registration\":"
    "\"SAS au capital de 50 000 EUR - RCS Paris 123 456 789\",\"vat_id\":\"FR32123456789\"},"
    "\"subtotal\":49000,\"tax_amount\":0,\"tax_mention\":\"Reverse charge (Autoliquidation), "
    "Article 196 of Directive 2006/112/EC\",\"tax_rate\":0,\"tax_treatment\":"
    "\"reverse_charge\",\"total\":49000,\"type\":\"invoice\"}",
    "{\"buyer\":{\"address\":[\"Rue Royale 1\",\"1000 Bruxelles\"],\"country\":\"BE\","
    "\"membership_id\":\"1419488\",\"name\":\"Compare 3 SARL\",\"vat_id\":\"BE0417497106\"},"
    "\"credits_number\":\"2027-000003\",\"currency\":\"EUR\",\"due_on\":null,\"issued_on\":"
    "\"2027-03-20\",\"lang\":\"en\",\"lines\":[{\"amount\":-49000,\"description\":\"Microsoft "
    "Action Pack subscription\",\"quantity\":1,\"service_end\":null,\"service_start\":null,"
    "\"unit_price\":-49000}],\"number\":\"AV2027-000001\",\"order_id\":"
    "\"ord_fhx2g0p45gfen7qq836p\",\"seller\":{\"address\":[\"10 rue de la Paix\",\"75002 "
    "Paris\"],\"country\":\"FR\",\"name\":\"Partnerd Programme SAS\",\"registration\":\"SAS au "
    "capital de 50 000 EUR - RCS Paris 123 456 789\",\"vat_id\":\"FR32123456789\"},"
    "\"subtotal\":-49000,\"tax_amount\":0,\"tax_mention\":\"Reverse charge (Autoliquidation), "
    "Article 196 of Directive 2006/112/EC\",\"tax_rate\":0,\"tax_treatment\":"
    "\"reverse_charge\",\"total\":-49000,\"type\":\"credit_note\"}",
};

static void test_stored_documents_read_and_write_the_same(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(STORED) / sizeof(STORED[0]); i++) {
        struct invoice_doc doc;
        json_t *keep;
        assert_int_equal(invoice_document_thaw(STORED[i], &doc, &keep), 0);
        char *again = invoice_document_freeze(&doc);
        assert_non_null(again);
        assert_string_equal(again, STORED[i]);
        free(again);
        json_decref(keep);
    }
}

static void test_what_a_document_says(void **state)
{
    (void)state;
    struct invoice_doc doc;
    json_t *keep;
    assert_int_equal(invoice_document_thaw(STORED[1], &doc, &keep), 0);
    assert_string_equal(doc.type, "invoice");
    assert_string_equal(doc.lang, "en");
    assert_int_equal(doc.buyer.naddress, 2);
    assert_string_equal(doc.buyer.address[1], "1000 Bruxelles");
    assert_null(doc.buyer.registration);
    assert_int_equal(doc.nlines, 1);
    assert_int_equal(doc.lines[0].amount, 49000);
    assert_true(doc.has_wire);
    assert_false(doc.has_card);
    assert_string_equal(doc.wire.reference, "RF04FHX2G0P45GFEN7QQ");
    assert_null(doc.credits_number);
    json_decref(keep);
    assert_int_equal(invoice_document_thaw("[1, 2]", &doc, &keep), PD_E_INTERNAL);
    assert_null(keep);
    assert_int_equal(invoice_document_thaw("{not json", &doc, &keep), PD_E_INTERNAL);
}

static void test_every_document_draws(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(STORED) / sizeof(STORED[0]); i++) {
        struct invoice_doc doc;
        struct buf pdf = {0};
        json_t *keep;
        assert_int_equal(invoice_document_thaw(STORED[i], &doc, &keep), 0);
        assert_int_equal(invoice_pdf_render(&doc, &pdf), 0);
        assert_true(pdf.len > 1000);
        assert_memory_equal(pdf.data, "%PDF-", 5);
        buf_free(&pdf);
        json_decref(keep);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stored_documents_read_and_write_the_same),
        cmocka_unit_test(test_what_a_document_says),
        cmocka_unit_test(test_every_document_draws),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
