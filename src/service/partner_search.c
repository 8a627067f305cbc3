/* service/partner_search.c - the staff's list of partners: search box, filters, pages. */
#include "service/partner_search.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/words.h"
#include "db/db.h"
#include "service/members.h"
#include "store/users.h"

/* Seven digits: a membership ID. */
static bool looks_like_membership(const char *s)
{
    return strlen(s) == 7 && strspn(s, "0123456789") == 7;
}

/* s without spaces, dots and hyphens, upper case, into out: a VAT ID when it has the
 * shape of one (two letters, then 2 to 18 letters or digits, mostly digits). */
static bool vat_shape(const char *s, char *out, size_t n)
{
    size_t o = 0, digits = 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == ' ' || c == '.' || c == '-')
            continue;
        if (!isalnum(c) || o + 1 >= n)
            return false;
        digits += isdigit(c) != 0;
        out[o++] = (char)toupper(c);
    }
    out[o] = '\0';
    return o >= 4 && o <= 20 && isalpha((unsigned char)out[0]) && isalpha((unsigned char)out[1]) &&
           digits * 2 > o - 2;
}

/* Whether q, typed with spaces, reads as a VAT ID ("FR 40 303 265 045", "ATU 142 43 102")
 * rather than a name ("Acme 2000"): a first group of two or three letters and maybe digits,
 * then groups that each hold a digit. */
static bool spaced_vat(const char *q)
{
    size_t letters = strspn(q, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
    if (letters < 2 || letters > 3)
        return false;
    const char *p = q + letters + strspn(q + letters, "0123456789");
    while (*p == ' ') {
        p += strspn(p, " ");
        size_t group = strcspn(p, " ");
        if (group == 0)
            break;
        if (strcspn(p, "0123456789") >= group)
            return false;
        p += group;
    }
    return *p == '\0';
}

json_t *partner_search_name(struct db *db, const char *id, struct partner_name_cache *last)
{
    struct partner_row p;
    if (id == NULL)
        return json_null();
    if (strcmp(last->id, id) != 0) {
        snprintf(last->id, sizeof(last->id), "%s", id);
        last->name[0] = '\0';
        if (partners_find(db, id, &p) > 0)
            snprintf(last->name, sizeof(last->name), "%s", p.legal_name);
    }
    return last->name[0] ? json_string(last->name) : json_null();
}

/* 1 when an organisation matches f, 0 when none does, or a failure. */
static int any_found(struct db *db, const struct partners_filter *f)
{
    struct page_request first = {.limit = 1, .after = false};
    struct partner_row *rows = NULL;
    int n = 0;
    int rc = partners_page(db, f, &first, &rows, &n);
    free(rows);
    return rc < 0 ? rc : n > 0;
}

int partner_search_page(struct db *db, const struct partner_search_in *in, json_t **items,
                        char next[CURSOR_TEXT_MAX], struct pd_error *err)
{
    struct checks c = {0};
    struct page_request p;
    struct partners_filter f = {.membership_id = in->membership_id};
    char vat[24];
    page_check(&c, &in->page, &p);
    /* characters, not bytes; a box left blank (spaces) searches nothing, as an empty one */
    if (in->q && in->q[strspn(in->q, " ")] != '\0' && !text_line_valid(in->q, 200))
        check_fail_args(&c, "q", MSG_FIELD_TEXT_LINE, (const char *const[]){"200"}, 1);
    if (in->vat_id) {
        if (vat_shape(in->vat_id, vat, sizeof(vat)))
            f.vat_id = vat;
        else
            check_fail(&c, "vat_id", MSG_FIELD_VAT_ID_QUERY);
    }
    int rc = page_checks_done(&c, err);
    if (rc < 0)
        return rc;
    /* the box's text taken for a membership or VAT ID is only a guess: when no organisation
     * has it, it is looked for among the names ("BT2000 Services" looks like a VAT ID) */
    bool guessed = false;
    if (in->q && *in->q && f.vat_id == NULL && f.membership_id == NULL) {
        guessed = true;
        if (looks_like_membership(in->q))
            f.membership_id = in->q;
        else if ((!strchr(in->q, ' ') || spaced_vat(in->q)) && vat_shape(in->q, vat, sizeof(vat)))
            f.vat_id = vat;
        else
            guessed = false;
        if (!guessed)
            f.nwords = words_split(in->q, f.words);
    }
    struct partner_row *rows = NULL;
    int n = 0;
    rc = partners_page(db, &f, &p, &rows, &n);
    /* a page after the first may be empty because the organisations with that ID were all
     * shown: the names are looked at only when none has it */
    int found = rc >= 0 && guessed && n == 0 && p.after ? any_found(db, &f) : 0;
    if (found < 0)
        rc = found;
    else if (rc >= 0 && guessed && n == 0 && found == 0) {
        f.membership_id = f.vat_id = NULL;
        f.nwords = words_split(in->q, f.words);
        free(rows);
        rows = NULL;
        rc = partners_page(db, &f, &p, &rows, &n);
    }
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    int shown = page_shown(&p, n);
    *items = json_array();
    for (int i = 0; i < shown; i++)
        json_array_append_new(*items, members_partner_view(&rows[i]));
    page_next(&p, n, shown ? rows[shown - 1].created_at : 0, shown ? rows[shown - 1].id : NULL,
              next);
    free(rows);
    return 0;
}
