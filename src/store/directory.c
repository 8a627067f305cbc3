/*
 * store/directory.c - SQL of profiles, listings, logos, the catalog and the search.
 *
 * "Listed" is computed, never stored: a listing joins the highest level of its
 * organisation's subscriptions active on the business date (LEVELS below), so a lapse
 * takes it out of every read at once and a renewal puts it back. The search is built
 * from the filters present; its full-text part is the engine's (db_fts_condition), its
 * order the same on both: level, relevance (2 when the name has every word, 1 when only
 * the descriptions have some), the folded name, the slug.
 */
#include "store/directory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "db/db.h"
#include "store/rows.h"

/* partner_id -> level of its subscriptions active on a day (three ? for the day). */
#define LEVELS                                                                                     \
    "(SELECT partner_id, MAX(CASE offer_code WHEN 'gold-competency' THEN 3 WHEN "                  \
    "'silver-competency' THEN 2 ELSE 1 END) AS level FROM subscriptions WHERE paid = 1 AND "       \
    "starts_on <= ? AND expires_on >= ? AND (cancelled_on IS NULL OR cancelled_on > ?) "           \
    "GROUP BY partner_id)"

#define FIELDS                                                                                     \
    "name, description_fr, description_en, website, logo_hash, industries, services, "             \
    "countries, languages, company_size, referral_email"

static void read_fields(struct db_stmt *st, struct arena *a, int c, struct profile_row *p)
{
    p->name = arena_strdup(a, db_column_text(st, c));
    p->description_fr = arena_strdup(a, db_column_text(st, c + 1));
    p->description_en = arena_strdup(a, db_column_text(st, c + 2));
    p->website = arena_strdup(a, db_column_text(st, c + 3));
    p->logo_hash = arena_strdup(a, db_column_text(st, c + 4));
    p->industries = arena_strdup(a, db_column_text(st, c + 5));
    p->services = arena_strdup(a, db_column_text(st, c + 6));
    p->countries = arena_strdup(a, db_column_text(st, c + 7));
    p->languages = arena_strdup(a, db_column_text(st, c + 8));
    p->company_size = arena_strdup(a, db_column_text(st, c + 9));
    p->referral_email = arena_strdup(a, db_column_text(st, c + 10));
}

/* Runs a one-row query of partner_id, FIELDS..., at[, slug, sort_name[, level]]. */
static int find_one(struct db_stmt *st, struct arena *a, struct profile_row *out, int extra)
{
    int rc = db_step(st);
    if (rc == DB_ROW) {
        memset(out, 0, sizeof(*out));
        out->partner_id = arena_strdup(a, db_column_text(st, 0));
        read_fields(st, a, 1, out);
        out->at = db_column_int64(st, 12);
        if (extra >= 1) {
            out->slug = arena_strdup(a, db_column_text(st, 13));
            out->sort_name = arena_strdup(a, db_column_text(st, 14));
        }
        if (extra >= 2)
            out->level = (int)db_column_int64(st, 15);
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

int profiles_find(struct db *db, struct arena *a, const char *partner_id, struct profile_row *out)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT partner_id, " FIELDS ", updated_at FROM company_profiles WHERE "
                      "partner_id = ?",
                      "t", partner_id);
    return rc < 0 ? rc : find_one(st, a, out, 0);
}

int profiles_save(struct db *db, const struct profile_row *p, const char *user_id, int64_t now)
{
    int64_t rc = db_run(
        db,
        "INSERT INTO company_profiles (partner_id, " FIELDS ", updated_at, updated_by) VALUES (?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (partner_id) DO UPDATE SET name = "
        "excluded.name, description_fr = excluded.description_fr, description_en = "
        "excluded.description_en, website = excluded.website, logo_hash = excluded.logo_hash, "
        "industries = excluded.industries, services = excluded.services, countries = "
        "excluded.countries, languages = excluded.languages, company_size = "
        "excluded.company_size, referral_email = excluded.referral_email, updated_at = "
        "excluded.updated_at, updated_by = excluded.updated_by",
        "ttttttttttttit", p->partner_id, p->name, p->description_fr, p->description_en, p->website,
        p->logo_hash, p->industries, p->services, p->countries, p->languages, p->company_size,
        p->referral_email, now, user_id);
    return rc < 0 ? (int)rc : 0;
}

int listings_find(struct db *db, struct arena *a, const char *partner_id, struct profile_row *out)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT partner_id, " FIELDS ", published_at, slug, sort_name FROM "
                      "directory_listings WHERE partner_id = ?",
                      "t", partner_id);
    return rc < 0 ? rc : find_one(st, a, out, 1);
}

int listings_find_listed(struct db *db, struct arena *a, const char *slug, const char *today,
                         struct profile_row *out)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT l.partner_id, l.name, l.description_fr, l.description_en, l.website, "
                      "l.logo_hash, l.industries, l.services, l.countries, l.languages, "
                      "l.company_size, l.referral_email, l.published_at, l.slug, l.sort_name, "
                      "m.level FROM directory_listings l JOIN " LEVELS
                      " m ON m.partner_id = l.partner_id WHERE l.slug = ?",
                      "tttt", today, today, today, slug);
    return rc < 0 ? rc : find_one(st, a, out, 2);
}

int listings_publish(struct db *db, const struct profile_row *p, int64_t now)
{
    int64_t rc = db_run(
        db,
        "INSERT INTO directory_listings (partner_id, slug, sort_name, " FIELDS
        ", published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
        "(partner_id) DO UPDATE SET sort_name = excluded.sort_name, name = excluded.name, "
        "description_fr = excluded.description_fr, description_en = excluded.description_en, "
        "website = excluded.website, logo_hash = excluded.logo_hash, industries = "
        "excluded.industries, services = excluded.services, countries = excluded.countries, "
        "languages = excluded.languages, company_size = excluded.company_size, referral_email "
        "= excluded.referral_email, published_at = excluded.published_at",
        "tttttttttttttti", p->partner_id, p->slug, p->sort_name, p->name, p->description_fr,
        p->description_en, p->website, p->logo_hash, p->industries, p->services, p->countries,
        p->languages, p->company_size, p->referral_email, now);
    return rc < 0 ? (int)rc : 0;
}

int listings_remove(struct db *db, const char *partner_id)
{
    int64_t rc = db_run(db, "DELETE FROM directory_listings WHERE partner_id = ?", "t", partner_id);
    return rc < 0 ? (int)rc : rc > 0;
}

int listings_slug_taken(struct db *db, const char *slug)
{
    int64_t n = 0;
    int rc = db_scalar(db, &n, "SELECT COUNT(*) FROM directory_listings WHERE slug = ?", "t", slug);
    return rc < 0 ? rc : n > 0;
}

int directory_level(struct db *db, const char *partner_id, const char *today, int64_t *level)
{
    return db_scalar(db, level,
                     "SELECT COALESCE(MAX(level), 0) FROM " LEVELS " m WHERE "
                     "partner_id = ?",
                     "tttt", today, today, today, partner_id);
}

/* ---- the search ---- */

/* Parameters of a search statement, bound in order once the SQL is built. */
struct params {
    const char *text[40];
    int64_t num[40];
    char kind[40]; /* 't' or 'i' */
    int n;
};

static void param_t(struct params *p, const char *v)
{
    p->kind[p->n] = 't';
    p->text[p->n++] = v;
}

static void param_i(struct params *p, int64_t v)
{
    p->kind[p->n] = 'i';
    p->num[p->n++] = v;
}

/* A comma-list filter: (',' || column || ',') LIKE '%,code,%'. */
static void list_filter(struct buf *sql, struct params *p, struct arena *a, const char *column,
                        const char *code)
{
    if (code == NULL)
        return;
    buf_printf(sql, " AND (',' || l.%s || ',') LIKE ?", column);
    param_t(p, arena_printf(a, "%%,%s,%%", code));
}

int directory_search(struct db *db, struct arena *a, const struct directory_query *q,
                     struct profile_row **out, int *count)
{
    struct buf sql = {0};
    struct params p = {0};
    struct rows r = {0};
    char cond[256], name_cond[256], query[WORDS_MAX * (WORD_BYTES + 16)];
    char name_query[WORDS_MAX * (WORD_BYTES + 24)];
    const char *words[WORDS_MAX];
    int rc = 0;
    for (int i = 0; i < q->nwords; i++)
        words[i] = q->words[i];
    if (q->nwords > 0 &&
        ((rc = db_fts_condition(db, "directory_listings", "l", NULL, cond, sizeof(cond))) < 0 ||
         (rc = db_fts_condition(db, "directory_listings", "l", "name", name_cond,
                                sizeof(name_cond))) < 0 ||
         (rc = db_fts_query(db, words, q->nwords, NULL, query, sizeof(query))) < 0 ||
         (rc = db_fts_query(db, words, q->nwords, "name", name_query, sizeof(name_query))) < 0))
        return rc;

    buf_puts(&sql, "SELECT * FROM (SELECT l.partner_id, l.name, l.description_fr, "
                   "l.description_en, l.website, l.logo_hash, l.industries, l.services, "
                   "l.countries, l.languages, l.company_size, l.referral_email, l.published_at, "
                   "l.slug, l.sort_name, m.level, ");
    if (q->nwords > 0) {
        buf_printf(&sql, "CASE WHEN %s THEN 2 ELSE 1 END", name_cond);
        param_t(&p, name_query);
    } else {
        buf_puts(&sql, "0");
    }
    buf_puts(&sql, " AS relevance FROM directory_listings l JOIN " LEVELS
                   " m ON m.partner_id = l.partner_id WHERE 1 = 1");
    for (int i = 0; i < 3; i++)
        param_t(&p, q->today);
    if (q->nwords > 0) {
        buf_printf(&sql, " AND %s", cond);
        param_t(&p, query);
    }
    list_filter(&sql, &p, a, "countries", q->country);
    list_filter(&sql, &p, a, "industries", q->industry);
    list_filter(&sql, &p, a, "services", q->service);
    list_filter(&sql, &p, a, "languages", q->language);
    if (q->level) {
        buf_puts(&sql, " AND m.level = ?");
        param_i(&p, q->level);
    }
    buf_puts(&sql, ") t");
    /* keyset: the rows after the cursor's, in the order below */
    const char *first = q->by_relevance ? "relevance" : "level";
    const char *second = q->by_relevance ? "level" : "relevance";
    int64_t a1 = q->by_relevance ? q->after_relevance : q->after_level;
    int64_t a2 = q->by_relevance ? q->after_level : q->after_relevance;
    if (q->after) {
        buf_printf(&sql,
                   " WHERE t.%s < ? OR (t.%s = ? AND t.%s < ?) OR (t.%s = ? AND t.%s = ? AND "
                   "(t.sort_name > ? OR (t.sort_name = ? AND t.slug > ?)))",
                   first, first, second, first, second);
        param_i(&p, a1);
        param_i(&p, a1);
        param_i(&p, a2);
        param_i(&p, a1);
        param_i(&p, a2);
        param_t(&p, q->after_sort_name);
        param_t(&p, q->after_sort_name);
        param_t(&p, q->after_slug);
    }
    buf_printf(&sql, " ORDER BY t.%s DESC, t.%s DESC, t.sort_name, t.slug LIMIT ?", first, second);
    param_i(&p, q->limit);

    struct db_stmt *st;
    rc = db_prepare(db, sql.data, &st);
    buf_free(&sql);
    if (rc < 0)
        return rc;
    for (int i = 0; i < p.n && rc >= 0; i++)
        rc = p.kind[i] == 't' ? db_bind_text(st, i + 1, p.text[i])
                              : db_bind_int64(st, i + 1, p.num[i]);
    while (rc >= 0 && (rc = db_step(st)) == DB_ROW) {
        struct profile_row *row = rows_add(a, &r, sizeof(struct profile_row));
        row->partner_id = arena_strdup(a, db_column_text(st, 0));
        read_fields(st, a, 1, row);
        row->at = db_column_int64(st, 12);
        row->slug = arena_strdup(a, db_column_text(st, 13));
        row->sort_name = arena_strdup(a, db_column_text(st, 14));
        row->level = (int)db_column_int64(st, 15);
        row->relevance = (int)db_column_int64(st, 16);
    }
    db_finalize(st);
    *out = r.items;
    *count = r.count;
    return rc < 0 ? rc : 0;
}

/* ---- logos ---- */

int logos_insert(struct db *db, const char *hash, const char *partner_id, const char *type,
                 int64_t size, int width, int height, const char *data_b64, int64_t now)
{
    int64_t rc = db_run(db,
                        "INSERT INTO profile_logos (hash, partner_id, content_type, size, width, "
                        "height, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
                        "(hash) DO NOTHING",
                        "tttiiiti", hash, partner_id, type, size, (int64_t)width, (int64_t)height,
                        data_b64, now);
    return rc < 0 ? (int)rc : 0;
}

int logos_get(struct db *db, const char *hash, const char *today, const char *partner_id,
              char *type, size_t tn, char **data_b64)
{
    struct db_stmt *st;
    int rc = today ? db_query(db, &st,
                              "SELECT g.content_type, g.data FROM profile_logos g WHERE g.hash = "
                              "? AND EXISTS (SELECT 1 FROM directory_listings l JOIN " LEVELS
                              " m ON m.partner_id = l.partner_id WHERE l.logo_hash = g.hash)",
                              "tttt", hash, today, today, today)
                   : db_query(db, &st,
                              "SELECT g.content_type, g.data FROM profile_logos g WHERE g.hash = "
                              "? AND (EXISTS (SELECT 1 FROM company_profiles c WHERE c.logo_hash "
                              "= g.hash AND c.partner_id = ?) OR EXISTS (SELECT 1 FROM "
                              "directory_listings l WHERE l.logo_hash = g.hash AND l.partner_id "
                              "= ?))",
                              "ttt", hash, partner_id, partner_id);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        snprintf(type, tn, "%s", db_column_text(st, 0));
        *data_b64 = strdup(db_column_text(st, 1));
        rc = *data_b64 ? 1 : PD_E_INTERNAL;
    }
    db_finalize(st);
    return rc;
}

/* ---- the catalog ---- */

int catalog_entries(struct db *db, struct arena *a, struct catalog_entry **out, int *count)
{
    struct db_stmt *st;
    struct rows r = {0};
    int rc = db_query(db, &st,
                      "SELECT kind, code, fr, en, position FROM directory_catalog ORDER BY kind, "
                      "position, code",
                      "");
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        struct catalog_entry *e = rows_add(a, &r, sizeof(struct catalog_entry));
        e->kind = arena_strdup(a, db_column_text(st, 0));
        e->code = arena_strdup(a, db_column_text(st, 1));
        e->fr = arena_strdup(a, db_column_text(st, 2));
        e->en = arena_strdup(a, db_column_text(st, 3));
        e->position = db_column_int64(st, 4);
    }
    db_finalize(st);
    *out = r.items;
    *count = r.count;
    return rc < 0 ? rc : 0;
}

int catalog_put(struct db *db, const struct catalog_entry *e)
{
    int64_t rc = db_run(db,
                        "INSERT INTO directory_catalog (kind, code, fr, en, position) VALUES (?, "
                        "?, ?, ?, ?) ON CONFLICT (kind, code) DO UPDATE SET fr = excluded.fr, en = "
                        "excluded.en, position = excluded.position",
                        "tttti", e->kind, e->code, e->fr, e->en, e->position);
    return rc < 0 ? (int)rc : 0;
}

int catalog_remove(struct db *db, const char *kind, const char *code)
{
    int64_t rc =
        db_run(db, "DELETE FROM directory_catalog WHERE kind = ? AND code = ?", "tt", kind, code);
    return rc < 0 ? (int)rc : rc > 0;
}

int catalog_has(struct db *db, const char *kind, const char *code)
{
    int64_t n = 0;
    int rc = db_scalar(db, &n, "SELECT COUNT(*) FROM directory_catalog WHERE kind = ? AND code = ?",
                       "tt", kind, code);
    return rc < 0 ? rc : n > 0;
}
