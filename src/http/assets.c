/* assets.c - finds the web portal file that answers a path. */
#include "http/assets.h"

#include <string.h>

static const struct http_asset *find(const char *path)
{
    for (const struct http_asset *a = http_assets; a->path; a++)
        if (strcmp(a->path, path) == 0)
            return a;
    return NULL;
}

const struct http_asset *http_asset_for(const char *path)
{
    if (strcmp(path, "/") == 0)
        return find("/index.html");
    const struct http_asset *a = find(path);
    if (a || strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0)
        return a;
    const char *last = strrchr(path, '/');
    if (last && strchr(last, '.') == NULL)
        return find("/index.html");
    return NULL;
}
