/*
 * service/idempotency.c - claim, replay and keep answers per caller and key.
 *
 * A claim is an INSERT that does nothing when the key exists, so two racing requests
 * cannot both run. The claim names its holder, this process (core/holder.h), with a lease
 * in real time, and this process remembers which of its claims are still running. A key
 * whose request never finished (its process was killed, or its answer could not be
 * written) is taken over by the next request with it, in one compare-and-set, when:
 *   - its holder is this process and the request no longer runs here;
 *   - its holder ran on this machine and is gone (the pid is dead, or now another process);
 *   - its holder runs on another machine, or cannot be told, and its lease ran out;
 *   - it was claimed before holders were kept, IN_PROGRESS_SECONDS of real time ago.
 * A request still running in a live process keeps its key: the retry answers 409. An
 * expired answer is taken over the same way.
 */
#include "service/idempotency.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/holder.h"
#include "db/db.h"
#include "store/idempotency.h"

/* A claim held by another machine is taken over after this long (real time): longer than
 * any request may run (the gateway's and the database's timeouts included). */
#define LEASE_SECONDS 120
/* A claim written before holders were kept is taken over after this long. */
#define IN_PROGRESS_SECONDS 60

/* ---- the claims running in this process ---- */

/* Each claim of this process is "IDENTITY@SEQ"; the SEQs of the claims whose requests
 * still run are kept here. A claim is entered before it is written, so no other request
 * of this process can see it unentered. */
struct running {
    struct running *next;
    uint64_t seq;
};

static struct running *runs;
static uint64_t next_seq;
static pthread_mutex_t runs_lock = PTHREAD_MUTEX_INITIALIZER;

/* Enters a new claim; its holder text into out. false when out of memory. */
static bool runs_enter(char *out, size_t n)
{
    struct running *r = malloc(sizeof(*r));
    if (r == NULL)
        return false;
    pthread_mutex_lock(&runs_lock);
    r->seq = ++next_seq;
    r->next = runs;
    runs = r;
    pthread_mutex_unlock(&runs_lock);
    snprintf(out, n, "%s@%llu", holder_self(), (unsigned long long)r->seq);
    return true;
}

/* The SEQ of a holder text of this process, or 0 when it is another process's. */
static uint64_t own_seq(const char *holder)
{
    size_t n = strlen(holder_self());
    if (strncmp(holder, holder_self(), n) != 0 || holder[n] != '@')
        return 0;
    return strtoull(holder + n + 1, NULL, 10);
}

static void runs_leave(const char *holder)
{
    uint64_t seq = own_seq(holder);
    pthread_mutex_lock(&runs_lock);
    for (struct running **p = &runs; *p; p = &(*p)->next) {
        struct running *r = *p;
        if (r->seq == seq) {
            *p = r->next;
            free(r);
            break;
        }
    }
    pthread_mutex_unlock(&runs_lock);
}

static bool runs_has(uint64_t seq)
{
    bool found = false;
    pthread_mutex_lock(&runs_lock);
    for (struct running *r = runs; r && !found; r = r->next)
        found = r->seq == seq;
    pthread_mutex_unlock(&runs_lock);
    return found;
}

/* ---- claims ---- */

/* Whether the request that claimed row (still unanswered) is gone for good. */
static bool abandoned(const struct idem_row *row, int64_t real_now)
{
    if (row->holder[0] == '\0')
        return real_now - row->created_at >= IN_PROGRESS_SECONDS || real_now < row->created_at;
    uint64_t seq = own_seq(row->holder);
    if (seq != 0)
        return !runs_has(seq);
    char process[IDEMPOTENCY_HOLDER_MAX];
    snprintf(process, sizeof(process), "%s", row->holder);
    process[strcspn(process, "@")] = '\0';
    int alive = holder_alive(process);
    if (alive == 0)
        return true;
    return alive < 0 && real_now >= row->lease_until;
}

int idempotency_claim(struct db *db, const char *scope, const char *key, const char *request_hash,
                      char *holder, struct idempotency_answer *replay, struct pd_error *err)
{
    int64_t real_now = clock_real_now();
    if (!runs_enter(holder, IDEMPOTENCY_HOLDER_MAX))
        return pd_fail(err, PD_E_INTERNAL, "out of memory");
    struct idem_claim claim = {.hash = request_hash,
                               .holder = holder,
                               .lease_until = real_now + LEASE_SECONDS,
                               .now = clock_now()};
    bool claimed = false;
    int rc = 0;
    for (int attempt = 0; attempt < 3 && !claimed && rc >= 0; attempt++) {
        if ((rc = idem_claim(db, scope, key, &claim)) < 0 || (claimed = rc == 1))
            break;
        struct idem_row row;
        if ((rc = idem_find(db, scope, key, &row)) <= 0)
            continue; /* a failure, or gone between the two statements: claim again */
        bool expired = claim.now - row.created_at >= IDEMPOTENCY_SECONDS;
        bool in_progress = row.status == 0;
        if (expired || (in_progress && strcmp(row.request_hash, request_hash) == 0 &&
                        abandoned(&row, real_now))) {
            free(row.body);
            /* when not taken: another retry took it first; read what it left */
            rc = idem_take_over(db, scope, key, &row, &claim);
            claimed = rc == 1;
            continue;
        }
        runs_leave(holder);
        if (strcmp(row.request_hash, request_hash) != 0) {
            free(row.body);
            return pd_fail(err, PD_E_IDEMPOTENCY_KEY_REUSED, NULL);
        }
        if (in_progress) {
            free(row.body);
            return pd_fail(err, PD_E_CONFLICT, "the first request with this key still runs");
        }
        replay->status = row.status;
        memcpy(replay->content_type, row.content_type, sizeof(replay->content_type));
        replay->body = row.body;
        return 1;
    }
    if (claimed)
        return 0;
    runs_leave(holder);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    return pd_fail(err, PD_E_CONFLICT, "the key could not be claimed");
}

void idempotency_keep(struct db *db, const char *scope, const char *key, const char *holder,
                      int status, const char *content_type, const char *body, size_t len)
{
    if (status >= 500)
        idem_forget(db, scope, key, holder);
    else
        idem_complete(db, scope, key, holder, status, content_type, body, len);
    /* when the writes above failed, the key stays claimed by this process, which no longer
     * runs it: the next request with it takes it over */
    runs_leave(holder);
}
