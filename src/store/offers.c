/* store/offers.c - SQL of offers, prices, benefits and certified people. */
#include "store/offers.h"

#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "db/db.h"

int offers_find(struct db *db, const char *code, struct offer_row *out)
{
    struct db_stmt *st;
    int rc = db_query(db, &st, "SELECT code, term_months, certified_required FROM offers "
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

int offers_catalog(struct db *db, const char *lang, json_t **items)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT o.code, t.name, t.description, o.term_months, "
                      "o.certified_required FROM offers o JOIN offer_texts t ON t.offer_code = "
                      "o.code AND t.lang = ? ORDER BY o.position, o.code",
                      "t", lang);
    if (rc < 0)
        return rc;
    json_t *list = json_array(), *by_code = json_object();
    while ((rc = db_step(st)) == DB_ROW) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:[], s:{}}", "code",
                              db_column_text(st, 0), "name", db_column_text(st, 1),
                              "description", db_column_text(st, 2), "term_months",
                              (json_int_t)db_column_int64(st, 3), "certified_required",
                              (json_int_t)db_column_int64(st, 4), "benefits", "prices");
        json_array_append_new(list, o);
        json_object_set(by_code, db_column_text(st, 0), o);
    }
    db_finalize(st);
    bool english = strcmp(lang, "en") == 0;
    if (rc >= 0)
        rc = db_query(db, &st, "SELECT offer_code, kind, fr, en FROM offer_benefits ORDER BY "
                               "offer_code, position", "");
    if (rc >= 0) {
        while ((rc = db_step(st)) == DB_ROW) {
            json_t *o = json_object_get(by_code, db_column_text(st, 0));
            if (o)
                json_array_append_new(json_object_get(o, "benefits"),
                                      json_pack("{s:s, s:s}", "kind", db_column_text(st, 1),
                                                "label", db_column_text(st, english ? 3 : 2)));
        }
        db_finalize(st);
    }
    if (rc >= 0)
        rc = db_query(db, &st, "SELECT offer_code, currency, amount_minor FROM offer_prices", "");
    if (rc >= 0) {
        while ((rc = db_step(st)) == DB_ROW) {
            json_t *o = json_object_get(by_code, db_column_text(st, 0));
            if (o)
                json_object_set_new(json_object_get(o, "prices"), db_column_text(st, 1),
                                    json_integer(db_column_int64(st, 2)));
        }
        db_finalize(st);
    }
    json_decref(by_code);
    if (rc < 0) {
        json_decref(list);
        return rc;
    }
    *items = list;
    return 0;
}

int offers_price(struct db *db, const char *code, const char *currency, int64_t *amount)
{
    struct db_stmt *st;
    int rc = db_query(db, &st, "SELECT amount_minor FROM offer_prices WHERE offer_code = ? AND "
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
    int64_t rc = db_run(db,
                        "INSERT INTO offers (code, term_months, certified_required, position, "
                        "created_at) SELECT ?, ?, ?, COALESCE(MAX(position), 0) + 1, ? FROM offers",
                        "tiii", o->code, (int64_t)o->term_months,
                        (int64_t)o->certified_required, now);
    if (rc >= 0)
        rc = db_run(db, "INSERT INTO offer_texts (offer_code, lang, name, description) VALUES "
                        "(?, 'fr', ?, ?), (?, 'en', ?, ?)",
                    "tttttt", o->code, name_fr, description_fr, o->code, name_en, description_en);
    return rc < 0 ? (int)rc : 0;
}

int offers_add_benefit(struct db *db, const char *code, int position, const char *kind,
                       const char *fr, const char *en)
{
    int64_t rc = db_run(db, "INSERT INTO offer_benefits (offer_code, position, kind, fr, en) "
                            "VALUES (?, ?, ?, ?, ?)",
                        "tittt", code, (int64_t)position, kind, fr, en);
    return rc < 0 ? (int)rc : 0;
}

int certified_count(struct db *db, const char *partner_id, int64_t *count)
{
    return db_scalar(db, count, "SELECT COUNT(*) FROM certified_people WHERE partner_id = ?", "t",
                     partner_id);
}

int certified_list(struct db *db, const char *partner_id, json_t **items)
{
    struct db_stmt *st;
    char created[21];
    int rc = db_query(db, &st,
                      "SELECT id, name, email, certification, created_at FROM certified_people "
                      "WHERE partner_id = ? ORDER BY created_at DESC, id DESC",
                      "t", partner_id);
    if (rc < 0)
        return rc;
    *items = json_array();
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(*items,
                              json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", db_column_text(st, 0),
                                        "name", db_column_text(st, 1), "email",
                                        db_column_text(st, 2), "certification",
                                        db_column_text(st, 3), "created_at",
                                        instant_format(db_column_int64(st, 4), created)));
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int certified_insert(struct db *db, const char *id, const char *partner_id, const char *name,
                     const char *email, const char *certification, int64_t now)
{
    int64_t rc = db_run(db, "INSERT INTO certified_people (id, partner_id, name, email, "
                            "certification, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                        "ttttti", id, partner_id, name, email, certification,
                        now);
    return rc < 0 ? (int)rc : 0;
}

int certified_delete(struct db *db, const char *id, const char *partner_id)
{
    int64_t rc = db_run(db, "DELETE FROM certified_people WHERE id = ? AND partner_id = ?", "tt",
                        id, partner_id);
    return rc < 0 ? (int)rc : rc > 0;
}

json_t *offers_names(struct db *db, const char *code)
{
    json_t *names = json_object();
    struct db_stmt *st;
    if (db_query(db, &st, "SELECT lang, name FROM offer_texts WHERE offer_code = ?", "t", code) < 0)
        return names;
    while (db_step(st) == DB_ROW)
        json_object_set_new(names, db_column_text(st, 0), json_string(db_column_text(st, 1)));
    db_finalize(st);
    return names;
}
