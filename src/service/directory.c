/*
 * service/directory.c - the company profile: its draft, its logo, its publication.
 *
 * The draft and the listing share one typed row (store/directory.h) and are shaped by
 * service/directory_view.c; « Publier » copies the draft into the listing, the only thing
 * the public directory (service/directory_search.c) reads.
 */
#include "service/directory.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/base64.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/country.h"
#include "core/crypto.h"
#include "core/date.h"
#include "core/image.h"
#include "core/text.h"
#include "core/words.h"
#include "db/db.h"
#include "service/audit.h"
#include "service/directory_view.h"
#include "service/tx.h"
#include "service/validate.h"
#include "store/directory.h"
#include "store/users.h"

#define LIST_MAX 60
#define DESCRIPTION_MAX 5000

static const char *const sizes[] = {"1-9", "10-49", "50-249", "250-999", "1000+", NULL};

static char *today_text(char out[DATE_STRLEN])
{
    return date_format(clock_today(), out);
}

/* The answer of the profile's use cases, read in the caller's transaction. */
static int profile_answer(struct db *db, const char *partner_id, const char *legal_name,
                          json_t **out)
{
    struct arena a = {0};
    struct profile_row draft, listing;
    char today[DATE_STRLEN];
    int64_t level = 0;
    int has_draft = profiles_find(db, &a, partner_id, &draft);
    int has_listing = has_draft < 0 ? has_draft : listings_find(db, &a, partner_id, &listing);
    int rc =
        has_listing < 0 ? has_listing : directory_level(db, partner_id, today_text(today), &level);
    if (rc >= 0) {
        json_t *d = has_draft ? directory_own_view(&draft, false)
                              : json_pack("{s:s, s:s, s:s, s:n, s:n, s:[], s:[], s:[], s:[], "
                                          "s:n, s:n}",
                                          "name", legal_name ? legal_name : "", "description_fr",
                                          "", "description_en", "", "website", "logo_url",
                                          "industries", "services", "countries", "languages",
                                          "company_size", "referral_email");
        *out = json_pack("{s:o, s:o, s:s?, s:s?, s:b}", "draft", d, "published",
                         has_listing ? directory_own_view(&listing, true) : json_null(), "slug",
                         has_listing ? listing.slug : NULL, "level",
                         directory_level_name((int)level), "listed", has_listing && level > 0);
    }
    arena_free(&a);
    return rc < 0 ? rc : 0;
}
/* ---- the draft ---- */

/* A text of several lines: valid UTF-8, no control character but line ends and tabs, at
 * most max characters. NULL (and a problem) when wrong; "" when absent. */
static const char *long_text(struct checks *c, const json_t *body, const char *key, size_t max,
                             enum msg_id why)
{
    json_t *v = json_object_get(body, key);
    if (v == NULL || json_is_null(v))
        return "";
    const char *s = json_string_value(v);
    size_t chars = 0;
    bool ok = s && text_utf8_valid(s, strlen(s));
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); ok && *p; p++) {
        if (*p < 0x20 && *p != '\n' && *p != '\r' && *p != '\t')
            ok = false;
        if ((*p & 0xC0) != 0x80)
            chars++;
    }
    if (!ok || chars > max) {
        check_fail(c, key, why);
        return NULL;
    }
    return s;
}

/* An array of codes as "a,b,c" in a, each accepted by valid(); NULL and a problem when
 * wrong. */
static const char *code_list(struct checks *c, struct db *db, struct arena *a, const json_t *body,
                             const char *key, const char *kind, enum msg_id why)
{
    json_t *v = json_object_get(body, key), *item;
    size_t i;
    struct buf b = {0};
    if (v == NULL || json_is_null(v))
        return "";
    bool ok = json_is_array(v) && json_array_size(v) <= LIST_MAX;
    json_array_foreach(ok ? v : NULL, i, item)
    {
        const char *s = json_string_value(item);
        size_t n = s ? strlen(s) : 0;
        bool good = n > 0 && n <= 48;
        for (size_t k = 0; good && k < n; k++)
            good = isalnum((unsigned char)s[k]) || s[k] == '-';
        if (good && !strcmp(kind, "country"))
            good = country_valid(s);
        else if (good && !strcmp(kind, "language"))
            good = n == 2 && islower((unsigned char)s[0]) && islower((unsigned char)s[1]);
        else if (good)
            good = catalog_has(db, kind, s) == 1;
        /* a code once is enough */
        if (good && b.data && strstr(arena_printf(a, ",%s,", b.data), arena_printf(a, ",%s,", s)))
            continue;
        if (!good) {
            ok = false;
            break;
        }
        buf_printf(&b, "%s%s", b.len ? "," : "", s);
    }
    const char *out = ok ? arena_strdup(a, b.data ? b.data : "") : NULL;
    buf_free(&b);
    if (!ok)
        check_fail(c, key, why);
    return out;
}

static bool url_ok(const char *s)
{
    return s && (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0) &&
           strlen(s) > 10 && strlen(s) <= 300 && !strpbrk(s, " \"<>\\");
}

int directory_profile_put(struct db *db, const struct principal *who, const char *ip,
                          const json_t *body, json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {
        "name",      "description_fr", "description_en", "website",        "industries", "services",
        "countries", "languages",      "company_size",   "referral_email", "logo_url",   NULL};
    struct checks c = {0};
    struct arena a = {0};
    struct profile_row old, p = {.partner_id = who->partner_id};
    *out = NULL;
    int rc = tx_begin(db, err);
    if (rc < 0)
        return rc;
    check_known_keys(&c, body, "", keys);
    p.name = check_text(&c, body, "name", "name", true, 200);
    p.description_fr =
        long_text(&c, body, "description_fr", DESCRIPTION_MAX, MSG_FIELD_DESCRIPTION);
    p.description_en =
        long_text(&c, body, "description_en", DESCRIPTION_MAX, MSG_FIELD_DESCRIPTION);
    p.website = check_text(&c, body, "website", "website", false, 300);
    if (p.website && !url_ok(p.website))
        check_fail(&c, "website", MSG_FIELD_URL);
    p.industries = code_list(&c, db, &a, body, "industries", "industry", MSG_FIELD_CATALOG_CODES);
    p.services = code_list(&c, db, &a, body, "services", "service", MSG_FIELD_CATALOG_CODES);
    p.countries = code_list(&c, db, &a, body, "countries", "country", MSG_FIELD_COUNTRY_CODES);
    p.languages = code_list(&c, db, &a, body, "languages", "language", MSG_FIELD_LANGUAGE_CODES);
    p.company_size = check_text(&c, body, "company_size", "company_size", false, 16);
    if (!check_one_of(p.company_size, sizes))
        check_fail_one_of(&c, "company_size", sizes);
    p.referral_email = check_text(&c, body, "referral_email", "referral_email", false, 254);
    if (p.referral_email && !text_email_valid(p.referral_email))
        check_fail(&c, "referral_email", MSG_FIELD_EMAIL);
    rc = check_done(&c, err);
    /* the logo stays unless the body sets logo_url to null */
    int found = rc < 0 ? rc : profiles_find(db, &a, who->partner_id, &old);
    if (found > 0) {
        json_t *logo = json_object_get(body, "logo_url");
        p.logo_hash = json_is_null(logo) ? NULL : old.logo_hash;
    }
    if (rc >= 0 && found < 0)
        rc = pd_fail(err, found, "%s", db_errmsg(db));
    if (rc >= 0 && (rc = profiles_save(db, &p, who->user_id, clock_now())) < 0)
        pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "company_profile.updated", "company_profile", who->partner_id,
                   NULL);
    if (rc >= 0)
        rc = profile_answer(db, who->partner_id, NULL, out);
    arena_free(&a);
    return tx_end_answer(db, rc, out, err);
}

int directory_profile_get(struct db *db, const struct principal *who, json_t **out,
                          struct pd_error *err)
{
    struct partner_row org;
    /* a first draft starts from the organisation's legal name */
    int rc = partners_find(db, who->partner_id, &org);
    if (rc >= 0)
        rc = profile_answer(db, who->partner_id, rc > 0 ? org.legal_name : NULL, out);
    return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db)) : 0;
}

int directory_logo_put(struct db *db, const struct principal *who, const char *ip, const void *data,
                       size_t size, json_t **out, struct pd_error *err)
{
    struct image_info img;
    struct arena a = {0};
    struct profile_row p;
    char *b64 = NULL;
    *out = NULL;
    if (size > DIRECTORY_LOGO_MAX) {
        pd_fail(err, PD_E_PAYLOAD_TOO_LARGE, "a logo of at most 1 MiB");
        pd_error_detail(err, "limit_bytes", json_integer((json_int_t)DIRECTORY_LOGO_MAX));
        return err->code;
    }
    if (image_check(data, size, &img) < 0)
        return pd_fail_field(err, PD_E_INVALID_REQUEST, "file", MSG_FIELD_LOGO, NULL);
    if ((b64 = base64_encode(data, size)) == NULL)
        return pd_fail(err, PD_E_INTERNAL, "out of memory");
    int rc = tx_begin(db, err);
    if (rc < 0) {
        free(b64);
        return rc;
    }
    int64_t now = clock_now();
    rc = logos_insert(db, img.sha256, who->partner_id, img.content_type, (int64_t)size, img.width,
                      img.height, b64, now);
    int found = rc < 0 ? rc : profiles_find(db, &a, who->partner_id, &p);
    if (found == 0) { /* a logo before anything else: a draft named after the organisation */
        p = (struct profile_row){.partner_id = who->partner_id,
                                 .name = "",
                                 .description_fr = "",
                                 .description_en = "",
                                 .industries = "",
                                 .services = "",
                                 .countries = "",
                                 .languages = ""};
        struct partner_row org;
        if ((rc = partners_find(db, who->partner_id, &org)) > 0)
            p.name = arena_strdup(&a, org.legal_name);
    }
    rc = found < 0 ? found : rc;
    p.logo_hash = img.sha256;
    if (rc >= 0)
        rc = profiles_save(db, &p, who->user_id, now);
    if (rc < 0)
        pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "company_profile.logo", "company_profile", who->partner_id,
                   json_pack("{s:s, s:s, s:I}", "hash", img.sha256, "type", img.content_type,
                             "size", (json_int_t)size));
    if (rc >= 0)
        rc = profile_answer(db, who->partner_id, NULL, out);
    free(b64);
    arena_free(&a);
    return tx_end_answer(db, rc, out, err);
}

/* A slug for a first publication: the folded name and six hex digits. */
static int new_slug(struct db *db, const char *name, char *out, size_t n)
{
    char folded[DIRECTORY_SLUG_MAX - 6], hex[7]; /* the name, "-", six hex digits */
    words_fold(name, '-', folded, sizeof(folded));
    for (int tries = 0; tries < 5; tries++) {
        random_hex(3, hex);
        snprintf(out, n, "%s%s%s", folded[0] ? folded : "partner", "-", hex);
        int rc = listings_slug_taken(db, out);
        if (rc <= 0)
            return rc;
    }
    return PD_E_CONFLICT;
}

int directory_publish(struct db *db, const struct principal *who, const char *ip, json_t **out,
                      struct pd_error *err)
{
    struct arena a = {0};
    struct profile_row p, listing;
    char slug[DIRECTORY_SLUG_MAX + 1], sort_name[201];
    *out = NULL;
    int rc = tx_begin(db, err);
    if (rc < 0)
        return rc;
    int found = profiles_find(db, &a, who->partner_id, &p);
    if (found < 0)
        rc = pd_fail(err, found, "%s", db_errmsg(db));
    else if (found == 0 || p.name[0] == '\0' || p.referral_email == NULL ||
             (p.description_fr[0] == '\0' && p.description_en[0] == '\0'))
        rc = pd_fail(err, PD_E_PROFILE_INCOMPLETE, NULL);
    int had = rc < 0 ? 0 : listings_find(db, &a, who->partner_id, &listing);
    if (rc >= 0 && had < 0)
        rc = pd_fail(err, had, "%s", db_errmsg(db));
    if (rc >= 0 && had == 0 && (rc = new_slug(db, p.name, slug, sizeof(slug))) < 0)
        pd_fail(err, rc, "no free slug");
    if (rc >= 0) {
        p.slug = had ? listing.slug : slug;
        words_fold(p.name, 0, sort_name, sizeof(sort_name));
        p.sort_name = sort_name;
        if ((rc = listings_publish(db, &p, clock_now())) < 0)
            pd_fail(err, rc, "%s", db_errmsg(db));
    }
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "company_profile.published", "company_profile",
                   who->partner_id, json_pack("{s:s}", "slug", p.slug));
    if (rc >= 0)
        rc = profile_answer(db, who->partner_id, NULL, out);
    arena_free(&a);
    return tx_end_answer(db, rc, out, err);
}

int directory_unpublish(struct db *db, const struct principal *who, const char *ip,
                        struct pd_error *err)
{
    int rc = tx_begin(db, err);
    if (rc < 0)
        return rc;
    int removed = listings_remove(db, who->partner_id);
    if (removed < 0)
        rc = pd_fail(err, removed, "%s", db_errmsg(db));
    else if (removed == 0)
        rc = pd_fail(err, PD_E_NOT_FOUND, NULL);
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "company_profile.unpublished", "company_profile",
                   who->partner_id, NULL);
    return tx_end(db, rc, err);
}

int directory_logo_get(struct db *db, const struct principal *who, const char *hash, char *type,
                       size_t tn, unsigned char **data, size_t *size, struct pd_error *err)
{
    char today[DATE_STRLEN];
    char *b64 = NULL;
    size_t n = hash ? strlen(hash) : 0;
    if (n != 64 || strspn(hash, "0123456789abcdef") != 64)
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    int rc = logos_get(db, hash, who ? NULL : today_text(today), who ? who->partner_id : NULL, type,
                       tn, &b64);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc == 0)
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    rc = base64_decode(b64, data, size);
    free(b64);
    return rc < 0 ? pd_fail(err, PD_E_INTERNAL, "logo unreadable") : 0;
}
