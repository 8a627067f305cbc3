/*
 * service/clock_sync.c - the test clock, shared by every process through the database.
 *
 * The pinned instant lives in settings under "clock.pinned"; each request and job step
 * loads it, so the server, `partnerd jobs` and the tests agree on what time it is.
 */
#include "service/clock_sync.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/clock.h"
#include "core/date.h"
#include "service/audit.h"
#include "service/principal.h"
#include "service/tx.h"
#include "service/validate.h"
#include "store/auth.h"
#include "store/settings.h"

#define CLOCK_KEY "clock.pinned"

static bool enabled;

void clock_sync_enable(bool on)
{
    enabled = on;
}

bool clock_sync_enabled(void)
{
    return enabled;
}

int clock_sync(struct db *db)
{
    char value[32];
    if (!enabled)
        return 0;
    int rc = settings_get(db, CLOCK_KEY, value, sizeof(value));
    if (rc < 0)
        return rc;
    if (rc == 1)
        clock_pin(strtoll(value, NULL, 10));
    else
        clock_unpin();
    return 0;
}

int clock_sync_set(struct db *db, int64_t t)
{
    char value[32];
    snprintf(value, sizeof(value), "%lld", (long long)t);
    int rc = settings_set(db, CLOCK_KEY, value);
    if (rc == 0 && enabled)
        clock_pin(t);
    return rc;
}

int clock_sync_reset(struct db *db)
{
    int rc = settings_delete(db, CLOCK_KEY);
    if (rc == 0)
        clock_unpin();
    return rc;
}

int clock_sync_change(struct db *db, const struct principal *who, const char *ip,
                      const json_t *body, json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"now", NULL};
    struct checks c = {0};
    int64_t t = 0;
    check_known_keys(&c, body, "", keys);
    json_t *now = json_object_get(body, "now");
    if (now == NULL)
        check_fail(&c, "now", MSG_FIELD_INSTANT_OR_NULL);
    else if (!json_is_null(now) &&
             (!json_is_string(now) || instant_parse(json_string_value(now), &t) < 0))
        check_fail(&c, "now", MSG_FIELD_INSTANT);
    int rc = check_done(&c, err);
    if (rc < 0)
        return rc;

    int64_t before = clock_now();
    if ((rc = tx_begin(db, err)) < 0)
        return rc;
    rc = json_is_null(now) ? clock_sync_reset(db) : clock_sync_set(db, t);
    /* the operator who moves the clock stays signed in: their session moves with it (every
     * other session meets the new time, as it would have had the time really passed) */
    if (rc == 0 && who->session_id[0])
        rc = sessions_shift(db, who->session_id, clock_now() - before);
    if (rc == 0)
        rc = audit(db, who, ip, NULL, "clock.set", "clock", NULL, json_pack("{s:O}", "now", now));
    if ((rc = tx_end(db, rc, err)) < 0)
        return rc;
    *out = clock_sync_view(false);
    return 0;
}

json_t *clock_sync_view(bool time_zone)
{
    char s[21], d[DATE_STRLEN];
    json_t *o = json_pack("{s:s, s:s, s:b}", "now", instant_format(clock_now(), s), "today",
                          date_format(clock_today(), d), "pinned", clock_is_pinned());
    if (time_zone)
        json_object_set_new(o, "time_zone", json_string(date_timezone()));
    return o;
}
