/*
 * service/directory_view.c - the JSON shapes of a company profile: the public view of a
 * listing (search results and a partner's page) and the organisation's own view of its
 * draft or listing.
 *
 * Lists of codes are kept comma-separated and shown as JSON arrays. The public view is
 * shaped from the listing alone: the organisation's id, its contact address for referrals
 * and anything of the draft never reach it.
 */
#include "service/directory_view.h"

#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "store/directory.h"

const char *directory_level_name(int level)
{
    return level >= 3 ? "gold" : level == 2 ? "silver" : level == 1 ? "member" : NULL;
}

/* "a,b,c" as ["a", "b", "c"]. */
static json_t *codes_json(const char *list)
{
    json_t *a = json_array();
    const char *p = list ? list : "";
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (n)
            json_array_append_new(a, json_stringn(p, n));
        p += n + (comma ? 1 : 0);
    }
    return a;
}

static json_t *logo_url(const char *hash, bool public)
{
    if (hash == NULL)
        return json_null();
    char url[128];
    snprintf(url, sizeof(url),
             public ? "/api/v1/directory/logos/%s" : "/api/v1/company-profile/logo/%s", hash);
    return json_string(url);
}

json_t *directory_public_view(const struct profile_row *p)
{
    return json_pack("{s:s, s:s, s:{s:s, s:s}, s:s?, s:o, s:o, s:o, s:o, s:o, s:s?, s:s?}", "slug",
                     p->slug, "name", p->name, "description", "fr", p->description_fr, "en",
                     p->description_en, "website", p->website, "logo_url",
                     logo_url(p->logo_hash, true), "industries", codes_json(p->industries),
                     "services", codes_json(p->services), "countries", codes_json(p->countries),
                     "languages", codes_json(p->languages), "company_size", p->company_size,
                     "level", directory_level_name(p->level));
}

json_t *directory_own_view(const struct profile_row *p, bool listing)
{
    char at[21];
    return json_pack("{s:s, s:s, s:s, s:s?, s:o, s:o, s:o, s:o, s:o, s:s?, s:s?, s:s}", "name",
                     p->name, "description_fr", p->description_fr, "description_en",
                     p->description_en, "website", p->website, "logo_url",
                     logo_url(p->logo_hash, false), "industries", codes_json(p->industries),
                     "services", codes_json(p->services), "countries", codes_json(p->countries),
                     "languages", codes_json(p->languages), "company_size", p->company_size,
                     "referral_email", p->referral_email, listing ? "published_at" : "updated_at",
                     instant_format(p->at, at));
}
