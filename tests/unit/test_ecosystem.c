/* test_ecosystem.c - the pure parts of issue 21: camt.053 reading, the SEPA rules, the
 * pain.001 document and the folding of email subjects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/base64.h"
#include "core/buf.h"
#include "core/camt.h"
#include "core/error.h"
#include "core/sepa.h"
#include "jobs/deliver.h"
#include "render/pain001.h"

static void test_find_reference(void **state)
{
    (void)state;
    struct camt_refs r;
    camt_find_references("Paiement facture rf18 5390 0754 7034 merci", &r);
    assert_int_equal(r.count, 1);
    assert_string_equal(r.ref[0], "RF18539007547034");
    camt_find_references("RF18539007547034", &r);
    assert_int_equal(r.count, 1);
    assert_string_equal(r.ref[0], "RF18539007547034");
    /* one reference in 97 reads on into the next word: both readings, longest first */
    camt_find_references("facture RF22 1449 1523 7892 merci", &r);
    assert_int_equal(r.count, 2);
    assert_string_equal(r.ref[0], "RF22144915237892MERCI");
    assert_string_equal(r.ref[1], "RF22144915237892");
    /* the same reference twice is one reading */
    camt_find_references("RF18539007547034 / RF18 5390 0754 7034", &r);
    assert_int_equal(r.count, 1);
    /* five references: the four longest are kept */
    camt_find_references("RF5977 / RF7577777 / RF097 / RF307777 / RF74777", &r);
    assert_int_equal(r.count, CAMT_READINGS);
    assert_string_equal(r.ref[0], "RF7577777");
    assert_string_equal(r.ref[1], "RF307777");
    assert_string_equal(r.ref[2], "RF74777");
    assert_string_equal(r.ref[3], "RF5977");
    camt_find_references("RF19 5390 0754 7034", &r); /* check digits */
    assert_int_equal(r.count, 0);
    camt_find_references("SURF18539007547034", &r); /* not a word */
    assert_int_equal(r.count, 0);
    camt_find_references("", &r);
    assert_int_equal(r.count, 0);
    camt_find_references("facture rf18 5390\n0754 7034", &r); /* a line break typed within */
    assert_int_equal(r.count, 1);
    assert_string_equal(r.ref[0], "RF18539007547034");
}

/* A reference the bank cut across two Ustrd lines is read whole, and so is the text. */
static void test_camt_ustrd_lines(void **state)
{
    (void)state;
    static const char xml[] =
        "<?xml version=\"1.0\"?><Document "
        "xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt><Stmt>"
        "<Id>S2</Id><Ntry><Amt Ccy=\"EUR\">588.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
        "<Sts>BOOK</Sts><BookgDt><Dt>2027-05-05</Dt></BookgDt><NtryDtls><TxDtls><RmtInf>"
        "<Ustrd>Paiement facture RF18 5390</Ustrd><Ustrd> 0754 7034 </Ustrd>"
        "<Ustrd>merci</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry></Stmt></BkToCstmrStmt>"
        "</Document>";
    struct camt_statement s;
    struct camt_problem why;
    assert_int_equal(camt_parse(xml, strlen(xml), &s, &why), 0);
    assert_int_equal(s.count, 1);
    assert_int_equal(s.moves[0].refs.count, 1);
    assert_string_equal(s.moves[0].refs.ref[0], "RF18539007547034");
    assert_string_equal(s.moves[0].remittance, "Paiement facture RF18 5390 0754 7034 merci");
    camt_free(&s);
}

static const char CAMT08[] =
    "<?xml version=\"1.0\"?><Document "
    "xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\"><BkToCstmrStmt><Stmt><Id>S1</Id>"
    "<Acct><Id><IBAN>FR7630006000011234567890189</IBAN></Id></Acct>"
    "<Ntry><Amt Ccy=\"EUR\">588.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>"
    "<BookgDt><Dt>2027-05-05</Dt></BookgDt><AcctSvcrRef>E1</AcctSvcrRef><NtryDtls><TxDtls>"
    "<Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs><RltdPties><Dbtr><Pty><Nm>Org</Nm></Pty>"
    "</Dbtr><DbtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></DbtrAcct></RltdPties>"
    "<RmtInf><Ustrd>rf18 5390 0754 7034</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
    "<Ntry><Amt Ccy=\"EUR\">5</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>PDNG</Cd></Sts>"
    "</Ntry></Stmt></BkToCstmrStmt></Document>";

/* What camt_parse() refused, worded in lang as the importer's answer words it. */
static const char *worded(const struct camt_problem *why, const char *lang, char *out, size_t n)
{
    json_t *problem = camt_problem_json(why);
    pd_problem_text(problem, lang, out, n);
    json_decref(problem);
    return out;
}

static void test_camt_parse(void **state)
{
    (void)state;
    struct camt_statement s;
    struct camt_problem why;
    char text[300];
    assert_int_equal(camt_parse(CAMT08, strlen(CAMT08), &s, &why), 0);
    assert_int_equal(s.version, 8);
    assert_int_equal(s.count, 2);
    assert_true(s.moves[0].credit && s.moves[0].booked);
    assert_int_equal(s.moves[0].amount, 58800);
    assert_int_equal(s.moves[0].refs.count, 1);
    assert_string_equal(s.moves[0].refs.ref[0], "RF18539007547034");
    assert_string_equal(s.moves[0].party_name, "Org");
    assert_string_equal(s.moves[0].party_iban, "DE89370400440532013000");
    assert_string_equal(s.moves[0].key, "S1/E1/#1");
    assert_false(s.moves[1].credit || s.moves[1].booked);
    camt_free(&s);
    static const char dtd[] =
        "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY a \"aaaa\">]><d>&a;</d>";
    assert_int_equal(camt_parse(dtd, strlen(dtd), &s, &why), -1);
    assert_string_equal(worded(&why, "en", text, sizeof(text)),
                        "a document with a DOCTYPE is refused");
    assert_string_equal(worded(&why, "fr", text, sizeof(text)),
                        "un document avec un DOCTYPE est refusé");
    assert_int_equal(camt_parse("<x", 2, &s, &why), -1);
    assert_string_equal(worded(&why, "fr", text, sizeof(text)),
                        "ce n'est pas un XML bien formé");
}

/* Amounts in minor units exactly, or the entry refused saying why; an entry of one
 * transaction is what the account received, whatever the payer instructed. */
static void test_camt_amounts(void **state)
{
    (void)state;
    static const struct {
        const char *amt, *ccy;
        int64_t minor;    /* 0: refused */
        const char *why; /* in why when refused */
    } cases[] = {
        {"150", "EUR", 15000, NULL},         {"150.5", "EUR", 15050, NULL},
        {"150.000", "EUR", 15000, NULL},     {"150.00", "JPY", 150, NULL},
        {"1.5", "KWD", 1500, NULL},          {"150.005", "EUR", 0, "150.005 EUR: at most 2 decimals"},
        {"150.5", "JPY", 0, "150.5 JPY: at most 0 decimals"},
        {"150", "XYZ", 0, "XYZ: not a currency partnerd knows"},
        {"0.000", "EUR", 0, "0.000 EUR: more than zero"},
        {"1.2.3", "EUR", 0, "1.2.3 EUR: not an amount"},
        {"-5", "EUR", 0, "-5 EUR: not an amount"},
        /* zeros past what is read, then a digit: never 150.00 */
        {"150.000000000000000000000000000000000000000001", "EUR", 0, "EUR: too long"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char xml[1024], text[300];
        struct camt_problem why;
        struct camt_statement s;
        snprintf(xml, sizeof(xml),
                 "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">"
                 "<BkToCstmrStmt><Stmt><Id>S</Id><Ntry><Amt Ccy=\"%s\">%s</Amt>"
                 "<CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2027-05-05</Dt>"
                 "</BookgDt><NtryDtls><TxDtls><AmtDtls><InstdAmt><Amt Ccy=\"USD\">999.00</Amt>"
                 "</InstdAmt></AmtDtls></TxDtls></NtryDtls></Ntry></Stmt></BkToCstmrStmt>"
                 "</Document>",
                 cases[i].ccy, cases[i].amt);
        int rc = camt_parse(xml, strlen(xml), &s, &why);
        if (cases[i].minor) {
            assert_int_equal(rc, 0);
            assert_int_equal(s.count, 1);
            assert_int_equal(s.moves[0].amount, cases[i].minor);
            assert_string_equal(s.moves[0].currency, cases[i].ccy);
            camt_free(&s);
        } else {
            assert_int_equal(rc, -1);
            worded(&why, "en", text, sizeof(text));
            assert_non_null(strstr(text, "entry 1: Amt: "));
            if (strstr(text, cases[i].why) == NULL)
                fail_msg("%s %s: %s", cases[i].amt, cases[i].ccy, text);
        }
    }
}

/* A document is of one account, its IBAN kept compact and upper case: statements of two
 * accounts in one file are refused, naming both. */
static void test_camt_one_account(void **state)
{
    (void)state;
#define STMT(id, iban)                                                                             \
    "<Stmt><Id>" id "</Id><Acct><Id><IBAN>" iban "</IBAN></Id></Acct></Stmt>"
#define DOC(body)                                                                                  \
    "<?xml version=\"1.0\"?><Document "                                                            \
    "xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt>" body                \
    "</BkToCstmrStmt></Document>"
    static const char same[] =
        DOC(STMT("A", "fr76 3000 6000 0112 3456 7890 189") STMT("B", "FR7630006000011234567890189"));
    static const char two[] =
        DOC(STMT("A", "FR7630006000011234567890189") STMT("B", "DE89370400440532013000"));
    static const char none[] = DOC("<Stmt><Id>A</Id></Stmt>");
#undef STMT
#undef DOC
    struct camt_statement s;
    struct camt_problem why;
    char text[300];
    assert_int_equal(camt_parse(same, strlen(same), &s, &why), 0);
    assert_string_equal(s.iban, "FR7630006000011234567890189");
    camt_free(&s);
    assert_int_equal(camt_parse(two, strlen(two), &s, &why), -1);
    assert_string_equal(worded(&why, "en", text, sizeof(text)),
                        "statement 2: Acct/Id/IBAN: DE89370400440532013000, not statement 1's "
                        "FR7630006000011234567890189: one account a document");
    assert_string_equal(worded(&why, "fr", text, sizeof(text)),
                        "relevé 2 : Acct/Id/IBAN : DE89370400440532013000, pas "
                        "FR7630006000011234567890189 comme le relevé 1 : un seul compte par "
                        "document");
    assert_int_equal(camt_parse(none, strlen(none), &s, &why), 0);
    assert_string_equal(s.iban, "");
    camt_free(&s);
}

/* An entry the bank gives no reference is known by its place in its own statement: the
 * same statement after another one in a file has the same keys as alone. */
static void test_camt_keys_per_statement(void **state)
{
    (void)state;
#define STMT(id)                                                                                   \
    "<Stmt><Id>" id "</Id><Ntry><Amt Ccy=\"EUR\">11.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>"           \
    "<Sts>BOOK</Sts><BookgDt><Dt>2027-05-05</Dt></BookgDt></Ntry></Stmt>"
#define DOC(body)                                                                                  \
    "<?xml version=\"1.0\"?><Document "                                                            \
    "xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt>" body                \
    "</BkToCstmrStmt></Document>"
    static const char alone[] = DOC(STMT("A")), after[] = DOC(STMT("B") STMT("A"));
#undef STMT
#undef DOC
    struct camt_statement s;
    struct camt_problem why;
    assert_int_equal(camt_parse(alone, strlen(alone), &s, &why), 0);
    assert_string_equal(s.moves[0].key, "A/#1/-");
    camt_free(&s);
    assert_int_equal(camt_parse(after, strlen(after), &s, &why), 0);
    assert_int_equal(s.count, 2);
    assert_string_equal(s.moves[0].key, "B/#1/-");
    assert_string_equal(s.moves[1].key, "A/#1/-");
    camt_free(&s);
}

static void test_sepa(void **state)
{
    (void)state;
    char out[80];
    assert_true(sepa_iban("fr14 2004 1010 0505 0001 3m02 606", out, 35));
    assert_string_equal(out, "FR1420041010050500013M02606");
    assert_false(sepa_iban("FR15 2004 1010 0505 0001 3M02 606", out, 35));
    assert_false(sepa_iban("FR76", out, 35));
    /* printed in groups of four, however it was typed; what is not an IBAN, as it is */
    sepa_iban_print("fr1420041010050500013m02606", out, sizeof(out));
    assert_string_equal(out, "FR14 2004 1010 0505 0001 3M02 606");
    sepa_iban_print("DE89 3704 0044 0532 0130 00", out, sizeof(out));
    assert_string_equal(out, "DE89 3704 0044 0532 0130 00");
    sepa_iban_print("FR15 2004", out, sizeof(out));
    assert_string_equal(out, "FR15 2004");
    sepa_iban_print("DE89370400440532013000", out, 12); /* cut, never overrun */
    assert_string_equal(out, "DE89 3704 0");
    sepa_text("  Société  Générale & Fils_<b>  ", out, sizeof(out), 70);
    assert_string_equal(out, "Societe Generale + Fils b");
    sepa_text("Œuvre ÇA", out, sizeof(out), 4);
    assert_string_equal(out, "OEuv");
    assert_true(sepa_id_valid("RFD-ABC123"));
    assert_false(sepa_id_valid("rfd_ABC"));
    assert_false(sepa_id_valid("/abc"));
    assert_false(sepa_id_valid("a//b"));
}

static void test_pain001(void **state)
{
    (void)state;
    struct pain001_payment p[2] = {{"E2E-1", "A", "DE89370400440532013000", "x", 1050},
                                   {"E2E-2", "B", "FR1420041010050500013M02606", "y", 99}};
    struct pain001 f = {"MSG-1", "2027-07-01T09:00:00Z", "2027-07-02", "Seller", "FR76", "", p, 2};
    int64_t sum = 0;
    char *xml = pain001_render(&f, &sum);
    assert_non_null(xml);
    assert_int_equal(sum, 1149);
    assert_non_null(strstr(xml, "<CtrlSum>11.49</CtrlSum>"));
    assert_non_null(strstr(xml, "<InstdAmt Ccy=\"EUR\">0.99</InstdAmt>"));
    assert_non_null(strstr(xml, "<Id>NOTPROVIDED</Id>")); /* no BIC */
    free(xml);
}

/* Every encoded word of the Subject: at most 75 characters, whole characters, the whole
 * subject when decoded. */
static void test_subject_folding(void **state)
{
    (void)state;
    static const char *const subjects[] = {
        /* one long subject, written on two lines */
        ("Commande confirmée : Abonnement au Microsoft Action Pack — renouvellement été 2027 "
         "éééééééééééééééééééééééééééééééééé"),
        "short", "", "€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€"};
    for (size_t k = 0; k < sizeof(subjects) / sizeof(subjects[0]); k++) {
        struct buf b = {0}, decoded = {0};
        deliver_subject(&b, subjects[k], strlen(subjects[k]));
        for (char *p = b.data; (p = strstr(p, "=?UTF-8?B?")) != NULL;) {
            char *end = strstr(p + 10, "?=");
            assert_non_null(end);
            assert_true(end + 2 - p <= 75);
            char word[80];
            snprintf(word, sizeof(word), "%.*s", (int)(end - p - 10), p + 10);
            unsigned char *bytes;
            size_t n;
            assert_int_equal(base64_decode(word, &bytes, &n), 0);
            if (n > 0) /* whole characters: no word ends inside one */
                assert_true((bytes[n - 1] & 0x80) == 0 || (bytes[n - 1] & 0xC0) == 0x80);
            buf_append(&decoded, bytes, n);
            free(bytes);
            p = end + 2;
        }
        assert_string_equal(decoded.data ? decoded.data : "", subjects[k]);
        for (char *line = b.data; line;
             line = strstr(line, "\r\n") ? strstr(line, "\r\n") + 2 : NULL) {
            char *eol = strstr(line, "\r\n");
            if (eol == NULL)
                break;
            assert_true(eol - line <= 78);
        }
        buf_free(&b);
        buf_free(&decoded);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find_reference),
        cmocka_unit_test(test_camt_parse),
        cmocka_unit_test(test_camt_ustrd_lines),
        cmocka_unit_test(test_camt_keys_per_statement),
        cmocka_unit_test(test_camt_one_account),
        cmocka_unit_test(test_camt_amounts),
        cmocka_unit_test(test_sepa),
        cmocka_unit_test(test_pain001),
        cmocka_unit_test(test_subject_folding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
