/* service/audit.c - the audit helper every use case calls. */
#include "service/audit.h"

#include "core/clock.h"
#include "service/principal.h"
#include "store/auth.h"

int audit(struct db *db, const struct principal *who, const char *ip, const char *partner_id,
          const char *action, const char *object_type, const char *object_id, json_t *details)
{
    struct audit_entry e = {
        .actor_id = who ? who->user_id : NULL,
        .actor_email = who ? who->email : NULL,
        .partner_id = partner_id ? partner_id
                                 : (who && who->partner_id[0] ? who->partner_id : NULL),
        .ip = ip,
        .action = action,
        .object_type = object_type,
        .object_id = object_id,
        .details = details,
    };
    int rc = audit_insert(db, &e, clock_now());
    json_decref(details);
    return rc;
}
