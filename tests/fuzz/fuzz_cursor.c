/* fuzz_cursor.c - page cursors come from any client's query string: the decoder never reads
 * past the text, gives only keys a row can have, and a decoded key encodes back to exactly
 * the same text (one spelling per cursor), and so does a group's line key (cursor_id_split).
 * The limit parser gives 1..PAGE_LIMIT_MAX only. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cursor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    struct cursor_key k;
    if (cursor_decode(text, &k)) {
        char again[CURSOR_TEXT_MAX];
        assert(k.created_at >= 0);
        assert(k.id[0] != '\0' && strlen(k.id) <= CURSOR_ID_MAX);
        assert(cursor_encode(&k, again, sizeof(again)));
        assert(strcmp(again, text) == 0);
        /* a group's cursor: the group and its last line's key, spelled back the same way */
        struct cursor_group_key g;
        char back[CURSOR_ID_MAX + 1];
        if (cursor_id_split(k.id, &g)) {
            assert(g.group[0] != '\0' && g.kind[0] != '\0' && g.product[0] != '\0');
            assert(strchr(g.group, '-') == NULL && strchr(g.kind, '-') == NULL);
            assert(cursor_id_join(&g, back, sizeof(back)));
            assert(strcmp(back, k.id) == 0);
        }
    }
    int limit;
    if (page_limit_parse(text, &limit))
        assert(limit >= 1 && limit <= PAGE_LIMIT_MAX);
    free(text);
    return 0;
}
