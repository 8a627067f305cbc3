/*
 * store/support.h - SQL of support requests, their messages and their attached files.
 *
 * Reads give typed rows whose texts are copied into the arena the caller passes (they live
 * as long as it); the API objects are shaped in service/support.c. A NULL text is a column
 * that is NULL.
 */
#ifndef PD_STORE_SUPPORT_H
#define PD_STORE_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cursor.h"

struct arena;
struct db;

/* A request to insert. */
struct support_new {
    char id[32];
    char number[16];
    const char *partner_id;
    const char *subscription_id; /* NULL: none */
    const char *category;
    const char *problem_type;
    const char *kind; /* "general" or "cancellation" */
    const char *title;
    const char *description;
    const char *created_by;
};

/* A request as stored. */
struct request_row {
    const char *id, *number, *partner_id;
    const char *subscription_id; /* NULL: none */
    const char *category, *problem_type, *kind, *title, *description, *status;
    const char *assignee_id; /* NULL: nobody */
    const char *created_by;
    const char *resolution; /* NULL until resolved */
    int64_t resolved_at;    /* 0: never */
    int64_t created_at, updated_at;
};

/* A message of a request. */
struct request_message {
    const char *id;
    bool from_staff;
    const char *author; /* the author's name */
    const char *body;
    int64_t created_at;
};

/* A file of a request, without its bytes. */
struct request_file {
    const char *id, *filename, *content_type;
    int64_t size;
    int64_t created_at;
};

/* Inserts a request, status open. */
int requests_insert(struct db *db, const struct support_new *r, int64_t now);

/* 1 and *out when found; partner_id NULL for staff (any organisation). */
int requests_find(struct db *db, struct arena *a, const char *id, const char *partner_id,
                  struct request_row *out);

/* The id of the open or in-progress cancellation request of a subscription: 1, or 0. */
int requests_open_cancellation(struct db *db, const char *subscription_id, char *id, size_t n);

/* What a list of support requests is filtered by (NULL or 0: any). */
struct requests_filter {
    const char *partner_id, *status, *category;
    const char *assignee_id; /* "" for the requests nobody is assigned */
    const char *number;      /* exactly */
    int64_t from, to;        /* created_at in [from, to) */
};

/* A page of requests, newest first: p->limit + 1 rows at most, *out in a. */
int requests_page(struct db *db, struct arena *a, const struct requests_filter *f,
                  const struct page_request *p, struct request_row **out, int *count);

/* Inside a transaction, locks the request until commit (db_lock_row): 1, or 0 when there
 * is none. */
int requests_lock(struct db *db, const char *id);

/* Moves a request from status `from` (NULL: any) to `to`; 1 when it did. */
int requests_set_status(struct db *db, const char *id, const char *from, const char *to,
                        int64_t now);

/* Gives the request to a staff member (NULL: nobody). */
int requests_set_assignee(struct db *db, const char *id, const char *assignee_id, int64_t now);

/* Records how a cancellation request was resolved. */
int requests_set_resolution(struct db *db, const char *id, const char *resolution, int64_t now);

/* Closes the requests resolved before `before`; how many. */
int requests_close_resolved(struct db *db, int64_t before, int64_t now);

/* 1 when user_id is an active support or operator account (one a request can go to). */
int requests_assignable(struct db *db, const char *user_id);

/* Adds a message after the last one. */
int requests_add_message(struct db *db, const char *request_id, const char *author_id,
                         bool from_staff, const char *body, int64_t now);

/* A request's messages in order, into a. */
int requests_messages(struct db *db, struct arena *a, const char *request_id,
                      struct request_message **out, int *count);

/* Stores a file (its bytes as base64 text) after the last one. */
int requests_add_file(struct db *db, const char *id, const char *request_id, const char *filename,
                      const char *content_type, int64_t size, const char *data_b64,
                      const char *uploaded_by, int64_t now);

/* A request's files in order, into a. */
int requests_files(struct db *db, struct arena *a, const char *request_id,
                   struct request_file **out, int *count);

/* How many files a request holds. */
int requests_files_count(struct db *db, const char *request_id, int64_t *count);

/* 1 with the file's name, type and base64 data (malloc'd, owner: caller, free()). */
int requests_file_data(struct db *db, const char *id, const char *request_id, char *filename,
                       size_t fn, char *content_type, size_t ctn, char **data_b64);

#endif
