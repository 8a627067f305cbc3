/* service/clock_sync.c - the pinned instant lives in settings under "clock.pinned". */
#include "service/clock_sync.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/clock.h"
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
