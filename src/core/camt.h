/*
 * core/camt.h - reading a bank statement in ISO 20022 camt.053 (BankToCustomerStatement,
 * versions 001.02 and 001.08, the ones French banks deliver).
 *
 * A statement becomes a flat list of money movements: one per Ntry, or one per TxDtls
 * when an entry carries several (a batch booking). Each movement says whether it is a
 * credit, whether it is booked, its amount in minor units, its dates, who paid from which
 * account, its EndToEndId and the ISO 11649 creditor reference (RF...) found in the
 * structured remittance field or, typed by hand, in the unstructured text. Each also gets
 * a key that names it within the bank's books (statement id, entry, transaction), so an
 * importer can tell a statement it has already seen.
 *
 * The XML is outside input: parsed by libxml2 without network access, without a DTD
 * (a document that declares one is refused) and without expanding entities.
 *
 *     struct camt_statement s;
 *     char why[200];
 *     if (camt_parse(xml, len, &s, why, sizeof(why)) < 0) ... refuse, saying why ...
 *     for (int i = 0; i < s.count; i++) ... s.moves[i] ...
 *     camt_free(&s);
 */
#ifndef PD_CAMT_H
#define PD_CAMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most movements a statement may hold. */
#define CAMT_MAX_MOVES 5000

/* One money movement of a statement. */
struct camt_move {
    char key[200];          /* <Stmt Id>/<entry ref or #n>/<transaction ref or #n> */
    bool credit;            /* CdtDbtInd CRDT: money received */
    bool booked;            /* Sts BOOK */
    int64_t amount;         /* minor units of currency, > 0 */
    char currency[4];       /* ISO 4217 */
    char booked_on[11];     /* BookgDt, YYYY-MM-DD ("" when absent) */
    char value_on[11];      /* ValDt, YYYY-MM-DD ("" when absent) */
    char end_to_end_id[36]; /* Refs/EndToEndId ("" or NOTPROVIDED when absent) */
    char reference[26];     /* RF creditor reference, compact and upper case; "" none */
    char party_name[141];   /* the debtor of a credit, the creditor of a debit */
    char party_iban[35];    /* their account's IBAN, "" when not given */
    char remittance[141];   /* the unstructured remittance text, for people */
};

/* A statement read. Owner: the caller, camt_free(). */
struct camt_statement {
    int version;   /* 2 or 8 (camt.053.001.02 or .08) */
    char id[36];   /* Stmt/Id */
    char iban[35]; /* the account's IBAN */
    struct camt_move *moves;
    int count;
};

/* Reads a camt.053 document of len bytes. 0 and *out, or -1 with why (in English, for
 * the person importing it; names the entry at fault). */
int camt_parse(const char *xml, size_t len, struct camt_statement *out, char *why, size_t n);

/* Frees what camt_parse gave. */
void camt_free(struct camt_statement *s);

/* Finds an ISO 11649 reference in text typed by a person ("facture rf18 5390 0754 7034
 * merci"): RF, two check digits and up to 21 letters or digits, with any spaces between;
 * the longest candidate whose check digits hold. Writes it compact and upper case into
 * out (at least 26). True when one was found. */
bool camt_find_reference(const char *text, char *out, size_t n);

#endif
