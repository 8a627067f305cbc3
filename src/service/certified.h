/*
 * service/certified.h - the certified people of an organisation, who count towards the
 * prerequisites of competency offers (certified_required).
 */
#ifndef PD_SERVICE_CERTIFIED_H
#define PD_SERVICE_CERTIFIED_H

#include <jansson.h>

#include "core/error.h"
#include "service/page.h"
#include "service/principal.h"

struct db;

/* A page of the caller's organisation's certified people, newest first (service/page.h). */
int certified_people_list(struct db *db, const struct principal *who, const struct page_in *page,
                          json_t **items, char next[CURSOR_TEXT_MAX], struct pd_error *err);

/* Adds {"name","email","certification"}; PD_E_CERTIFIED_PERSON_TAKEN when the email already
 * counts for an organisation. *out the person. */
int certified_people_add(struct db *db, const struct principal *who, const char *ip,
                         const json_t *body, json_t **out, struct pd_error *err);

/* Removes a person of the caller's organisation; PD_E_NOT_FOUND otherwise. */
int certified_people_remove(struct db *db, const struct principal *who, const char *ip,
                            const char *id, struct pd_error *err);

#endif
