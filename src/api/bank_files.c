/*
 * api/bank_files.c - the files finance exchanges with the bank: camt.053 statements in,
 * SEPA credit transfer files (pain.001) out.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "service/bank_statements.h"
#include "service/transfer_files.h"

/* POST /api/v1/admin/bank-statements/camt053: the statement as application/xml (or
 * text/xml). */
int api_admin_bank_statements_camt(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    const char *ctype = req_header(r, "Content-Type");
    if (ctype == NULL ||
        (strncasecmp(ctype, "application/xml", 15) != 0 && strncasecmp(ctype, "text/xml", 8) != 0))
        return PD_E_UNSUPPORTED_MEDIA_TYPE;
    if (bank_statements_import_camt(r->db, r->principal, r->client_ip, r->body.data, r->body.len,
                                    &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 201, out);
    return 0;
}

int api_admin_transfer_files_create(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (transfer_files_create(r->db, r->principal, r->client_ip, r->json, &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_header(w, "Location",
                arena_strdup(&r->arena, json_string_value(json_object_get(out, "download"))));
    resp_json(r, w, 201, out);
    return 0;
}

int api_admin_transfer_file_get(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    char *xml = NULL;
    const char *id = req_param(r, "id");
    if (transfer_files_document(r->db, id, &xml, &err) < 0)
        return api_fail(r, w, &err);
    resp_bytes(r, w, 200, "application/xml", xml, strlen(xml));
    resp_header(w, "Content-Disposition",
                arena_printf(&r->arena, "attachment; filename=\"pain001-%s.xml\"", id));
    free(xml);
    return 0;
}
