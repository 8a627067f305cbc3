/* api/common.c - the small helpers every resource file uses. */
#include "api/api.h"

#include <string.h>

int api_fail(struct req *r, struct resp *w, struct pd_error *err)
{
    resp_error(r, w, err);
    pd_error_clear(err);
    return 0;
}

void api_list(struct req *r, struct resp *w, json_t *items, const char *next)
{
    resp_json(r, w, 200,
              json_pack("{s:o, s:o}", "items", items, "next_cursor",
                        next && *next ? json_string(next) : json_null()));
}

struct page_in api_page_in(struct req *r)
{
    /* the scope: this path and every filter given, so that a cursor is taken only by the
     * list, and the filters, that gave it */
    uint32_t scope = cursor_scope_path(r->path);
    for (int i = 0; i < r->query.count; i++)
        if (strcmp(r->query.names[i], "cursor") != 0 && strcmp(r->query.names[i], "limit") != 0)
            scope = cursor_scope_add(scope, r->query.names[i], r->query.values[i]);
    return (struct page_in){.cursor = query_get(&r->query, "cursor"),
                            .limit = query_get(&r->query, "limit"),
                            .scope = scope};
}

void api_no_content(struct req *r, struct resp *w)
{
    resp_bytes(r, w, 204, NULL, "", 0);
}
