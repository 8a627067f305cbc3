/*
 * core/camt.c - camt.053 statements read with libxml2's tree API.
 *
 * The document is parsed whole (statements are small: a day or a month of one account)
 * with XML_PARSE_NONET and none of the flags that load a DTD or substitute entities; a
 * document with a DOCTYPE is refused outright, so no entity can be declared at all.
 * Elements are found by local name under the camt.053 namespace of either version, the
 * two differing only in a few places: Sts is a code (.02) or holds one in Cd (.08); a
 * transaction's amount is in AmtDtls (.02) or directly in Amt (.08), with its own
 * CdtDbtInd (.08); a related party's name is Nm (.02) or Pty/Nm (.08).
 */
#include "core/camt.h"

#include <ctype.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/card.h"
#include "core/error.h"
#include "core/money.h"
#include "core/msg.h"
#include "core/text.h"

#define NS_VERSIONS "urn:iso:std:iso:20022:tech:xsd:camt.053.001"
#define NS_PREFIX NS_VERSIONS "."

/* The first element child of n named name (local name), or NULL. */
static xmlNode *kid(const xmlNode *n, const char *name)
{
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
            return c;
    return NULL;
}

/* The element at a path of local names separated by '/', from n; NULL when absent. */
static xmlNode *at(const xmlNode *n, const char *path)
{
    char step[32];
    const xmlNode *cur = n;
    while (cur && *path) {
        size_t len = strcspn(path, "/");
        if (len >= sizeof(step))
            return NULL;
        memcpy(step, path, len);
        step[len] = '\0';
        cur = kid(cur, step);
        path += len + (path[len] == '/');
    }
    return (xmlNode *)cur;
}

/* s's first len bytes into out, cut to fit size between two UTF-8 characters. */
static void copy_fit(char *out, size_t size, const char *s, size_t len)
{
    len = text_utf8_fit(s, len, size - 1);
    memcpy(out, s, len);
    out[len] = '\0';
}

/* The text of n (trimmed, truncated to fit out) into out; "" when n is NULL. */
static const char *text_of(const xmlNode *n, char *out, size_t size)
{
    out[0] = '\0';
    if (n == NULL)
        return out;
    xmlChar *t = xmlNodeGetContent(n);
    if (t == NULL)
        return out;
    const char *s = (const char *)t;
    while (isspace((unsigned char)*s))
        s++;
    size_t len = strlen(s);
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    copy_fit(out, size, s, len);
    xmlFree(t);
    return out;
}

/* The text at path under n into out. */
static const char *text_at(const xmlNode *n, const char *path, char *out, size_t size)
{
    return text_of(at(n, path), out, size);
}

/* A date or date-time element (Dt or DtTm under n) as YYYY-MM-DD, or "". */
static void date_at(const xmlNode *n, char out[11])
{
    char t[40];
    text_at(n, "Dt", t, sizeof(t));
    if (t[0] == '\0')
        text_at(n, "DtTm", t, sizeof(t));
    snprintf(out, 11, "%.10s", t);
    if (strlen(out) != 10 || out[4] != '-' || out[7] != '-')
        out[0] = '\0';
}

/* Says what is wrong (id, with nargs holes) in why, leaving where it is as it was. -1. */
static int fail(struct camt_problem *why, enum msg_id id, int nargs, ...)
{
    va_list ap;
    va_start(ap, nargs);
    why->id = id;
    why->nargs = nargs < 3 ? nargs : 3; /* the holes kept */
    for (int i = 0; i < why->nargs; i++)
        snprintf(why->args[i], sizeof(why->args[i]), "%s", va_arg(ap, const char *));
    va_end(ap);
    return -1;
}

/* Where the problem about to be told is: at (MSG_CAMT_AT_...) with its numbers a and b
 * (b: 0 when the place has one). */
static void place(struct camt_problem *why, enum msg_id at, int a, int b)
{
    why->at = (int)at;
    why->at_nargs = b ? 2 : 1;
    snprintf(why->at_args[0], sizeof(why->at_args[0]), "%d", a);
    snprintf(why->at_args[1], sizeof(why->at_args[1]), "%d", b);
}

/* Drops the zeros that end t's decimals past the currency's exponent ("150.000" EUR is
 * 150.00 exactly, as the schema's five decimals allow); any other digit past it stays, for
 * the amount to be refused. */
static void drop_zero_decimals(char *t, int exponent)
{
    char *dot = strchr(t, '.');
    if (dot == NULL)
        return;
    size_t len = strlen(t);
    while ((int)(len - (size_t)(dot - t) - 1) > exponent && t[len - 1] == '0')
        t[--len] = '\0';
    if (t + len - 1 == dot) /* "150." of a currency without decimals */
        *dot = '\0';
}

/* An Amt element: its currency and amount in minor units, exactly. 0, or -1 with what is
 * wrong with it in why. */
static int amount_of(const xmlNode *amt, int64_t *amount, char currency[4],
                     struct camt_problem *why)
{
    char t[48], ccy_text[16];
    xmlChar *ccy = amt ? xmlGetProp(amt, (const xmlChar *)"Ccy") : NULL;
    snprintf(ccy_text, sizeof(ccy_text), "%s", ccy ? (const char *)ccy : "");
    xmlFree(ccy);
    snprintf(currency, 4, "%.3s", ccy_text);
    const struct currency *cur = strlen(ccy_text) == 3 ? money_currency(ccy_text) : NULL;
    text_of(amt, t, sizeof(t));
    if (cur == NULL)
        return ccy_text[0] ? fail(why, MSG_CAMT_AMOUNT_CURRENCY, 1, ccy_text)
                           : fail(why, MSG_CAMT_AMOUNT_NO_CURRENCY, 0);
    char exact[sizeof(t)], shown[24], decimals[8];
    snprintf(exact, sizeof(exact), "%s", t);
    snprintf(shown, sizeof(shown), "%.20s", t);
    drop_zero_decimals(exact, cur->exponent);
    if (strlen(t) > 40) /* cut by text_of maybe: its end, a digit, never read */
        return fail(why, MSG_CAMT_AMOUNT_LONG, 2, shown, cur->code);
    if (money_parse_major(exact, cur, amount) < 0) {
        const char *dot = strchr(t, '.');
        bool digits = t[0] && strspn(t, "0123456789.") == strlen(t) && t[0] != '.' &&
                      (dot == NULL || (strchr(dot + 1, '.') == NULL && dot[1]));
        snprintf(decimals, sizeof(decimals), "%d", cur->exponent);
        if (digits && dot && (int)strlen(dot + 1) > cur->exponent)
            return fail(why, MSG_CAMT_AMOUNT_DECIMALS, 3, shown, cur->code, decimals);
        return fail(why, MSG_CAMT_AMOUNT_FORMAT, 2, shown, cur->code);
    }
    if (*amount <= 0)
        return fail(why, MSG_CAMT_AMOUNT_ZERO, 2, shown, cur->code);
    return 0;
}

/* Keeps ref among out's readings, longest first, unless it is there already or shorter
 * than all of a full list. */
static void keep_reading(struct camt_refs *out, const char *ref)
{
    size_t len = strlen(ref);
    int at = 0;
    for (int i = 0; i < out->count; i++)
        if (strcmp(out->ref[i], ref) == 0)
            return;
    while (at < out->count && strlen(out->ref[at]) >= len)
        at++;
    if (at == CAMT_READINGS)
        return;
    int last = out->count < CAMT_READINGS ? out->count : CAMT_READINGS - 1;
    memmove(out->ref[at + 1], out->ref[at], (size_t)(last - at) * sizeof(out->ref[0]));
    snprintf(out->ref[at], sizeof(out->ref[at]), "%s", ref);
    out->count = last + 1;
}

void camt_find_references(const char *text, struct camt_refs *out)
{
    out->count = 0;
    for (const char *p = text; p && *p; p++) {
        if (toupper((unsigned char)p[0]) != 'R' || toupper((unsigned char)p[1]) != 'F')
            continue;
        if (p > text && isalnum((unsigned char)p[-1]))
            continue; /* RF starts a word */
        char compact[26];
        size_t len = 0;
        for (const char *q = p; *q && len < 25; q++) {
            if (isspace((unsigned char)*q)) /* a line break typed within it too */
                continue;
            if (!isalnum((unsigned char)*q))
                break;
            compact[len++] = (char)toupper((unsigned char)*q);
            compact[len] = '\0';
            /* a reading ends where a word ends */
            if (len >= 5 && !isalnum((unsigned char)q[1]) && rf_reference_valid(compact))
                keep_reading(out, compact);
        }
    }
}

/* Whether an entry or transaction is a credit: CRDT. */
static bool is_credit(const xmlNode *n)
{
    char t[8];
    return strcmp(text_at(n, "CdtDbtInd", t, sizeof(t)), "CRDT") == 0;
}

/* The name and IBAN of the other party of a transaction: the debtor of a credit, the
 * creditor of a debit. */
static void party_of(const xmlNode *tx, bool credit, struct camt_move *m)
{
    const xmlNode *parties = at(tx, "RltdPties");
    const char *who = credit ? "Dbtr" : "Cdtr";
    const char *acct = credit ? "DbtrAcct/Id/IBAN" : "CdtrAcct/Id/IBAN";
    const xmlNode *p = kid(parties, who);
    text_at(p, "Nm", m->party_name, sizeof(m->party_name));
    if (m->party_name[0] == '\0')
        text_at(p, "Pty/Nm", m->party_name, sizeof(m->party_name));
    text_at(parties, acct, m->party_iban, sizeof(m->party_iban));
}

/* The RF reference and remittance text of a transaction. The unstructured text may come in
 * several Ustrd lines (a bank cutting it at 35 or 140 characters, a reference typed across
 * two of them): they are read as one text, a space between lines. */
static void remittance_of(const xmlNode *tx, struct camt_move *m)
{
    const xmlNode *rmt = at(tx, "RmtInf");
    char t[160], lines[4 * 141] = "";
    for (const xmlNode *c = rmt ? rmt->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp((const char *)c->name, "Strd") == 0 && m->refs.count == 0) {
            text_at(c, "CdtrRefInf/Ref", t, sizeof(t));
            camt_find_references(t, &m->refs);
        } else if (strcmp((const char *)c->name, "Ustrd") == 0) {
            text_of(c, t, sizeof(t));
            size_t used = strlen(lines);
            if (t[0]) /* cut where the buffer ends */
                snprintf(lines + used, sizeof(lines) - used, "%s%s", used ? " " : "", t);
        }
    }
    copy_fit(m->remittance, sizeof(m->remittance), lines, strlen(lines)); /* cut to the field */
    if (m->refs.count == 0)
        camt_find_references(lines, &m->refs);
}

/* Appends one movement. 0, or -1 when the statement holds too many. */
static int add(struct camt_statement *s, int *cap, const struct camt_move *m)
{
    if (s->count == CAMT_MAX_MOVES)
        return -1;
    if (s->count == *cap) {
        int grown_cap = *cap ? *cap * 2 : 16;
        struct camt_move *grown = realloc(s->moves, (size_t)grown_cap * sizeof(*grown));
        if (grown == NULL)
            return -1;
        s->moves = grown;
        *cap = grown_cap;
    }
    s->moves[s->count++] = *m;
    return 0;
}

/* The amount of one transaction of a batch entry into m (which has the entry's currency):
 * the one booked on the account, in its currency (Amt in .08, AmtDtls/TxAmt in .02), else
 * the one the payer instructed when it is in that currency too. An entry of one
 * transaction keeps the entry's amount: what the account received, after any charges,
 * whatever the payer instructed (InstdAmt), maybe in another currency. 0, or -1 with
 * why. */
static int read_batch_amount(const xmlNode *t, struct camt_move *m, struct camt_problem *why)
{
    static const char *const paths[] = {"Amt", "AmtDtls/TxAmt/Amt", "AmtDtls/InstdAmt/Amt"};
    char account[4], currency[4];
    snprintf(account, sizeof(account), "%s", m->currency);
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        const xmlNode *amt = at(t, paths[i]);
        int64_t amount;
        if (amt == NULL)
            continue;
        if (amount_of(amt, &amount, currency, why) < 0)
            return -1;
        if (strcmp(currency, account) == 0) {
            m->amount = amount;
            return 0;
        }
    }
    return fail(why, MSG_CAMT_BATCH_CURRENCY, 1, account);
}

/* The movements of one Ntry: number no of the document (for why), number nth of its
 * statement (its key when the bank gives it no reference). 0, or -1 with why. */
static int read_entry(struct camt_statement *s, int *cap, const xmlNode *e, int no, int nth,
                      struct camt_problem *why)
{
    struct camt_move base = {0};
    char sts[16], ref[64], rvsl[8], most[12];
    snprintf(most, sizeof(most), "%d", CAMT_MAX_MOVES);
    place(why, MSG_CAMT_AT_ENTRY, no, 0);
    base.entry = no;
    if (amount_of(kid(e, "Amt"), &base.amount, base.currency, why) < 0)
        return -1;
    base.credit = is_credit(e);
    text_at(e, "Sts", sts, sizeof(sts));
    if (kid(kid(e, "Sts"), "Cd"))
        text_at(e, "Sts/Cd", sts, sizeof(sts));
    base.booked = strcmp(sts, "BOOK") == 0;
    base.reversal = strcmp(text_at(e, "RvslInd", rvsl, sizeof(rvsl)), "true") == 0;
    date_at(kid(e, "BookgDt"), base.booked_on);
    date_at(kid(e, "ValDt"), base.value_on);
    if (base.booked && base.booked_on[0] == '\0')
        return fail(why, MSG_CAMT_BOOKING_DATE, 0);
    text_at(e, "AcctSvcrRef", ref, sizeof(ref));
    if (ref[0] == '\0')
        text_at(e, "NtryRef", ref, sizeof(ref));
    char entry_key[80];
    if (ref[0])
        snprintf(entry_key, sizeof(entry_key), "%s", ref);
    else /* its place in its own statement, whatever statements come before it in the file */
        snprintf(entry_key, sizeof(entry_key), "#%d", nth);

    int txs = 0, total = 0;
    for (const xmlNode *d = e->children; d; d = d->next)
        if (d->type == XML_ELEMENT_NODE && strcmp((const char *)d->name, "NtryDtls") == 0)
            for (const xmlNode *t = d->children; t; t = t->next)
                total += t->type == XML_ELEMENT_NODE && !strcmp((const char *)t->name, "TxDtls");
    for (const xmlNode *d = e->children; d; d = d->next) {
        if (d->type != XML_ELEMENT_NODE || strcmp((const char *)d->name, "NtryDtls") != 0)
            continue;
        for (const xmlNode *t = d->children; t; t = t->next) {
            if (t->type != XML_ELEMENT_NODE || strcmp((const char *)t->name, "TxDtls") != 0)
                continue;
            struct camt_move m = base;
            txs++;
            place(why, MSG_CAMT_AT_TRANSACTION, no, txs);
            if (total > 1 && read_batch_amount(t, &m, why) < 0)
                return -1;
            if (kid(t, "CdtDbtInd"))
                m.credit = is_credit(t);
            text_at(t, "Refs/EndToEndId", m.end_to_end_id, sizeof(m.end_to_end_id));
            text_at(t, "Refs/AcctSvcrRef", ref, sizeof(ref));
            if (ref[0] == '\0')
                snprintf(ref, sizeof(ref), "#%d", txs);
            snprintf(m.key, sizeof(m.key), "%s/%s/%s", s->id, entry_key, ref);
            party_of(t, m.credit, &m);
            remittance_of(t, &m);
            if (add(s, cap, &m) < 0)
                return fail(why, MSG_CAMT_TOO_MANY, 1, most);
        }
    }
    if (txs == 0) {
        snprintf(base.key, sizeof(base.key), "%s/%s/-", s->id, entry_key);
        if (add(s, cap, &base) < 0)
            return fail(why, MSG_CAMT_TOO_MANY, 1, most);
    }
    return 0;
}

/* Every Stmt of the document's BkToCstmrStmt. */
static int read_statements(struct camt_statement *s, const xmlNode *root,
                           struct camt_problem *why)
{
    const xmlNode *body = kid(root, "BkToCstmrStmt");
    int cap = 0, stmts = 0, entries = 0;
    if (body == NULL)
        return fail(why, MSG_CAMT_NO_BODY, 0);
    for (const xmlNode *st = body->children; st; st = st->next) {
        if (st->type != XML_ELEMENT_NODE || strcmp((const char *)st->name, "Stmt") != 0)
            continue;
        stmts++;
        place(why, MSG_CAMT_AT_STATEMENT, stmts, 0);
        text_at(st, "Id", s->id, sizeof(s->id));
        if (s->id[0] == '\0')
            return fail(why, MSG_CAMT_STATEMENT_ID, 0);
        /* one account a document: the importer checks it is the program's */
        char typed[64], iban[sizeof(s->iban)];
        rf_compact(text_at(st, "Acct/Id/IBAN", typed, sizeof(typed)), iban, sizeof(iban));
        if (stmts == 1)
            memcpy(s->iban, iban, sizeof(iban));
        else if (strcmp(iban, s->iban) != 0)
            return fail(why, MSG_CAMT_STATEMENT_ACCOUNT, 2, iban[0] ? iban : "\u2014",
                        s->iban[0] ? s->iban : "\u2014");
        int nth = 0;
        for (const xmlNode *e = st->children; e; e = e->next)
            if (e->type == XML_ELEMENT_NODE && strcmp((const char *)e->name, "Ntry") == 0 &&
                read_entry(s, &cap, e, ++entries, ++nth, why) < 0)
                return -1;
    }
    why->at = -1;
    if (stmts == 0)
        return fail(why, MSG_CAMT_NO_STATEMENT, 0);
    return 0;
}

int camt_parse(const char *xml, size_t len, struct camt_statement *out,
               struct camt_problem *why)
{
    memset(out, 0, sizeof(*out));
    memset(why, 0, sizeof(*why));
    why->at = -1;
    if (xml == NULL || len == 0 || len > INT32_MAX)
        return fail(why, MSG_CAMT_EMPTY, 0);
    /* no network, no DTD loaded, no entity substituted, no error printed */
    xmlDoc *doc = xmlReadMemory(xml, (int)len, "statement.xml", NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == NULL)
        return fail(why, MSG_CAMT_NOT_XML, 0);
    int rc = 0;
    const xmlNode *root = xmlDocGetRootElement(doc);
    const char *ns = root && root->ns ? (const char *)root->ns->href : "";
    if (doc->intSubset != NULL || doc->extSubset != NULL) {
        rc = fail(why, MSG_CAMT_DOCTYPE, 0);
    } else if (root == NULL || strcmp((const char *)root->name, "Document") != 0 ||
               strncmp(ns, NS_PREFIX, strlen(NS_PREFIX)) != 0) {
        rc = fail(why, MSG_CAMT_NOT_CAMT053, 1, NS_VERSIONS);
    } else if (strcmp(ns + strlen(NS_PREFIX), "02") != 0 &&
               strcmp(ns + strlen(NS_PREFIX), "08") != 0) {
        char version[12];
        snprintf(version, sizeof(version), "%.8s", ns + strlen(NS_PREFIX));
        rc = fail(why, MSG_CAMT_VERSION, 1, version);
    } else {
        out->version = atoi(ns + strlen(NS_PREFIX));
        rc = read_statements(out, root, why);
    }
    xmlFreeDoc(doc);
    if (rc < 0)
        camt_free(out);
    return rc;
}

json_t *camt_problem_json(const struct camt_problem *why)
{
    const char *args[3] = {why->args[0], why->args[1], why->args[2]};
    const char *at[2] = {why->at_args[0], why->at_args[1]};
    json_t *problem = pd_problem(why->id, args, why->nargs);
    if (why->at >= 0)
        problem = pd_problem_at(pd_problem((enum msg_id)why->at, at, why->at_nargs), problem);
    return problem;
}

void camt_free(struct camt_statement *s)
{
    free(s->moves);
    s->moves = NULL;
    s->count = 0;
}
