/* test_facturx.c - Factur-X documents (render/facturx_xml.c, render/pdfa.c): a version 2
 * document reads back and writes out the same, draws as a PDF/A-3 carrying its XML, the
 * same bytes every time; its XML says what a buyer's software reads; a version 1
 * document has no XML; and a PDF that is not cairo's is refused, untouched. (The XML
 * against the official schema and rules: tests/e2e/facturx.test.mjs.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "render/facturx_xml.h"
#include "render/invoice_pdf.h"
#include "render/pdfa.h"
#include "service/invoice_document.h"

/* A partial credit note of a USD invoice, as partnerd stores it since e-invoicing. */
static const char CREDIT[] =
    "{\"buyer\":{\"address\":[\"1 Main Street\",\"10001 New York\"],\"city\":\"New York\","
    "\"country\":\"US\",\"membership_id\":\"4525310\",\"name\":\"Smith & Sons <LLC>\","
    "\"postal_code\":\"10001\",\"siren\":null,\"vat_id\":null},\"credits_issued_on\":"
    "\"2027-03-01\",\"credits_number\":\"2027-000004\",\"currency\":\"USD\",\"due_on\":null,"
    "\"issued_on\":\"2027-09-01\",\"lang\":\"en\",\"lines\":[{\"amount\":-26355,"
    "\"description\":\"Microsoft Action Pack subscription\",\"quantity\":1,\"service_end\":"
    "\"2028-02-29\",\"service_start\":\"2027-09-01\",\"unit_price\":-26355}],\"number\":"
    "\"AV2027-000003\",\"order_id\":\"ord_x\",\"partial\":true,\"seller\":{\"address\":[\"10 "
    "rue de la Paix\",\"75002 Paris\"],\"city\":\"Paris\",\"country\":\"FR\",\"name\":"
    "\"Partnerd Programme SAS\",\"postal_code\":\"75002\",\"registration\":\"SAS au capital de "
    "50 000 EUR - RCS Paris 123 456 789\",\"siren\":\"123456789\",\"vat_id\":\"FR32123456789\"},"
    "\"subtotal\":-26355,\"tax_amount\":0,\"tax_mention\":\"VAT not applicable, article 259-1 "
    "of the French tax code\",\"tax_rate\":0,\"tax_treatment\":\"outside_eu\",\"total\":-26355,"
    "\"type\":\"credit_note\",\"vat_option\":\"receipts\",\"version\":2}";

/* The same, as issued since the countries' names and the electronic addresses. */
static const char NAMED[] =
    "{\"buyer\":{\"address\":[\"1 Main Street\",\"10001 New York\"],\"city\":\"New York\","
    "\"country\":\"US\",\"country_name\":\"United States\",\"electronic_address\":{\"id\":"
    "\"ap@smith.example\",\"scheme\":\"EM\"},\"membership_id\":\"4525310\",\"name\":\"Smith "
    "& Sons <LLC>\",\"postal_code\":\"10001\",\"siren\":null,\"vat_id\":null},"
    "\"credits_issued_on\":\"2027-03-01\",\"credits_number\":\"2027-000004\",\"currency\":"
    "\"USD\",\"due_on\":null,\"issued_on\":\"2027-09-01\",\"lang\":\"en\",\"lines\":[{"
    "\"amount\":-26355,\"description\":\"Microsoft Action Pack subscription\",\"quantity\":1,"
    "\"service_end\":\"2028-02-29\",\"service_start\":\"2027-09-01\",\"unit_price\":-26355}],"
    "\"number\":\"AV2027-000003\",\"order_id\":\"ord_x\",\"partial\":true,\"seller\":{"
    "\"address\":[\"10 rue de la Paix\",\"75002 Paris\"],\"city\":\"Paris\",\"country\":"
    "\"FR\",\"country_name\":\"France\",\"electronic_address\":{\"id\":\"123456789\","
    "\"scheme\":\"0225\"},\"name\":\"Partnerd Programme SAS\",\"postal_code\":\"75002\","
    "\"registration\":\"SAS au capital de 50 000 EUR - RCS Paris 123 456 789\",\"siren\":"
    "\"123456789\",\"vat_id\":\"FR32123456789\"},\"subtotal\":-26355,\"tax_amount\":0,"
    "\"tax_mention\":\"VAT not applicable, article 259-1 of the French tax code\",\"tax_rate\":0,"
    "\"tax_treatment\":\"outside_eu\",\"total\":-26355,\"type\":\"credit_note\","
    "\"vat_option\":\"receipts\",\"version\":2}";

/* The names and addresses read back and write out the same; the XML carries BT-34 and
 * BT-49 where the schema wants them; a document issued before them has none. */
static void test_names_and_electronic_addresses(void **state)
{
    (void)state;
    struct invoice_doc doc;
    struct buf xml = {0};
    json_t *keep;
    assert_int_equal(invoice_document_thaw(NAMED, &doc, &keep), 0);
    assert_string_equal(doc.buyer.country_name, "United States");
    assert_string_equal(doc.buyer.address_scheme, "EM");
    assert_string_equal(doc.seller.address_id, "123456789");
    char *again = invoice_document_freeze(&doc);
    assert_string_equal(again, NAMED);
    free(again);
    assert_int_equal(facturx_xml(&doc, &xml), 0);
    static const char *const want[] = {
        "<ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress><ram:URIUniversalCommunication>"
        "<ram:URIID schemeID=\"0225\">123456789</ram:URIID></ram:URIUniversalCommunication>"
        "<ram:SpecifiedTaxRegistration>",
        "<ram:CountryID>US</ram:CountryID></ram:PostalTradeAddress><ram:URIUniversalCommunication>"
        "<ram:URIID schemeID=\"EM\">ap@smith.example</ram:URIID></ram:URIUniversalCommunication>"
        "</ram:BuyerTradeParty>",
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (strstr(xml.data, want[i]) == NULL)
            fail_msg("the XML lacks %s:\n%s", want[i], xml.data);
    assert_null(strstr(xml.data, "United States")); /* the XML names countries by code */
    buf_free(&xml);
    json_decref(keep);
    assert_int_equal(invoice_document_thaw(CREDIT, &doc, &keep), 0);
    assert_null(doc.buyer.country_name);
    assert_int_equal(facturx_xml(&doc, &xml), 0);
    assert_null(strstr(xml.data, "URIUniversalCommunication"));
    buf_free(&xml);
    json_decref(keep);
}

static void test_a_version_2_document_reads_back_the_same(void **state)
{
    (void)state;
    struct invoice_doc doc;
    json_t *keep;
    assert_int_equal(invoice_document_thaw(CREDIT, &doc, &keep), 0);
    assert_int_equal(doc.version, INVOICE_DOC_FACTURX);
    assert_true(doc.partial);
    assert_string_equal(doc.seller.siren, "123456789");
    assert_string_equal(doc.buyer.postal_code, "10001");
    assert_null(doc.buyer.siren);
    char *again = invoice_document_freeze(&doc);
    assert_string_equal(again, CREDIT);
    free(again);
    json_decref(keep);
}

static void test_the_xml_of_a_partial_credit_note(void **state)
{
    (void)state;
    struct invoice_doc doc;
    struct buf xml = {0};
    json_t *keep;
    assert_int_equal(invoice_document_thaw(CREDIT, &doc, &keep), 0);
    assert_int_equal(facturx_xml(&doc, &xml), 0);
    static const char *const want[] = {
        "<ram:TypeCode>381</ram:TypeCode>",
        "<ram:IssueDateTime><udt:DateTimeString format=\"102\">20270901</udt:DateTimeString>",
        "<ram:Name>Smith &amp; Sons &lt;LLC&gt;</ram:Name>",
        "<ram:Content>Partial credit on invoice 2027-000004 of 1 March 2027</ram:Content>",
        /* the referenced invoice's number and date, side by side */
        ("<ram:InvoiceReferencedDocument><ram:IssuerAssignedID>2027-000004</ram:IssuerAssignedID>"
         "<ram:FormattedIssueDateTime><qdt:DateTimeString format=\"102\">20270301<"),
        "<ram:CategoryCode>G</ram:CategoryCode><ram:ExemptionReasonCode>VATEX-EU-G<",
        "<ram:LineTotalAmount>263.55</ram:LineTotalAmount>",
        "<ram:TaxTotalAmount currencyID=\"USD\">0.00</ram:TaxTotalAmount>",
        "<ram:DuePayableAmount>263.55</ram:DuePayableAmount>",
        "<ram:SpecifiedLegalOrganization><ram:ID schemeID=\"0002\">123456789</ram:ID>",
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (strstr(xml.data, want[i]) == NULL)
            fail_msg("the XML lacks %s:\n%s", want[i], xml.data);
    assert_null(strstr(xml.data, "-263.55"));     /* amounts are positive on a credit note */
    assert_null(strstr(xml.data, "TVA acquitt")); /* no VAT charged: no VAT option */
    buf_free(&xml);
    /* a version 1 document has no XML */
    doc.version = INVOICE_DOC_PLAIN;
    assert_int_equal(facturx_xml(&doc, &xml), -1);
    buf_free(&xml);
    json_decref(keep);
}

static void test_the_pdf_is_a_pdfa_carrying_the_xml_the_same_every_time(void **state)
{
    (void)state;
    struct invoice_doc doc;
    struct buf a = {0}, b = {0}, xml = {0};
    json_t *keep;
    assert_int_equal(invoice_document_thaw(CREDIT, &doc, &keep), 0);
    assert_int_equal(invoice_pdf_render(&doc, &a), 0);
    assert_int_equal(invoice_pdf_render(&doc, &b), 0);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    assert_int_equal(facturx_xml(&doc, &xml), 0);
    assert_non_null(memmem(a.data, a.len, xml.data, xml.len));
    static const char *const want[] = {"/AFRelationship /Data",
                                       "/Subtype /text#2Fxml",
                                       "/OutputIntents",
                                       "<pdfaid:part>3</pdfaid:part>",
                                       "/CreationDate (D:20270901000000+00'00')",
                                       "/ID [<"};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (memmem(a.data, a.len, want[i], strlen(want[i])) == NULL)
            fail_msg("the PDF lacks %s", want[i]);
    assert_memory_equal(a.data + a.len - 6, "%%EOF\n", 6);
    buf_free(&a);
    buf_free(&b);
    buf_free(&xml);
    json_decref(keep);
}

static void test_a_pdf_that_is_not_cairos_is_left_alone(void **state)
{
    (void)state;
    struct pdfa_doc d = {.title = "t",
                         .lang = "fr",
                         .date = "2027-01-01",
                         .file_name = "factur-x.xml",
                         .file_desc = "x",
                         .file_bytes = "<x/>",
                         .file_len = 4,
                         .fx_type = "INVOICE",
                         .fx_conformance = "EN 16931"};
    static const char *const bad[] = {
        "",
        "%PDF-1.5\n",
        "not a pdf at all, not at all",
        "%PDF-1.5\n1 0 obj\n<< >>\nendobj\nxref\n0 2\n0000000000 65535 f \n0000000009 00000 n "
        "\ntrailer\n<< /Size 2 /Root 1 0 R >>\nstartxref\n999\n%%EOF\n",
        "%PDF-1.5\n1 0 obj\n<< >>\nendobj\nxref\n0 2\n0000000000 65535 f \n0000000009 00000 n "
        "\ntrailer\n<< /Size 2 >>\nstartxref\n31\n%%EOF\n",
        "%PDF-1.5\n1 0 obj\n<< /Names 2 0 R >>\nendobj\nxref\n0 2\n0000000000 65535 f \n"
        "0000000009 00000 n \ntrailer\n<< /Size 2 /Root 1 0 R >>\nstartxref\n45\n%%EOF\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct buf b = {0};
        buf_puts(&b, "keep");
        buf_puts(&b, bad[i]);
        size_t len = b.len;
        assert_int_equal(pdfa_finish(&b, 4, &d), -1);
        assert_int_equal(b.len, len);
        buf_free(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_version_2_document_reads_back_the_same),
        cmocka_unit_test(test_names_and_electronic_addresses),
        cmocka_unit_test(test_the_xml_of_a_partial_credit_note),
        cmocka_unit_test(test_the_pdf_is_a_pdfa_carrying_the_xml_the_same_every_time),
        cmocka_unit_test(test_a_pdf_that_is_not_cairos_is_left_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
