/*
 * store/offers.c - SQL of offers, their texts, benefits and prices.
 *
 * The catalog is read in three plain queries (offers with texts, benefits, prices) that the
 * service joins by offer code; lists grow in the caller's arena, so nothing here is freed
 * one by one.
 */
#include "store/offers.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "db/db.h"
#include "store/rows.h"

int offers_find(struct db *db, const char *code, struct offer_row *out)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT code, term_months, certified_required FROM offers "
                      "WHERE code = ?",
                      "t", code);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        snprintf(out->code, sizeof(out->code), "%s", db_column_text(st, 0));
        out->term_months = (int)db_column_int64(st, 1);
        out->certified_required = (int)db_column_int64(st, 2);
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

int offers_catalog(struct db *db, struct arena *a, const char *lang, struct offer_entry **out,
                   int *count)
{
    struct db_stmt *st;
    struct rows r = {0};
    int rc = db_query(db, &st,
                      "SELECT o.code, t.name, t.description, o.term_months, "
                      "o.certified_required FROM offers o JOIN offer_texts t ON t.offer_code = "
                      "o.code AND t.lang = ? ORDER BY o.position, o.code",
                      "t", lang);
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        struct offer_entry *e = rows_add(a, &r, sizeof(*e));
        snprintf(e->offer.code, sizeof(e->offer.code), "%s", db_column_text(st, 0));
        e->name = arena_strdup(a, db_column_text(st, 1));
        e->description = arena_strdup(a, db_column_text(st, 2));
        e->offer.term_months = (int)db_column_int64(st, 3);
        e->offer.certified_required = (int)db_column_int64(st, 4);
    }
    db_finalize(st);
    *out = r.items;
    *count = r.count;
    return rc < 0 ? rc : 0;
}

int offers_benefits(struct db *db, struct arena *a, struct offer_benefit **out, int *count)
{
    struct db_stmt *st;
    struct rows r = {0};
    int rc = db_query(db, &st,
                      "SELECT offer_code, kind, fr, en FROM offer_benefits ORDER BY "
                      "offer_code, position",
                      "");
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        struct offer_benefit *b = rows_add(a, &r, sizeof(*b));
        b->offer_code = arena_strdup(a, db_column_text(st, 0));
        b->kind = arena_strdup(a, db_column_text(st, 1));
        b->fr = arena_strdup(a, db_column_text(st, 2));
        b->en = arena_strdup(a, db_column_text(st, 3));
    }
    db_finalize(st);
    *out = r.items;
    *count = r.count;
    return rc < 0 ? rc : 0;
}

int offers_prices(struct db *db, struct arena *a, struct offer_price **out, int *count)
{
    struct db_stmt *st;
    struct rows r = {0};
    int rc = db_query(db, &st, "SELECT offer_code, currency, amount_minor FROM offer_prices", "");
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        struct offer_price *p = rows_add(a, &r, sizeof(*p));
        p->offer_code = arena_strdup(a, db_column_text(st, 0));
        snprintf(p->currency, sizeof(p->currency), "%s", db_column_text(st, 1));
        p->amount_minor = db_column_int64(st, 2);
    }
    db_finalize(st);
    *out = r.items;
    *count = r.count;
    return rc < 0 ? rc : 0;
}

int offers_names(struct db *db, const char *code, struct offer_names *out)
{
    struct db_stmt *st;
    int found = 0;
    out->fr[0] = out->en[0] = '\0';
    int rc =
        db_query(db, &st, "SELECT lang, name FROM offer_texts WHERE offer_code = ?", "t", code);
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *lang = db_column_text(st, 0);
        char *name = strcmp(lang, "fr") == 0 ? out->fr : strcmp(lang, "en") == 0 ? out->en : NULL;
        if (name) {
            snprintf(name, sizeof(out->fr), "%s", db_column_text(st, 1));
            found = 1;
        }
    }
    db_finalize(st);
    return rc < 0 ? rc : found;
}

int offers_price(struct db *db, const char *code, const char *currency, int64_t *amount)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT amount_minor FROM offer_prices WHERE offer_code = ? AND "
                      "currency = ?",
                      "tt", code, currency);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        *amount = db_column_int64(st, 0);
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

int offers_set_price(struct db *db, const char *code, const char *currency, int64_t amount,
                     int64_t now)
{
    int64_t rc = db_run(db,
                        "INSERT INTO offer_prices (offer_code, currency, amount_minor, updated_at) "
                        "VALUES (?, ?, ?, ?) ON CONFLICT (offer_code, currency) DO UPDATE SET "
                        "amount_minor = excluded.amount_minor, updated_at = excluded.updated_at",
                        "ttii", code, currency, amount, now);
    return rc < 0 ? (int)rc : 0;
}

int offers_insert(struct db *db, const struct offer_row *o, const char *name_fr,
                  const char *name_en, const char *description_fr, const char *description_en,
                  int64_t now)
{
    int64_t rc =
        db_run(db,
               "INSERT INTO offers (code, term_months, certified_required, position, "
               "created_at) SELECT ?, ?, ?, COALESCE(MAX(position), 0) + 1, ? FROM offers",
               "tiii", o->code, (int64_t)o->term_months, (int64_t)o->certified_required, now);
    if (rc >= 0)
        rc = db_run(db,
                    "INSERT INTO offer_texts (offer_code, lang, name, description) VALUES "
                    "(?, 'fr', ?, ?), (?, 'en', ?, ?)",
                    "tttttt", o->code, name_fr, description_fr, o->code, name_en, description_en);
    return rc < 0 ? (int)rc : 0;
}

int offers_add_benefit(struct db *db, const char *code, int position, const char *kind,
                       const char *fr, const char *en)
{
    int64_t rc = db_run(db,
                        "INSERT INTO offer_benefits (offer_code, position, kind, fr, en) "
                        "VALUES (?, ?, ?, ?, ?)",
                        "tittt", code, (int64_t)position, kind, fr, en);
    return rc < 0 ? (int)rc : 0;
}
