/*
 * http/assets.h - the web portal's files, compiled into the binary (cmake/embed_web.cmake).
 *
 * The server answers a GET that no API route matches with one of them: the file itself,
 * or index.html for a page address of the portal (a path whose last segment has no dot),
 * which the portal's router then draws. Each carries an ETag; a request that already has
 * it gets 304.
 */
#ifndef PD_HTTP_ASSETS_H
#define PD_HTTP_ASSETS_H

#include <stdbool.h>
#include <stddef.h>

struct http_asset {
    const char *path; /* "/index.html", "/js/app.js" */
    const char *content_type;
    const unsigned char *data;
    size_t size;
    const char *etag; /* quoted, as sent */
};

/* Every file, ending with a zeroed entry (generated). */
extern const struct http_asset http_assets[];

/* The file to answer a GET of path with, or NULL: the file at that path, "/" as
 * "/index.html", or index.html for a portal page (no dot in the last segment). Paths
 * under /api/ never fall back to a page. */
const struct http_asset *http_asset_for(const char *path);

#endif
