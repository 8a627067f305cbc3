/*
 * core/camt.h - reading a bank statement in ISO 20022 camt.053 (BankToCustomerStatement,
 * versions 001.02 and 001.08, the ones French banks deliver).
 *
 * A statement becomes a flat list of money movements: one per Ntry, or one per TxDtls
 * when an entry carries several (a batch booking). A movement's amount is what the account
 * received: the entry's, or in a batch each transaction's own in the entry's currency;
 * exactly, in minor units, or the document is refused. Each movement says whether it is a
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
 *     struct camt_problem why;
 *     if (camt_parse(xml, len, &s, &why) < 0) ... refuse, saying why in the reader's language ...
 *     for (int i = 0; i < s.count; i++) ... s.moves[i] ...
 *     camt_free(&s);
 */
#ifndef PD_CAMT_H
#define PD_CAMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/msg.h"

/* The most movements a statement may hold. */
#define CAMT_MAX_MOVES 5000

/* The most readings of one remittance text kept (see camt_find_references). */
#define CAMT_READINGS 4

/* The RF references a text typed by hand may mean, longest first; none when count is 0. */
struct camt_refs {
    char ref[CAMT_READINGS][26]; /* compact and upper case */
    int count;
};

/* One money movement of a statement. */
struct camt_move {
    char key[200];          /* <Stmt Id>/<entry ref or #n in its Stmt>/<transaction ref or #n> */
    int entry;              /* its Ntry's number in the document, from 1 (for people) */
    bool credit;            /* CdtDbtInd CRDT: money received */
    bool booked;            /* Sts BOOK */
    bool reversal;          /* RvslInd true: it takes back an earlier movement (a credit
                             * returned is a debit reversal), never money received */
    int64_t amount;         /* minor units of currency, > 0 */
    char currency[4];       /* ISO 4217 */
    char booked_on[11];     /* BookgDt, YYYY-MM-DD ("" when absent) */
    char value_on[11];      /* ValDt, YYYY-MM-DD ("" when absent) */
    char end_to_end_id[36]; /* Refs/EndToEndId ("" or NOTPROVIDED when absent) */
    struct camt_refs refs;  /* the RF creditor reference: the structured one, else the
                             * readings of the unstructured text */
    char party_name[141];   /* the debtor of a credit, the creditor of a debit */
    char party_iban[35];    /* their account's IBAN, "" when not given */
    char remittance[141];   /* the unstructured remittance text (its Ustrd lines joined by
                             * a space), for people */
};

/* A statement read. Owner: the caller, camt_free(). */
struct camt_statement {
    int version;   /* 2 or 8 (camt.053.001.02 or .08) */
    char id[36];   /* Stmt/Id */
    char iban[35]; /* the account's IBAN, compact and upper case ("" when not given); every
                    * Stmt of a document is of that one account */
    struct camt_move *moves;
    int count;
};

/* What is wrong with a document camt_parse() refused, for the person importing it: a catalog
 * message (core/messages.def, CAMT_...) with its holes, after where it is (an entry, a
 * transaction of a batch, a statement; at < 0: the whole document), with its numbers. Kept
 * as references, so the caller words it in the reader's language (camt_problem_json). */
struct camt_problem {
    int at;              /* MSG_CAMT_AT_..., or -1 */
    char at_args[2][12]; /* the place's numbers */
    int at_nargs;
    enum msg_id id;      /* what is wrong */
    char args[3][48];    /* its holes */
    int nargs;
};

/* Reads a camt.053 document of len bytes. 0 and *out, or -1 with why. */
int camt_parse(const char *xml, size_t len, struct camt_statement *out,
               struct camt_problem *why);

/* why as a catalog reference (pd_problem, after its place: pd_problem_at), for an error's
 * details, worded in the reader's language when the answer is written, or by
 * pd_problem_text(). A new reference. */
json_t *camt_problem_json(const struct camt_problem *why);

/* Frees what camt_parse gave. */
void camt_free(struct camt_statement *s);

/* Finds the ISO 11649 references in text typed by a person ("facture rf18 5390 0754 7034
 * merci"): RF starting a word, two check digits and up to 21 letters or digits, with any
 * spaces (or line breaks) between, ending where a word ends, whose check digits hold.
 * Spaces make a text ambiguous: a reading may end at any space, so that one reads as
 * RF18539007547034 and, each for one reference in 97, also as RF185390, RF1853900754 or
 * RF18539007547034MERCI. Every reading is kept, longest first, the CAMT_READINGS longest
 * when there are more; the importer matches the transfer to the order the first of them
 * names. */
void camt_find_references(const char *text, struct camt_refs *out);

#endif
