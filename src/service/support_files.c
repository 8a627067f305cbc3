/*
 * service/support_files.c - attaching files to support requests and reading them back.
 *
 * A file's type is decided by its first bytes, never by what the client says: a PDF, PNG
 * or JPEG by its signature, CSV or TXT when it is UTF-8 text without control characters.
 * A name whose extension claims another type is refused. The bytes are kept as base64
 * text (core/base64) so both database engines store them alike.
 */
#include "service/support_files.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/base64.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/text.h"
#include "db/db.h"
#include "service/audit.h"
#include "service/support.h"
#include "service/tx.h"
#include "store/support.h"

#define FILES_MAX 10

/* The type of a file from its first bytes; NULL when not one of the accepted kinds. Text
 * (CSV or TXT) is UTF-8 without control characters but tab and line ends. */
static const char *sniff(const unsigned char *p, size_t n, const char *filename)
{
    if (n >= 5 && !memcmp(p, "%PDF-", 5))
        return "application/pdf";
    if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
        return "image/png";
    if (n >= 3 && !memcmp(p, "\xff\xd8\xff", 3))
        return "image/jpeg";
    for (size_t i = 0; i < n; i++)
        if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
            return NULL;
    if (!text_utf8_valid((const char *)p, n))
        return NULL;
    size_t len = strlen(filename);
    return len > 4 && !strcasecmp(filename + len - 4, ".csv") ? "text/csv" : "text/plain";
}

/* What the name's extension claims: a type, "" for an unknown extension, NULL for none. */
static const char *claimed(const char *filename)
{
    static const struct {
        const char *ext, *type;
    } types[] = {{".pdf", "application/pdf"}, {".png", "image/png"}, {".jpg", "image/jpeg"},
                 {".jpeg", "image/jpeg"},     {".csv", "text/csv"},  {".txt", "text/plain"}};
    const char *dot = strrchr(filename, '.');
    if (dot == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (!strcasecmp(dot, types[i].ext))
            return types[i].type;
    return "";
}

/* Checks the name, size and content of a file; *type its type. */
static int check_file(const char *filename, const void *data, size_t size, const char **type,
                      struct pd_error *err)
{
    if (filename == NULL || !text_line_valid(filename, 200) || strchr(filename, '/') ||
        strchr(filename, '\\') || strchr(filename, '"'))
        return pd_fail_field(err, PD_E_INVALID_REQUEST, "filename", MSG_FIELD_FILENAME, NULL);
    if (size == 0 || size > SUPPORT_ATTACHMENT_MAX) {
        pd_fail(err, size ? PD_E_PAYLOAD_TOO_LARGE : PD_E_INVALID_REQUEST,
                "a file of 1 byte to 10 MiB");
        pd_error_detail(err, "limit_bytes", json_integer(SUPPORT_ATTACHMENT_MAX));
        return err->code;
    }
    *type = sniff(data, size, filename);
    const char *says = claimed(filename);
    if (*type == NULL || (says && strcmp(says, *type) != 0))
        return pd_fail_field(err, PD_E_INVALID_REQUEST, "file",
                             *type ? MSG_FIELD_FILE_MISMATCH : MSG_FIELD_FILE_TYPE, NULL);
    return 0;
}

int support_files_add(struct db *db, const struct principal *who, const char *ip, const char *id,
                      const char *filename, const void *data, size_t size, json_t **out,
                      struct pd_error *err)
{
    struct arena a = {0};
    struct request_row req;
    const char *type = NULL;
    char *b64 = NULL;
    char fid[32];
    int64_t count = 0;
    int rc = tx_begin(db, err);
    if (rc < 0)
        return rc;
    /* another organisation's: 404 whatever the file */
    rc = support_load(db, &a, who, id, &req, err);
    if (rc >= 0)
        rc = check_file(filename, data, size, &type, err);
    if (rc >= 0 && (b64 = base64_encode(data, size)) == NULL)
        rc = pd_fail(err, PD_E_INTERNAL, "out of memory");
    if (rc >= 0)
        rc = requests_files_count(db, id, &count);
    if (rc >= 0 && !strcmp(req.status, "closed")) {
        rc = pd_fail(err, PD_E_CONFLICT, "the request is closed");
        pd_error_detail(err, "status", json_string("closed"));
    } else if (rc >= 0 && count >= FILES_MAX) {
        rc = pd_fail(err, PD_E_CONFLICT, "at most %d files per request", FILES_MAX);
    }
    id_new("att", fid, sizeof(fid));
    if (rc >= 0)
        rc = requests_add_file(db, fid, id, filename, type, (int64_t)size, b64, who->user_id,
                               clock_now());
    if (rc >= 0)
        rc = audit(db, who, ip, who->staff ? req.partner_id : NULL, "support_request.attachment",
                   "support_request", id,
                   json_pack("{s:s, s:s, s:I}", "filename", filename, "type", type, "size",
                             (json_int_t)size));
    /* the other side hears of the file, as of a message */
    if (rc >= 0)
        rc = support_notify(db, &req, who->staff, "attachment", filename);
    free(b64);
    arena_free(&a);
    if ((rc = tx_end(db, rc, err)) < 0)
        return rc;
    *out = json_pack("{s:s, s:s, s:s, s:I}", "id", fid, "filename", filename, "content_type", type,
                     "size", (json_int_t)size);
    return 0;
}

int support_files_get(struct db *db, const struct principal *who, const char *id,
                      const char *file_id, char *filename, size_t fn, char *type, size_t tn,
                      unsigned char **data, size_t *size, struct pd_error *err)
{
    struct arena a = {0};
    struct request_row req;
    char *b64 = NULL;
    int rc = support_load(db, &a, who, id, &req, err);
    arena_free(&a);
    if (rc < 0)
        return rc;
    rc = requests_file_data(db, file_id, id, filename, fn, type, tn, &b64);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc == 0)
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    rc = base64_decode(b64, data, size);
    free(b64);
    return rc < 0 ? pd_fail(err, PD_E_INTERNAL, "attachment unreadable") : 0;
}
