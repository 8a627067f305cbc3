/*
 * service/support_files.h - files attached to a support request: PDF, PNG, JPEG, CSV or
 * TXT, at most SUPPORT_ATTACHMENT_MAX bytes each and ten per request.
 */
#ifndef PD_SERVICE_SUPPORT_FILES_H
#define PD_SERVICE_SUPPORT_FILES_H

#include <jansson.h>
#include <stddef.h>

#include "core/error.h"
#include "service/principal.h"

struct db;

/* Stores a file under request id; its type is read from its bytes, and must agree with
 * its name's extension. *out {"id","filename","content_type","size"}. */
int support_files_add(struct db *db, const struct principal *who, const char *ip, const char *id,
                      const char *filename, const void *data, size_t size, json_t **out,
                      struct pd_error *err);

/* A stored file: name, type and bytes (*data malloc'd, owner: caller, free()). */
int support_files_get(struct db *db, const struct principal *who, const char *id,
                      const char *file_id, char *filename, size_t fn, char *type, size_t tn,
                      unsigned char **data, size_t *size, struct pd_error *err);

#endif
