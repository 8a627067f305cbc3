/* api/common.c - the small helpers every resource file uses. */
#include "api/api.h"

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
    return (struct page_in){.cursor = query_get(&r->query, "cursor"),
                            .limit = query_get(&r->query, "limit")};
}

void api_no_content(struct req *r, struct resp *w)
{
    resp_bytes(r, w, 204, NULL, "", 0);
}
