/*
 * router.c - linear matching over a small static table.
 *
 * partnerd has a few dozen routes; a linear scan of segment comparisons costs far less
 * than the request parsing around it and keeps the code obvious. Paths with empty
 * segments ("//"), "." or "..", or a parameter that is not UTF-8, never match anything.
 */
#include "router.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"

/* Matches one pattern against path, filling params. */
static bool match_pattern(const char *pat, const char *path, struct route_params *params)
{
    size_t used = 0;
    params->count = 0;
    if (*pat != '/' || *path != '/')
        return false;
    while (*pat && *path) {
        if (*pat == '/' && *path == '/') {
            pat++;
            path++;
            continue;
        }
        const char *pend = strchr(pat, '/');
        const char *send = strchr(path, '/');
        size_t plen = pend ? (size_t)(pend - pat) : strlen(pat);
        size_t slen = send ? (size_t)(send - path) : strlen(path);
        if (slen == 0 || (slen == 1 && path[0] == '.') ||
            (slen == 2 && path[0] == '.' && path[1] == '.'))
            return false;
        if (plen >= 2 && pat[0] == '{' && pat[plen - 1] == '}') {
            /* a parameter names a row: one that is not UTF-8 names none (and PostgreSQL
             * refuses to compare it with text) */
            if (params->count == ROUTE_MAX_PARAMS ||
                used + slen + 1 > sizeof(params->values_buf) || !text_utf8_valid(path, slen))
                return false;
            char *v = params->values_buf + used;
            memcpy(v, path, slen);
            v[slen] = '\0';
            used += slen + 1;
            params->names[params->count] = pat + 1;
            params->values[params->count] = v;
            params->count++;
        } else if (plen != slen || memcmp(pat, path, plen) != 0) {
            return false;
        }
        pat += plen;
        path += slen;
    }
    return *pat == '\0' && *path == '\0';
}

/* Appends method to the list allow (length *alen, size n) unless it is there already. */
static void allow_add(char *allow, size_t n, size_t *alen, const char *method)
{
    size_t len = strlen(method);
    if (*alen + len + 3 >= n || strstr(allow, method))
        return;
    *alen += (size_t)snprintf(allow + *alen, n - *alen, "%s%s", *alen ? ", " : "", method);
}

enum route_result router_match(const struct route *table, const char *method, const char *path,
                               int *index, struct route_params *params, char *allow, size_t n)
{
    bool path_known = false;
    size_t alen = 0;

    if (allow && n)
        allow[0] = '\0';
    for (int i = 0; table[i].method; i++) {
        if (!match_pattern(table[i].pattern, path, params))
            continue;
        if (strcmp(table[i].method, method) == 0) {
            *index = i;
            return ROUTE_FOUND;
        }
        if (!path_known)
            *index = i; /* the path's first route: 405s are counted under it */
        path_known = true;
        if (allow == NULL || n == 0)
            continue;
        allow_add(allow, n, &alen, table[i].method);
        /* the server answers HEAD on every GET route (RFC 9110 section 9.3.2): Allow says
         * so, as section 15.5.6 asks it to list every method the resource supports */
        if (strcmp(table[i].method, "GET") == 0)
            allow_add(allow, n, &alen, "HEAD");
    }
    return path_known ? ROUTE_NO_METHOD : ROUTE_NO_PATH;
}

int router_count(const struct route *table)
{
    int n = 0;
    while (table[n].method)
        n++;
    return n;
}
