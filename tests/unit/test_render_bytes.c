/* test_render_bytes.c - an issued invoice downloads as the same bytes, whatever was rendered
 * before it and on whichever thread (render/invoice_pdf.c keeps per-thread state between
 * documents to go faster: none of it may leak from one document into another).
 *
 * Representative documents (domestic, EU reverse charge, outside the EU, partial and full
 * credit notes, currencies with 0, 2 and 3 decimals, French and English, version 1 and 2)
 * are rendered one after the other, then again in the opposite order on two threads at
 * once, on more threads at once than there are pango states for, and after enough
 * other sellers to fill a cache: every PDF must be byte for byte the first one. Each PDF's
 * SHA-256 is printed, so that two builds can be compared (an optimisation must not change
 * them). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "render/invoice_pdf.h"
#include "render/text_cache.h"

#define NDOCS 11

static const struct invoice_party SELLER = {
    .name = "Partnerd Programme SAS",
    .address = {"10 rue de la Paix", "75002 Paris"},
    .naddress = 2,
    .country = "FR",
    .country_name = "France",
    .vat_id = "FR32123456789",
    .registration = "SAS au capital de 50 000 EUR - RCS Paris 123 456 789",
    .siren = "123456789",
    .postal_code = "75002",
    .city = "Paris",
    .address_scheme = "0225",
    .address_id = "123456789"};

static const struct invoice_party FRENCH_BUYER = {.name = "Contoso Conseil SARL",
                                                  .address = {"1 rue de la Paix", "75002 Paris"},
                                                  .naddress = 2,
                                                  .country = "FR",
                                                  .country_name = "France",
                                                  .vat_id = "FR40303265045",
                                                  .membership_id = "1435994",
                                                  .siren = "303265045",
                                                  .postal_code = "75002",
                                                  .city = "Paris"};

static const struct invoice_party GERMAN_BUYER = {
    .name = "Müller & Söhne GmbH",
    .address = {"Friedrichstraße 123", "Hinterhaus, 3. OG", "10117 Berlin"},
    .naddress = 3,
    .country = "DE",
    .country_name = "Germany",
    .vat_id = "DE136695976",
    .membership_id = "2201337",
    .postal_code = "10117",
    .city = "Berlin",
    .address_scheme = "EM",
    .address_id = "rechnung@mueller.example"};

static const struct invoice_party US_BUYER = {.name = "Smith & Sons <LLC>",
                                              .address = {"1 Main Street", "10001 New York"},
                                              .naddress = 2,
                                              .country = "US",
                                              .country_name = "United States",
                                              .membership_id = "4525310",
                                              .postal_code = "10001",
                                              .city = "New York"};

static const struct invoice_line ONE_YEAR = {.description = "Abonnement au Microsoft Action Pack",
                                             .quantity = 1,
                                             .unit_price = 49000,
                                             .amount = 49000,
                                             .service_start = "2027-06-23",
                                             .service_end = "2028-06-22"};

/* The documents, version 2 unless said otherwise. */
static void documents(struct invoice_doc d[NDOCS])
{
    memset(d, 0, sizeof(struct invoice_doc) * NDOCS);
    /* 0: domestic, EUR, French, paid by card */
    d[0] = (struct invoice_doc){.version = INVOICE_DOC_FACTURX,
                                .type = "invoice",
                                .number = "2027-000123",
                                .issued_on = "2027-06-23",
                                .due_on = "2027-06-23",
                                .lang = "fr",
                                .currency = "EUR",
                                .seller = SELLER,
                                .buyer = FRENCH_BUYER,
                                .lines = {ONE_YEAR},
                                .nlines = 1,
                                .subtotal = 49000,
                                .tax_amount = 9800,
                                .total = 58800,
                                .tax_rate = 2000,
                                .tax_treatment = "domestic",
                                .vat_option = "receipts",
                                .order_id = "ord_1",
                                .has_card = true,
                                .card = {"visa", "4242"}};
    /* 1: EU reverse charge, EUR, English, by wire, three lines, a long description */
    d[1] = d[0];
    d[1].number = "2027-000124";
    d[1].lang = "en";
    d[1].buyer = GERMAN_BUYER;
    d[1].lines[1] = (struct invoice_line){
        .description = "Microsoft Action Pack: additional seats for the partner's new office in "
                       "Hamburg, with the Azure credits of the first quarter",
        .quantity = 12,
        .unit_price = 1250,
        .amount = 15000,
        .service_start = "2027-07-01",
        .service_end = "2027-09-30"};
    d[1].lines[2] = (struct invoice_line){.description = "Silver competency fee",
                                          .quantity = 3,
                                          .unit_price = 99999,
                                          .amount = 299997};
    d[1].nlines = 3;
    d[1].subtotal = 49000 + 15000 + 299997;
    d[1].tax_amount = 0;
    d[1].total = d[1].subtotal;
    d[1].tax_rate = 0;
    d[1].tax_treatment = "reverse_charge";
    d[1].tax_mention = "Reverse charge - article 283-2 of the French tax code";
    d[1].vat_option = "debits";
    d[1].has_card = false;
    d[1].has_wire = true;
    d[1].wire.iban = "FR7630006000011234567890189";
    d[1].wire.bic = "AGRIFRPP";
    d[1].wire.reference = "RF18539007547034";
    d[1].wire.due_on = "2027-07-23";
    d[1].due_on = "2027-07-23";
    /* 2: outside the EU, USD, English, a large amount */
    d[2] = d[0];
    d[2].number = "2027-000125";
    d[2].lang = "en";
    d[2].currency = "USD";
    d[2].buyer = US_BUYER;
    d[2].lines[0].unit_price = d[2].lines[0].amount = 123456789012;
    d[2].subtotal = d[2].total = 123456789012;
    d[2].tax_amount = 0;
    d[2].tax_rate = 0;
    d[2].tax_treatment = "outside_eu";
    d[2].tax_mention = "VAT not applicable, article 259-1 of the French tax code";
    /* 3: partial credit note of 2, USD */
    d[3] = d[2];
    d[3].type = "credit_note";
    d[3].number = "AV2027-000003";
    d[3].issued_on = "2027-09-01";
    d[3].due_on = NULL;
    d[3].lines[0].unit_price = d[3].lines[0].amount = -26355;
    d[3].lines[0].service_start = "2027-09-01";
    d[3].lines[0].service_end = "2028-02-29";
    d[3].subtotal = d[3].total = -26355;
    d[3].credits_number = "2027-000125";
    d[3].credits_issued_on = "2027-06-23";
    d[3].partial = true;
    d[3].has_card = false;
    /* 4: full credit note of 0, EUR, French */
    d[4] = d[0];
    d[4].type = "credit_note";
    d[4].number = "AV2027-000004";
    d[4].issued_on = "2027-07-02";
    d[4].due_on = NULL;
    d[4].lines[0].unit_price = d[4].lines[0].amount = -49000;
    d[4].subtotal = -49000;
    d[4].tax_amount = -9800;
    d[4].total = -58800;
    d[4].credits_number = "2027-000123";
    d[4].credits_issued_on = "2027-06-23";
    d[4].has_card = false;
    /* 5: GBP, French, by wire */
    d[5] = d[1];
    d[5].number = "2027-000126";
    d[5].lang = "fr";
    d[5].currency = "GBP";
    d[5].buyer.country = "GB";
    d[5].buyer.country_name = "Royaume-Uni";
    d[5].buyer.vat_id = NULL;
    d[5].tax_treatment = "outside_eu";
    d[5].tax_mention = "TVA non applicable, article 259-1 du CGI";
    /* 6: JPY (no decimals), English */
    d[6] = d[2];
    d[6].number = "2027-000127";
    d[6].currency = "JPY";
    d[6].lines[0].unit_price = d[6].lines[0].amount = 65000;
    d[6].subtotal = d[6].total = 65000;
    /* 7: KWD (three decimals), French */
    d[7] = d[2];
    d[7].number = "2027-000128";
    d[7].lang = "fr";
    d[7].currency = "KWD";
    d[7].lines[0].unit_price = d[7].lines[0].amount = 150125;
    d[7].subtotal = d[7].total = 150125;
    /* 8: CHF, no currency symbol, domestic rate */
    d[8] = d[0];
    d[8].number = "2027-000129";
    d[8].currency = "CHF";
    /* 9, 10: version 1, the plain PDF of before: an invoice and its credit note */
    d[9] = d[0];
    d[9].version = INVOICE_DOC_PLAIN;
    d[9].number = "2026-000042";
    d[10] = d[4];
    d[10].version = INVOICE_DOC_PLAIN;
    d[10].number = "AV2026-000007";
    d[10].credits_number = "2026-000042";
}

static const char *const NAMES[NDOCS] = {
    "domestic EUR fr card",    "reverse charge EUR en wire", "outside EU USD en",
    "partial credit note USD", "full credit note EUR fr",    "outside EU GBP fr wire",
    "outside EU JPY en",       "outside EU KWD fr",          "domestic CHF fr",
    "version 1 invoice",       "version 1 credit note"};

struct run {
    const struct invoice_doc *docs;
    struct buf out[NDOCS];
    int rc;
};

/* Renders every document, last first (not the order of the reference run). */
static void *render_backwards(void *arg)
{
    struct run *r = arg;
    for (int i = NDOCS; i-- > 0;)
        if (invoice_pdf_render(&r->docs[i], &r->out[i]) < 0)
            r->rc = -1;
    return NULL;
}

static void assert_same(const struct buf *want, const struct buf *got, const char *name)
{
    if (want->len != got->len || memcmp(want->data, got->data, want->len) != 0)
        fail_msg("%s: not the same bytes (%zu, then %zu)", name, want->len, got->len);
}

static void test_the_same_bytes_whatever_came_before_and_on_any_thread(void **state)
{
    (void)state;
    static struct invoice_doc docs[NDOCS];
    documents(docs);
    struct buf ref[NDOCS] = {{0}};
    for (int i = 0; i < NDOCS; i++) {
        assert_int_equal(invoice_pdf_render(&docs[i], &ref[i]), 0);
        unsigned char h[crypto_hash_sha256_BYTES];
        char hex[2 * sizeof(h) + 1];
        crypto_hash_sha256(h, (const unsigned char *)ref[i].data, ref[i].len);
        sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
        print_message("%s  %6zu  %s\n", hex, ref[i].len, NAMES[i]);
    }
    /* the same document twice in a row, and again after all the others */
    struct buf again = {0};
    assert_int_equal(invoice_pdf_render(&docs[0], &again), 0);
    assert_same(&ref[0], &again, NAMES[0]);

    struct run a = {.docs = docs}, b = {.docs = docs};
    pthread_t ta, tb;
    assert_int_equal(pthread_create(&ta, NULL, render_backwards, &a), 0);
    assert_int_equal(pthread_create(&tb, NULL, render_backwards, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    assert_int_equal(a.rc, 0);
    assert_int_equal(b.rc, 0);
    for (int i = 0; i < NDOCS; i++) {
        assert_same(&ref[i], &a.out[i], NAMES[i]);
        assert_same(&ref[i], &b.out[i], NAMES[i]);
        buf_free(&a.out[i]);
        buf_free(&b.out[i]);
        buf_free(&ref[i]);
    }
    buf_free(&again);
}

/* One page on each of more threads than there are pango states for (the pages beyond
 * TEXT_CACHE_MAX wait for one), twice. */
struct one {
    const struct invoice_doc *doc;
    struct buf out;
    int rc;
};

static void *render_one(void *arg)
{
    struct one *o = arg;
    o->rc = invoice_pdf_render(o->doc, &o->out);
    return NULL;
}

static void test_more_pages_at_once_than_there_are_caches(void **state)
{
    (void)state;
    static struct invoice_doc docs[NDOCS];
    documents(docs);
    struct buf ref[NDOCS] = {{0}};
    for (int i = 0; i < NDOCS; i++)
        assert_int_equal(invoice_pdf_render(&docs[i], &ref[i]), 0);
    enum { N = TEXT_CACHE_MAX + 4 };
    for (int round = 0; round < 2; round++) {
        struct one ones[N];
        pthread_t t[N];
        for (int i = 0; i < N; i++) {
            ones[i] = (struct one){.doc = &docs[i % NDOCS]};
            assert_int_equal(pthread_create(&t[i], NULL, render_one, &ones[i]), 0);
        }
        for (int i = 0; i < N; i++) /* all of them, before a failure leaves */
            pthread_join(t[i], NULL);
        for (int i = 0; i < N; i++) {
            assert_int_equal(ones[i].rc, 0);
            assert_same(&ref[i % NDOCS], &ones[i].out, NAMES[i % NDOCS]);
            buf_free(&ones[i].out);
        }
    }
    for (int i = 0; i < NDOCS; i++)
        buf_free(&ref[i]);
}

/* More sellers than a cache keeps texts for: the oldest kept layouts are replaced, and a
 * document drawn again afterwards is the same. */
static void test_a_full_cache_still_draws_the_same(void **state)
{
    (void)state;
    static struct invoice_doc docs[NDOCS];
    documents(docs);
    struct buf ref = {0}, again = {0};
    assert_int_equal(invoice_pdf_render(&docs[1], &ref), 0);
    struct invoice_doc other = docs[1];
    char name[64];
    for (int i = 0; i < TEXT_CACHE_SLOTS + 8; i++) { /* a kept name each */
        snprintf(name, sizeof(name), "Vendeur numéro %d SAS", i);
        other.seller.name = name;
        struct buf b = {0};
        assert_int_equal(invoice_pdf_render(&other, &b), 0);
        buf_free(&b);
    }
    assert_int_equal(invoice_pdf_render(&docs[1], &again), 0);
    assert_same(&ref, &again, NAMES[1]);
    buf_free(&ref);
    buf_free(&again);
}

/* Different documents give different bytes (the comparison above could not pass by
 * rendering the same thing every time). */
static void test_different_documents_differ(void **state)
{
    (void)state;
    static struct invoice_doc docs[NDOCS];
    documents(docs);
    struct buf a = {0}, b = {0};
    assert_int_equal(invoice_pdf_render(&docs[0], &a), 0);
    docs[0].buyer.name = "Contoso Conseil SA";
    assert_int_equal(invoice_pdf_render(&docs[0], &b), 0);
    assert_false(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
    buf_free(&a);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_same_bytes_whatever_came_before_and_on_any_thread),
        cmocka_unit_test(test_more_pages_at_once_than_there_are_caches),
        cmocka_unit_test(test_a_full_cache_still_draws_the_same),
        cmocka_unit_test(test_different_documents_differ),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
