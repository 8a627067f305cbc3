/*
 * service/directory_view.h - the JSON shapes of a company profile, shared by the
 * profile's use cases (service/directory.c) and the public directory
 * (service/directory_search.c).
 */
#ifndef PD_SERVICE_DIRECTORY_VIEW_H
#define PD_SERVICE_DIRECTORY_VIEW_H

#include <jansson.h>
#include <stdbool.h>

struct profile_row;

/* The level's name: "gold", "silver", "member", or NULL for 0. */
const char *directory_level_name(int level);

/* What anyone may see of a listing. */
json_t *directory_public_view(const struct profile_row *p);

/* The organisation's own view of its draft (listing false) or listing. */
json_t *directory_own_view(const struct profile_row *p, bool listing);

#endif
