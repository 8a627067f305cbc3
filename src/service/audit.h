/*
 * service/audit.h - recording who did what, in the transaction of the change.
 */
#ifndef PD_SERVICE_AUDIT_H
#define PD_SERVICE_AUDIT_H

#include <jansson.h>

struct db;
struct principal;

/* Records an event. who may be NULL (nobody signed in); partner_id NULL takes who's
 * organisation. details is stolen (may be NULL). Returns 0 or a negative status. */
int audit(struct db *db, const struct principal *who, const char *ip, const char *partner_id,
          const char *action, const char *object_type, const char *object_id, json_t *details);

#endif
