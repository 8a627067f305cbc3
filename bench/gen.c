/*
 * bench/gen.c - writes a program of a chosen size into a database, for `make bench` and the
 * scale tests (issue 20).
 *
 *   build/bench_gen --db URL [--size S|L] [--partners N] [--subscriptions N]
 *                   [--invoices N] [--today YYYY-MM-DD] [--seed N] [--gateway-ledger F]
 *
 * S (the default) is 10 000 partners, 30 000 subscriptions and 60 000 invoices; L is
 * 100 000 / 1 000 000 / 2 000 000. The counts can be set one by one. The database is
 * migrated first and must hold no partner yet. Rows go in through the store functions the
 * API's use cases call (store/users.h, subscriptions.h, orders.h, payments.h, invoices.h),
 * so they are the rows, constraints, indexes and kept totals the server writes, 1 000
 * organisations per transaction, on SQLite or PostgreSQL alike.
 *
 * The shape, around --today (default: today, UTC):
 *   - an organisation: a global admin, four certified people (what a Gold competency
 *     asks), a saved card (every fourth has none), French or
 *     from another EU country, a VAT number checked valid for those with one; with
 *     --gateway-ledger, each card is tokenized by the test gateway into that ledger (give
 *     the jobs the same one: their automatic renewals are then charged, not declined);
 *   - its subscriptions, to the offers of the catalog in turn, each with its terms (one a
 *     year, as many as invoices / subscriptions on average) and per term a confirmed card
 *     order, its payment and its invoice (a frozen document of about 2 kB), and the
 *     latest term's benefits granted (service/benefits.h, as a purchase grants them);
 *   - expiries spread over the year ahead and the 45 days behind, so each day has its
 *     renewals, reminders and notices due; 70 % renew automatically, 3 % are cancelled;
 *   - one subscription in 200 with its latest term bought by wire transfer and still
 *     awaiting payment, due from 20 days ago to 10 days ahead (for wire_expiry).
 * Deterministic for a seed. Prints the counts written and the time taken.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/roles.h"
#include "core/subscription.h"
#include "db/db.h"
#include "gateway/test_gateway.h"
#include "service/benefits.h"
#include "service/tx.h"
#include "store/certified.h"
#include "store/invoices.h"
#include "store/offers.h"
#include "store/orders.h"
#include "store/payments.h"
#include "store/subscriptions.h"
#include "store/users.h"

#define BATCH 1000

struct plan {
    long partners, subscriptions, invoices;
    struct date today;
    unsigned long long rng;
};

struct counts {
    long partners, subscriptions, terms, orders, invoices, awaiting;
};

/* The test gateway's ledger the cards are tokenized into (--gateway-ledger), or NULL. */
static const char *ledger;

static unsigned next_rand(struct plan *p)
{
    p->rng = p->rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)(p->rng >> 33);
}

static const char *const countries[] = {"FR", "FR", "FR", "FR", "BE", "DE", "ES", "IT"};
static const char *const cities[] = {"Paris",     "Lyon",   "Nantes", "Lille",
                                     "Bruxelles", "Berlin", "Madrid", "Milano"};

static int write_partner(struct db *db, struct plan *p, long i, int64_t now, bool *card)
{
    struct partner_row pr;
    struct user_row u;
    int c = (int)(i % 8);
    memset(&pr, 0, sizeof(pr));
    snprintf(pr.id, sizeof(pr.id), "ptn_gen%07ld", i);
    snprintf(pr.membership_id, sizeof(pr.membership_id), "%07u",
             (unsigned)(1000000 + i % 9000000) % 10000000u); /* 7 digits */
    snprintf(pr.legal_name, sizeof(pr.legal_name), "Société %ld %s", i, i % 3 ? "SARL" : "SAS");
    snprintf(pr.country, sizeof(pr.country), "%s", countries[c]);
    snprintf(pr.address_line1, sizeof(pr.address_line1), "%ld rue de la République", 1 + i % 180);
    snprintf(pr.postal_code, sizeof(pr.postal_code), "%05ld", 10000 + (i * 37) % 85000);
    snprintf(pr.city, sizeof(pr.city), "%s", cities[c]);
    if (i % 5 != 0) { /* four in five have a VAT number, checked */
        snprintf(pr.vat_id, sizeof(pr.vat_id), "%s%09ld", countries[c], 100000000 + i);
        snprintf(pr.vat_id_status, sizeof(pr.vat_id_status), "valid");
    }
    snprintf(pr.locale, sizeof(pr.locale), "%s", c < 4 ? "fr" : "en");
    snprintf(pr.currency, sizeof(pr.currency), "EUR");
    pr.created_at = now - (int64_t)(next_rand(p) % (6 * 365)) * 86400;
    int rc = partners_insert(db, &pr);
    if (rc < 0)
        return rc;
    memset(&u, 0, sizeof(u));
    snprintf(u.id, sizeof(u.id), "usr_gen%07ld", i);
    snprintf(u.kind, sizeof(u.kind), "partner");
    snprintf(u.partner_id, sizeof(u.partner_id), "%s", pr.id);
    snprintf(u.email, sizeof(u.email), "admin%ld@gen.example", i);
    snprintf(u.name, sizeof(u.name), "Admin %ld", i);
    snprintf(u.locale, sizeof(u.locale), "%s", pr.locale);
    snprintf(u.status, sizeof(u.status), "active");
    u.roles = ROLE_GLOBAL_ADMIN;
    u.created_at = pr.created_at;
    if ((rc = users_insert(db, &u)) < 0)
        return rc;
    /* the certified people a Gold competency asks for (four; Silver two), so that its
     * renewals are eligible as they were when it was bought */
    for (int k = 0; rc >= 0 && k < 4; k++) {
        char id[32], name[32], email[64];
        snprintf(id, sizeof(id), "cer_gen%07ld%d", i, k);
        snprintf(name, sizeof(name), "Certified %ld-%d", i, k);
        snprintf(email, sizeof(email), "certified%d@%ld.gen.example", k, i);
        struct certified_row cp = {id, name, email, "Azure Administrator", pr.created_at};
        rc = certified_insert(db, &cp, pr.id);
    }
    if (rc < 0)
        return rc;
    *card = i % 4 != 3;
    if (*card) {
        struct order_row o = {.card_exp_month = 12, .card_exp_year = 2035};
        snprintf(o.card_token, sizeof(o.card_token), "tok_test_gen%ld", i);
        snprintf(o.card_brand, sizeof(o.card_brand), "visa");
        snprintf(o.card_last4, sizeof(o.card_last4), "4242");
        if (ledger) { /* a card the test gateway knows */
            struct gw_card gc = {"4242424242424242", 12, 2035, "737", u.name};
            struct gw_token tok;
            struct pd_error err = {0};
            rc = test_gateway_tokenize(&gc, &tok, &err);
            pd_error_clear(&err);
            snprintf(o.card_token, sizeof(o.card_token), "%s", tok.token);
        }
        if (rc >= 0)
            rc = payment_method_save(db, pr.id, &o, pr.created_at);
    }
    return rc;
}

/* A document of the size of a real one (the frozen JSON the PDF is drawn from). */
static void document_text(char *buf, size_t n, const struct invoice_row *v, const char *offer)
{
    int o = snprintf(buf, n,
                     "{\"number\":\"%s\",\"issued_on\":\"%s\",\"currency\":\"%s\",\"lines\":[{"
                     "\"offer\":\"%s\",\"quantity\":1,\"amount_minor\":%lld}],\"seller\":{"
                     "\"name\":\"Programme Partenaires\",\"address\":\"12 avenue des Champs\","
                     "\"vat_id\":\"FR40303265045\"},\"notes\":[",
                     v->number, v->issued_on, v->currency, offer, (long long)v->subtotal);
    for (int k = 0; o > 0 && (size_t)o < n - 200 && k < 20; k++)
        o += snprintf(buf + o, n - (size_t)o,
                      "%s\"Conditions générales de vente, article %d : paiement à réception.\"",
                      k ? "," : "", k + 1);
    if (o > 0 && (size_t)o < n - 4)
        snprintf(buf + o, n - (size_t)o, "]}");
}

/* One term: its order (card, confirmed; or wire, awaiting payment), payment and invoice. */
static int write_term(struct db *db, struct counts *c, const struct sub_row *s,
                      const struct offer_price *price, int term, struct date starts,
                      struct date expires, bool wire, struct plan *p)
{
    struct order_row o;
    struct invoice_row v;
    char doc[2400];
    int64_t at = (int64_t)date_diff_days((struct date){1970, 1, 1}, starts) * 86400 + 36000;
    memset(&o, 0, sizeof(o));
    memset(&v, 0, sizeof(v));
    long n = c->orders++;
    snprintf(o.id, sizeof(o.id), "ord_gen%09ld", n);
    snprintf(o.partner_id, sizeof(o.partner_id), "%s", s->partner_id);
    snprintf(o.offer_code, sizeof(o.offer_code), "%s", s->offer_code);
    snprintf(o.action, sizeof(o.action), "%s", term == 1 ? "purchase" : "renewal");
    snprintf(o.subscription_id, sizeof(o.subscription_id), "%s", s->id);
    snprintf(o.status, sizeof(o.status), "%s", wire ? "awaiting_payment" : "confirmed");
    snprintf(o.currency, sizeof(o.currency), "%s", price->currency);
    o.unit_amount = o.subtotal = price->amount_minor;
    o.tax_rate = 2000;
    o.tax_amount = o.subtotal / 5;
    o.total = o.subtotal + o.tax_amount;
    snprintf(o.tax_treatment, sizeof(o.tax_treatment), "domestic");
    snprintf(o.payment_method, sizeof(o.payment_method), "%s", wire ? "wire" : "card");
    if (wire) {
        snprintf(o.wire_name, sizeof(o.wire_name), "Comptabilité");
        snprintf(o.wire_email, sizeof(o.wire_email), "compta@gen.example");
        snprintf(o.wire_reference, sizeof(o.wire_reference), "GEN-%09ld", n);
    }
    int rc = orders_insert(db, &o, at);
    if (rc < 0)
        return rc;
    char key[80], pay_id[32], day[DATE_STRLEN];
    snprintf(key, sizeof(key), "gen-%s-%d", s->id, term);
    if (!wire && ((rc = payments_insert(db, o.id, 1, "card", key, o.total, o.currency, at, pay_id,
                                        sizeof(pay_id))) < 0 ||
                  (rc = payments_set(db, key, "succeeded", "ch_gen", NULL, at)) < 0))
        return rc;
    long k = c->invoices++;
    snprintf(v.id, sizeof(v.id), "inv_gen%09ld", k);
    snprintf(v.type, sizeof(v.type), "invoice");
    snprintf(v.number, sizeof(v.number), "G%04d-%08ld", starts.year, k);
    snprintf(v.partner_id, sizeof(v.partner_id), "%s", s->partner_id);
    snprintf(v.order_id, sizeof(v.order_id), "%s", o.id);
    date_format(starts, v.issued_on);
    if (wire) /* due in a month, spread from 20 days ago to 10 days ahead */
        date_format(date_add_days(p->today, (int)(next_rand(p) % 31) - 20), v.due_on);
    snprintf(v.currency, sizeof(v.currency), "%s", o.currency);
    v.subtotal = o.subtotal;
    v.tax_rate = o.tax_rate;
    v.tax_amount = o.tax_amount;
    v.total = o.total;
    snprintf(v.tax_treatment, sizeof(v.tax_treatment), "%s", o.tax_treatment);
    snprintf(v.lang, sizeof(v.lang), "fr");
    document_text(doc, sizeof(doc), &v, o.offer_code);
    char start_s[DATE_STRLEN], end_s[DATE_STRLEN];
    date_format(starts, start_s);
    date_format(expires, end_s);
    if ((rc = invoices_insert(db, &v, start_s, end_s, doc, at, NULL)) < 0)
        return rc;
    c->awaiting += wire;
    return orders_set_outcome(db, &o, o.status, wire ? NULL : date_format(starts, day), v.id, NULL,
                              s->id, wire ? v.due_on : NULL, at);
}

static int write_subscription(struct db *db, struct plan *p, struct counts *c, long i,
                              const char *partner_id, bool card, const struct offer_price *price,
                              int terms)
{
    struct sub_row s;
    memset(&s, 0, sizeof(s));
    /* the current term expires from 45 days ago to 320 days ahead */
    struct date expires = date_add_days(p->today, (int)(next_rand(p) % 365) - 45);
    struct date starts = date_add_months(expires, -12 * terms);
    snprintf(s.id, sizeof(s.id), "sub_gen%08ld", i);
    snprintf(s.partner_id, sizeof(s.partner_id), "%s", partner_id);
    snprintf(s.offer_code, sizeof(s.offer_code), "%s", price->offer_code);
    snprintf(s.managed_in, sizeof(s.managed_in), "partner_center");
    s.paid = true;
    date_format(date_add_months(expires, -12), s.starts_on);
    date_format(expires, s.expires_on);
    s.auto_renew = card && next_rand(p) % 10 < 7;
    s.created_at = (int64_t)date_diff_days((struct date){1970, 1, 1}, starts) * 86400 + 36000;
    int rc = subs_insert(db, &s, s.created_at);
    /* the days the notices and renewals jobs first look at it, as they would have been
     * written by the passes of earlier years (migration 024 gives the same to rows of old) */
    char notice_on[DATE_STRLEN], renew_on[DATE_STRLEN];
    if (rc >= 0)
        rc = subs_set_check(db, SUBS_CHECK_NOTICE, s.id,
                            date_format(sub_notice_first_check(expires), notice_on));
    if (rc >= 0)
        rc = subs_set_check(db, SUBS_CHECK_RENEW, s.id,
                            date_format(sub_auto_renew_first_check(expires), renew_on));
    if (rc < 0)
        return rc;
    c->subscriptions++;
    bool wire_last = i % 200 == 199;
    for (int t = 1; rc >= 0 && t <= terms; t++) {
        struct date ts = date_add_months(starts, 12 * (t - 1)), te = date_add_months(ts, 12);
        char a[DATE_STRLEN], b[DATE_STRLEN];
        rc = subs_add_term(db, s.id, t, date_format(ts, a), date_format(te, b),
                           t == 1 ? "purchase" : "auto_renewal", t == terms, s.created_at);
        if (rc >= 0)
            rc = write_term(db, c, &s, price, t, ts, te, wire_last && t == terms, p);
        /* the latest term's benefits, granted as a purchase or renewal grants them */
        if (rc >= 0 && t == terms)
            rc = benefits_grant_term(db, s.id, s.partner_id, s.offer_code, t, a, b);
        c->terms++;
    }
    if (rc >= 0 && i % 33 == 32) { /* cancelled: runs to its end, not renewed */
        char on[DATE_STRLEN];
        rc = subs_cancel(db, s.id, date_format(date_add_days(p->today, -10), on), s.created_at);
    }
    return rc;
}

static int generate(struct db *db, struct plan *p, struct counts *c)
{
    struct arena a = {0};
    struct offer_price *prices = NULL;
    int nprices = 0;
    int rc = offers_prices(db, &a, &prices, &nprices);
    int eur = 0;
    struct offer_price *euro[64];
    for (int i = 0; rc >= 0 && i < nprices && eur < 64; i++)
        if (!strcmp(prices[i].currency, "EUR"))
            euro[eur++] = &prices[i];
    if (rc >= 0 && eur == 0) {
        fprintf(stderr, "bench_gen: the catalog has no price in EUR\n");
        rc = -1;
    }
    int64_t now = (int64_t)date_diff_days((struct date){1970, 1, 1}, p->today) * 86400;
    long sub = 0, inv_left = p->invoices;
    for (long i = 0; rc >= 0 && i < p->partners; i += BATCH) {
        struct pd_error err = {0};
        if ((rc = tx_begin(db, &err)) < 0)
            break;
        for (long j = i; rc >= 0 && j < i + BATCH && j < p->partners; j++) {
            bool card = false;
            char partner_id[32];
            snprintf(partner_id, sizeof(partner_id), "ptn_gen%07ld", j);
            rc = write_partner(db, p, j, now, &card);
            c->partners += rc >= 0;
            /* the subscriptions of the program spread evenly over its organisations */
            long until = (j + 1) * p->subscriptions / p->partners;
            for (; rc >= 0 && sub < until; sub++) {
                /* the invoices left spread evenly over the subscriptions left */
                long left = p->subscriptions - sub;
                int terms = (int)((inv_left + left - 1) / left);
                if (terms < 1)
                    terms = 1;
                if (terms > 1 && (long)next_rand(p) % left < (terms * left - inv_left))
                    terms--;
                rc = write_subscription(db, p, c, sub, partner_id, card, euro[sub % eur], terms);
                inv_left -= terms;
            }
        }
        rc = tx_end(db, rc, &err);
        if (rc < 0)
            fprintf(stderr, "bench_gen: %s\n", err.message[0] ? err.message : db_errmsg(db));
        pd_error_clear(&err);
        fprintf(stderr, "\rbench_gen: %ld/%ld organisations", c->partners, p->partners);
    }
    fprintf(stderr, "\n");
    arena_free(&a);
    return rc;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_gen --db URL [--size S|L] [--partners N] [--subscriptions N] "
                    "[--invoices N] [--today YYYY-MM-DD] [--seed N] [--gateway-ledger F]\n");
}

int main(int argc, char **argv)
{
    struct plan p = {10000, 30000, 60000, {0}, 1};
    const char *url = NULL;
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    p.today = (struct date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v == NULL) {
            usage();
            return 2;
        }
        if (!strcmp(argv[i], "--db"))
            url = v;
        else if (!strcmp(argv[i], "--size") && !strcmp(v, "L"))
            p.partners = 100000, p.subscriptions = 1000000, p.invoices = 2000000;
        else if (!strcmp(argv[i], "--size") && !strcmp(v, "S"))
            p.partners = 10000, p.subscriptions = 30000, p.invoices = 60000;
        else if (!strcmp(argv[i], "--partners"))
            p.partners = atol(v);
        else if (!strcmp(argv[i], "--subscriptions"))
            p.subscriptions = atol(v);
        else if (!strcmp(argv[i], "--invoices"))
            p.invoices = atol(v);
        else if (!strcmp(argv[i], "--seed"))
            p.rng = strtoull(v, NULL, 10);
        else if (!strcmp(argv[i], "--gateway-ledger"))
            ledger = v;
        else if (!strcmp(argv[i], "--today") && date_parse(v, &p.today) == 0)
            ;
        else {
            usage();
            return 2;
        }
        i++;
    }
    if (url == NULL || p.partners < 1 || p.subscriptions < 0 || p.invoices < p.subscriptions) {
        usage();
        return 2;
    }
    struct db *db = NULL;
    struct pd_error err = {0};
    if (db_open(url, &db, &err) < 0 || db_migrate(db, &err) < 0) {
        fprintf(stderr, "bench_gen: %s\n", err.message);
        return 1;
    }
    if (ledger && gateway_open_test(ledger, &err) < 0) {
        fprintf(stderr, "bench_gen: %s\n", err.message);
        db_close(db);
        return 1;
    }
    int64_t have = 0;
    if (partners_count(db, &have) < 0 || have > 0) {
        fprintf(stderr, "bench_gen: the database already holds partners\n");
        db_close(db);
        return 1;
    }
    struct counts c = {0};
    int64_t t0 = clock_monotonic_us();
    int rc = generate(db, &p, &c);
    double secs = (double)(clock_monotonic_us() - t0) / 1e6;
    db_close(db);
    printf("partners=%ld subscriptions=%ld terms=%ld orders=%ld invoices=%ld awaiting_wire=%ld "
           "seconds=%.1f\n",
           c.partners, c.subscriptions, c.terms, c.orders, c.invoices, c.awaiting, secs);
    return rc < 0 ? 1 : 0;
}
