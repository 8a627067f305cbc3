/*
 * service/directory_search.c - the public directory: its search, a partner's page, and
 * the operator's catalog of industries and services the profiles choose from.
 *
 * The public views are shaped by directory_public_view() alone, from the listing alone. A
 * search is paged by a cursor naming the last row's place in the order (level, relevance,
 * folded name, slug), so pages hold still while listings change.
 */
#include "service/directory_search.h"
#include "service/directory.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/words.h"
#include "db/db.h"
#include "service/audit.h"
#include "service/directory_view.h"
#include "service/tx.h"
#include "service/validate.h"
#include "store/directory.h"

static char *today_text(char out[DATE_STRLEN])
{
    return date_format(clock_today(), out);
}

/* ---- the public directory ---- */

/* A code of the query string: [a-z0-9-], at most 48; upper-case for a country. */
static bool query_code(const char *s, bool upper)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 48)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(isdigit((unsigned char)s[i]) || s[i] == '-' ||
              (upper ? isupper((unsigned char)s[i]) : islower((unsigned char)s[i]))))
            return false;
    return true;
}

/* A slug as publishing makes them (service/directory.c new_slug): [a-z0-9-], up to
 * DIRECTORY_SLUG_MAX, longer than a code when the name is long. */
static bool slug_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n > 0 && n <= DIRECTORY_SLUG_MAX &&
           strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* "level.relevance.sort_name.slug" into q. */
static bool parse_cursor(const char *s, struct arena *a, struct directory_query *q)
{
    char *copy = arena_strdup(a, s);
    char *parts[4];
    int n = 0;
    for (char *p = copy; n < 4; n++) {
        parts[n] = p;
        char *dot = strchr(p, '.');
        if (dot == NULL) {
            n++;
            break;
        }
        *dot = '\0';
        p = dot + 1;
    }
    if (n != 4 || strlen(parts[0]) != 1 || strlen(parts[1]) != 1 ||
        !isdigit((unsigned char)*parts[0]) || !isdigit((unsigned char)*parts[1]) ||
        strchr(parts[3], '.') ||
        strspn(parts[2], "abcdefghijklmnopqrstuvwxyz0123456789") != strlen(parts[2]) ||
        !slug_valid(parts[3]))
        return false;
    q->after = 1;
    q->after_level = *parts[0] - '0';
    q->after_relevance = *parts[1] - '0';
    q->after_sort_name = parts[2];
    q->after_slug = parts[3];
    return true;
}

int directory_search_page(struct db *db, const struct directory_search_in *in, json_t **out,
                          struct pd_error *err)
{
    static const char *const levels[] = {"gold", "silver", "member", NULL};
    static const char *const orders[] = {"level", "relevance", NULL};
    struct arena a = {0};
    struct directory_query q = {0};
    char today[DATE_STRLEN];
    int rc;
    if ((rc = check_filter("level", in->level, levels, err)) < 0 ||
        (rc = check_filter("order", in->order, orders, err)) < 0)
        return rc;
    struct checks c = {0};
    if (in->country && !query_code(in->country, true))
        check_fail(&c, "country", MSG_FIELD_COUNTRY);
    if (in->industry && !query_code(in->industry, false))
        check_fail(&c, "industry", MSG_FIELD_CATALOG_CODES);
    if (in->service && !query_code(in->service, false))
        check_fail(&c, "service", MSG_FIELD_CATALOG_CODES);
    if (in->language && !(strlen(in->language) == 2 && query_code(in->language, false)))
        check_fail(&c, "language", MSG_FIELD_LANGUAGE_CODES);
    if (in->q && strlen(in->q) > 200)
        check_fail(&c, "q", MSG_FIELD_TEXT_LINE);
    if (in->cursor && !parse_cursor(in->cursor, &a, &q))
        check_fail(&c, "cursor", MSG_FIELD_CURSOR);
    q.limit = 20;
    if (in->limit) {
        char *end;
        long l = strtol(in->limit, &end, 10);
        if (*end || l < 1 || l > 50)
            check_fail_args(&c, "limit", MSG_FIELD_INTEGER_RANGE, (const char *const[]){"1", "50"},
                            2);
        else
            q.limit = (int)l;
    }
    if ((rc = check_done(&c, err)) < 0) {
        err->code = PD_E_INVALID_QUERY;
        arena_free(&a);
        return rc == PD_E_INVALID_REQUEST ? PD_E_INVALID_QUERY : rc;
    }
    q.today = today_text(today);
    q.nwords = words_split(in->q, q.words);
    q.country = in->country;
    q.industry = in->industry;
    q.service = in->service;
    q.language = in->language;
    q.level = in->level ? (!strcmp(in->level, "gold")     ? 3
                           : !strcmp(in->level, "silver") ? 2
                                                          : 1)
                        : 0;
    q.by_relevance = in->order && !strcmp(in->order, "relevance");
    q.limit += 1; /* one more says whether a next page exists */
    struct profile_row *rows = NULL;
    int n = 0;
    rc = directory_search(db, &a, &q, &rows, &n);
    if (rc < 0) {
        arena_free(&a);
        return pd_fail(err, rc, "%s", db_errmsg(db));
    }
    json_t *items = json_array();
    int shown = n < q.limit ? n : q.limit - 1;
    for (int i = 0; i < shown; i++) {
        json_t *v = directory_public_view(&rows[i]);
        json_object_set_new(v, "relevance", json_integer(rows[i].relevance));
        json_array_append_new(items, v);
    }
    char next[320] = "";
    if (n >= q.limit && shown > 0) {
        const struct profile_row *last = &rows[shown - 1];
        snprintf(next, sizeof(next), "%d.%d.%s.%s", last->level, last->relevance, last->sort_name,
                 last->slug);
    }
    *out = json_pack("{s:o, s:s?}", "items", items, "next_cursor", next[0] ? next : NULL);
    arena_free(&a);
    return 0;
}

int directory_partner_page(struct db *db, const char *slug, json_t **out, struct pd_error *err)
{
    struct arena a = {0};
    struct profile_row p;
    char today[DATE_STRLEN];
    int rc =
        slug_valid(slug) ? listings_find_listed(db, &a, slug, today_text(today), &p) : 0;
    if (rc < 0)
        pd_fail(err, rc, "%s", db_errmsg(db));
    else if (rc == 0)
        rc = pd_fail(err, PD_E_NOT_FOUND, NULL);
    else
        *out = directory_public_view(&p);
    arena_free(&a);
    return rc < 0 ? rc : 0;
}

/* ---- the catalog ---- */

int directory_catalog_get(struct db *db, json_t **out, struct pd_error *err)
{
    struct arena a = {0};
    struct catalog_entry *e = NULL;
    int n = 0;
    int rc = catalog_entries(db, &a, &e, &n);
    if (rc < 0) {
        arena_free(&a);
        return pd_fail(err, rc, "%s", db_errmsg(db));
    }
    json_t *industries = json_array(), *services = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(!strcmp(e[i].kind, "industry") ? industries : services,
                              json_pack("{s:s, s:s, s:s, s:I}", "code", e[i].code, "fr", e[i].fr,
                                        "en", e[i].en, "position", (json_int_t)e[i].position));
    *out = json_pack("{s:o, s:o}", "industries", industries, "services", services);
    arena_free(&a);
    return 0;
}

/* "industries" or "industry" -> "industry"; NULL for another kind. */
static const char *catalog_kind(const char *kind)
{
    if (kind && (!strcmp(kind, "industries") || !strcmp(kind, "industry")))
        return "industry";
    if (kind && (!strcmp(kind, "services") || !strcmp(kind, "service")))
        return "service";
    return NULL;
}

int directory_catalog_put(struct db *db, const struct principal *who, const char *ip,
                          const char *kind, const char *code, const json_t *body, json_t **out,
                          struct pd_error *err)
{
    static const char *const keys[] = {"fr", "en", "position", NULL};
    struct checks c = {0};
    const char *k = catalog_kind(kind);
    if (k == NULL)
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    if (!query_code(code, false))
        check_fail(&c, "code", MSG_FIELD_SLUG);
    check_known_keys(&c, body, "", keys);
    struct catalog_entry e = {.kind = k, .code = code};
    e.fr = check_text(&c, body, "fr", "fr", true, 100);
    e.en = check_text(&c, body, "en", "en", true, 100);
    json_t *pos = json_object_get(body, "position");
    if (pos &&
        (!json_is_integer(pos) || json_integer_value(pos) < 0 || json_integer_value(pos) > 1000))
        check_fail_args(&c, "position", MSG_FIELD_INTEGER_RANGE, (const char *const[]){"0", "1000"},
                        2);
    e.position = pos ? json_integer_value(pos) : 0;
    int rc = check_done(&c, err);
    if (rc < 0 || (rc = tx_begin(db, err)) < 0)
        return rc;
    if ((rc = catalog_put(db, &e)) < 0)
        pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "directory_catalog.put", "directory_catalog", code,
                   json_pack("{s:s, s:s, s:s}", "kind", k, "fr", e.fr, "en", e.en));
    if ((rc = tx_end(db, rc, err)) < 0)
        return rc;
    *out = json_pack("{s:s, s:s, s:s, s:s, s:I}", "kind", k, "code", code, "fr", e.fr, "en", e.en,
                     "position", (json_int_t)e.position);
    return 0;
}

int directory_catalog_delete(struct db *db, const struct principal *who, const char *ip,
                             const char *kind, const char *code, struct pd_error *err)
{
    const char *k = catalog_kind(kind);
    if (k == NULL)
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    int rc = tx_begin(db, err);
    if (rc < 0)
        return rc;
    int removed = catalog_remove(db, k, code);
    if (removed < 0)
        rc = pd_fail(err, removed, "%s", db_errmsg(db));
    else if (removed == 0)
        rc = pd_fail(err, PD_E_NOT_FOUND, NULL);
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "directory_catalog.removed", "directory_catalog", code,
                   json_pack("{s:s}", "kind", k));
    return tx_end(db, rc, err);
}
