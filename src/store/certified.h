/*
 * store/certified.h - SQL of certified people: the people an organisation counts towards
 * the prerequisites of competency offers. An email counts for one organisation only.
 */
#ifndef PD_STORE_CERTIFIED_H
#define PD_STORE_CERTIFIED_H

#include <stdint.h>

#include "core/cursor.h"

struct arena;
struct db;

/* A certified person; texts in the caller's arena. */
struct certified_row {
    const char *id;
    const char *name;
    const char *email;
    const char *certification;
    int64_t created_at;
};

/* How many certified people an organisation has. */
int certified_count(struct db *db, const char *partner_id, int64_t *count);

/* A page of an organisation's certified people, newest first (store/page.h: up to
 * p->limit + 1 rows, after the cursor's row): *out an array of *count rows in a. */
int certified_list(struct db *db, struct arena *a, const char *partner_id,
                   const struct page_request *p, struct certified_row **out, int *count);

/* Adds a person. PD_E_DB_CONSTRAINT when the email already counts for an organisation. */
int certified_insert(struct db *db, const struct certified_row *p, const char *partner_id);

/* 1 when the person belonged to the organisation and is gone, 0 when not found. */
int certified_delete(struct db *db, const char *id, const char *partner_id);

#endif
