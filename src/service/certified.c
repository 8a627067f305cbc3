/*
 * service/certified.c - certified people: listed, added and removed by the organisation,
 * each change audited. An email counts for one organisation only (a unique index), so a
 * person cannot lift two organisations' prerequisites.
 */
#include "service/certified.h"

#include "core/arena.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/date.h"
#include "core/text.h"
#include "db/db.h"
#include "service/audit.h"
#include "service/tx.h"
#include "service/validate.h"
#include "store/certified.h"

/* The API object of a certified person. */
static json_t *person_view(const struct certified_row *p)
{
    char created[21];
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", p->id, "name", p->name, "email", p->email,
                     "certification", p->certification, "created_at",
                     instant_format(p->created_at, created));
}

int certified_people_list(struct db *db, const struct principal *who, const struct page_in *page,
                          json_t **items, char next[CURSOR_TEXT_MAX], struct pd_error *err)
{
    struct arena a = {0};
    struct certified_row *rows = NULL;
    struct checks c = {0};
    struct page_request p;
    int n = 0;
    page_check(&c, page, &p);
    if (page_checks_done(&c, err) < 0)
        return err->code;
    int rc = certified_list(db, &a, who->partner_id, &p, &rows, &n);
    if (rc >= 0) {
        int shown = page_shown(&p, n);
        *items = json_array();
        for (int i = 0; i < shown; i++)
            json_array_append_new(*items, person_view(&rows[i]));
        page_next(&p, n, shown ? rows[shown - 1].created_at : 0,
                  shown ? rows[shown - 1].id : NULL, next);
    }
    arena_free(&a);
    return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db)) : 0;
}

int certified_people_add(struct db *db, const struct principal *who, const char *ip,
                         const json_t *body, json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"name", "email", "certification", NULL};
    struct checks c = {0};
    char email[256], id[32];
    check_known_keys(&c, body, "", keys);
    const char *name = check_text(&c, body, "name", "name", true, 200);
    const char *mail = check_text(&c, body, "email", "email", true, 254);
    if (mail && !text_email_valid(mail)) {
        check_fail(&c, "email", MSG_FIELD_EMAIL);
        mail = NULL;
    }
    const char *cert = check_text(&c, body, "certification", "certification", true, 200);
    int rc = check_done(&c, err);
    if (rc < 0 || (rc = tx_begin(db, err)) < 0)
        return rc;
    text_lower(mail, email, sizeof(email));
    id_new("cpr", id, sizeof(id));
    struct certified_row p = {
        .id = id, .name = name, .email = email, .certification = cert, .created_at = clock_now()};
    rc = certified_insert(db, &p, who->partner_id);
    if (rc == PD_E_DB_CONSTRAINT)
        rc = pd_fail_field(err, PD_E_CERTIFIED_PERSON_TAKEN, "email", MSG_FIELD_CERTIFIED_TAKEN,
                           NULL);
    else if (rc == 0)
        rc = audit(db, who, ip, NULL, "certified_person.added", "certified_person", id,
                   json_pack("{s:s, s:s}", "email", email, "certification", cert));
    if ((rc = tx_end(db, rc, err)) < 0)
        return rc;
    *out = person_view(&p);
    return 0;
}

int certified_people_remove(struct db *db, const struct principal *who, const char *ip,
                            const char *id, struct pd_error *err)
{
    int rc = tx_begin(db, err);
    if (rc < 0)
        return rc;
    rc = certified_delete(db, id, who->partner_id);
    if (rc == 0)
        rc = pd_fail(err, PD_E_NOT_FOUND, NULL);
    else if (rc > 0)
        rc = audit(db, who, ip, NULL, "certified_person.removed", "certified_person", id, NULL);
    return tx_end(db, rc, err);
}
