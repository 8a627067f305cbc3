/*
 * service/email_probe.c - the throttle of "email taken" answers (see email_probe.h).
 */
#include "service/email_probe.h"

#include <stdio.h>

#include "core/clock.h"
#include "db/db.h"
#include "service/settings.h"
#include "service/tx.h"
#include "store/auth.h"

static void probe_key(const char *ip, char *out, size_t n)
{
    snprintf(out, n, "email_probe:%s", ip ? ip : "-");
}

int email_probe_check(struct db *db, const char *ip, struct pd_error *err)
{
    char key[100];
    int64_t retry = 0;
    probe_key(ip, key, sizeof(key));
    int rc = throttle_locked(db, key, clock_now(), &retry);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (retry == 0)
        return 0;
    pd_fail(err, PD_E_TOO_MANY_ATTEMPTS, NULL);
    pd_error_detail(err, "retry_after", json_integer(retry));
    return PD_E_TOO_MANY_ATTEMPTS;
}

void email_probe_taken(struct db *db, const char *ip)
{
    struct pd_error err = {0};
    struct settings s;
    char key[100];
    probe_key(ip, key, sizeof(key));
    int rc = settings_load(db, &s);
    if (rc == 0 && (rc = tx_begin(db, &err)) == 0) {
        rc = throttle_fail(db, key, clock_now(), s.auth_window_seconds,
                           s.auth_address_max_failures, s.auth_lock_seconds);
        tx_end(db, rc, &err);
    }
    pd_error_clear(&err);
}
