/*
 * core/cursor.h - the one pagination convention of every list: limit and cursor.
 *
 * A list is read newest first, ordered by (created_at DESC, id DESC), and cut with a keyset:
 * the next page holds the rows strictly before the last row shown, so rows inserted while a
 * client walks the list never shift a page (no OFFSET). The cursor handed to the client is
 * opaque: base64url without padding of "c2.<scope>.<created_at>.<id>", the sort key of the
 * last row of the page and, as 8 hex digits, the scope of the list it belongs to (its path and
 * filters, cursor_scope_add). Decoding accepts nothing else: a forged or garbled cursor is
 * refused, never read as some other place in the list, and a cursor of another list or of
 * other filters is refused by the page's checks (service/page.c).
 *
 * limit: absent gives PAGE_LIMIT_DEFAULT; else a decimal integer from 1 to PAGE_LIMIT_MAX.
 * Pure: no I/O, no allocation.
 */
#ifndef PD_CURSOR_H
#define PD_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_LIMIT_DEFAULT 50
#define PAGE_LIMIT_MAX 200

/* Longest id a cursor carries: a row id (at most 31 characters), or the place of a
 * line inside a group (cursor_id_join: up to 111 characters). */
#define CURSOR_ID_MAX 127

/* Room for an encoded cursor, NUL included: 4/3 of the longest plain text ("c2." + 8 hex
 * digits + "." + 19 digits + "." + CURSOR_ID_MAX = 159 bytes, 212 characters), rounded up. */
#define CURSOR_TEXT_MAX 216

/* The sort key of a row: where a page ends. */
struct cursor_key {
    int64_t created_at;         /* Unix seconds, >= 0 */
    char id[CURSOR_ID_MAX + 1]; /* [A-Za-z0-9_-], 1..CURSOR_ID_MAX characters */
    uint32_t scope;             /* the list and filters it was given for (cursor_scope_add) */
};

/* The page a client asked for: limit rows, after the row of key when after is set. */
struct page_request {
    int limit;
    uint32_t scope; /* of the list and filters asked (cursor_scope_add): its cursors carry it */
    bool after;
    struct cursor_key key;
};

/* Writes the cursor of key into out (at least CURSOR_TEXT_MAX bytes). true, or false when
 * the key is not one a row can have (negative time, empty or odd id, out too small). */
bool cursor_encode(const struct cursor_key *key, char *out, size_t n);

/* Reads a cursor written by cursor_encode(). true and *key, or false when text is not one
 * (bad base64url, wrong version, bad number, bad id, trailing bytes). */
bool cursor_decode(const char *text, struct cursor_key *key);

/* The place of a line in a list of groups (the benefits usage: lines by organisation, an
 * organisation's lines by product then kind): the group and the last line shown, by its
 * own key, so the next page resumes strictly after that line whatever lines were added to
 * or removed from the group meanwhile (a count of lines shown would repeat or skip one). */
struct cursor_group_key {
    char group[32];   /* the group's id: 1..31 of [A-Za-z0-9_] (no dash) */
    char kind[32];    /* the line's kind: 1..31 of [a-z_] */
    char product[48]; /* the line's product: 1..47 of [a-z0-9-] */
};

/* Spells k as a cursor id, "<group>-<kind>-<product>" (the first two dashes split it), into
 * id (n bytes, CURSOR_ID_MAX + 1 is enough): true, or false when a part is empty, too long
 * or holds a character its part cannot have. */
bool cursor_id_join(const struct cursor_group_key *k, char *id, size_t n);

/* Reads an id written by cursor_id_join(): true and *k, or false when id is not one. */
bool cursor_id_split(const char *id, struct cursor_group_key *k);

/* The scope of a list: start with cursor_scope_path(the request's path), then add each query
 * parameter but the page's own (cursor, limit), in any order: the same path and filters give
 * the same scope, whatever their order in the query string. Not a secret: it only tells a
 * cursor of this list and filters from one of another. */
uint32_t cursor_scope_path(const char *path);
uint32_t cursor_scope_add(uint32_t scope, const char *name, const char *value);

/* Reads the limit parameter: NULL gives PAGE_LIMIT_DEFAULT; "1".."200" (digits only, no
 * sign, no spaces) gives its value. false when out of range or not a number. */
bool page_limit_parse(const char *text, int *limit);

#endif
