/* service/page.c - limit, cursor and date range of a list's query string. */
#include "service/page.h"

#include <stdio.h>

#include "core/date.h"

void page_check(struct checks *c, const struct page_in *in, struct page_request *p)
{
    p->after = false;
    p->scope = in->scope;
    if (!page_limit_parse(in->limit, &p->limit)) {
        check_fail_args(c, "limit", MSG_FIELD_INTEGER_RANGE, (const char *const[]){"1", "200"}, 2);
        p->limit = PAGE_LIMIT_DEFAULT;
    }
    if (in->cursor) {
        if (!cursor_decode(in->cursor, &p->key))
            check_fail(c, "cursor", MSG_FIELD_CURSOR);
        else if (p->key.scope != in->scope) /* a page of another list, or other filters */
            check_fail(c, "cursor", MSG_FIELD_CURSOR_SCOPE);
        else
            p->after = true;
    }
}

int64_t page_check_date(struct checks *c, const char *field, const char *value, bool end)
{
    struct date d;
    if (value == NULL)
        return 0;
    if (date_parse(value, &d) < 0) {
        check_fail(c, field, MSG_FIELD_DATE);
        return 0;
    }
    return date_start_instant(end ? date_add_days(d, 1) : d);
}

int page_checks_done(struct checks *c, struct pd_error *err)
{
    int rc = check_done(c, err);
    if (rc < 0)
        err->code = PD_E_INVALID_QUERY;
    return rc < 0 ? PD_E_INVALID_QUERY : 0;
}

int page_shown(const struct page_request *p, int n)
{
    return n > p->limit ? p->limit : n;
}

void page_next(const struct page_request *p, int n, int64_t last_at, const char *last_id,
               char next[CURSOR_TEXT_MAX])
{
    next[0] = '\0';
    if (n <= p->limit || last_id == NULL)
        return;
    struct cursor_key k = {.scope = p->scope, .created_at = last_at};
    snprintf(k.id, sizeof(k.id), "%s", last_id);
    if (!cursor_encode(&k, next, CURSOR_TEXT_MAX))
        next[0] = '\0';
}
