/*
 * db/pool.c - the HTTP server's database connections (see pool.h).
 *
 * The idle connections are a stack: the one given back last is lent first, so a quiet
 * server keeps using few connections even when size is large. An idle connection is
 * revived before it is lent (db_revive(): opened again if the server closed it meanwhile),
 * so a database restart costs no request an error once the database is back.
 *
 * Requests at work and connections are counted apart: a request waiting on a payment
 * gateway or the jobs thread (db_away()) keeps its connection, with no transaction open,
 * but not its turn, so another request takes a connection meanwhile, up to twice size in
 * all. Back from its wait (db_back()) it goes on at once, even past size: it has an
 * outcome to record (a charge made), and never waits behind those who came after it.
 *
 * A database may refuse a connection more before the pool reaches its cap (PostgreSQL's
 * max_connections, shared by every client). The request refused then waits for one of the
 * pool's own, as if the pool were full, and for REFUSED_PAUSE_US no request tries to open
 * another; when that pause ends, those still waiting may try again. Only a pool with no
 * connection open answers the refusal at once.
 */
#include "db/pool.h"

#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"

struct db_pool {
    pthread_mutex_t lock;
    pthread_cond_t returned; /* a connection came back, or a request went away */
    char *url;
    unsigned size;    /* at most this many requests at work at once */
    unsigned cap;     /* at most this many connections: size, and as many for those away */
    unsigned working; /* requests lent a connection and not away */
    unsigned opened;  /* opened so far (idle or lent) */
    unsigned opening; /* of those, still being opened (outside the lock) */
    unsigned nidle;
    int64_t refused_until; /* clock_monotonic_us(): until then, no connection more is opened */
    struct db **idle;      /* cap slots */
    struct db **all;  /* the opened ones, to close at the end */
};

/* After the database refused a connection more (PostgreSQL's max_connections reached by
 * every client together), requests wait this long for one of the pool's own instead of
 * opening another. */
#define REFUSED_PAUSE_US 1000000

/* Whether a request may take a connection now (under lock). */
static bool can_take(const struct db_pool *p)
{
    if (p->working >= p->size)
        return false;
    if (p->nidle > 0)
        return true; /* the usual case: no clock read */
    return p->opened < p->cap && clock_monotonic_us() >= p->refused_until;
}

/* The connection this thread was lent last and has not given back (db_pool_away_here()). */
static _Thread_local struct db *lent_here;

/* db_away() and db_back() on a connection of p. */
static void pool_away(void *arg, bool back)
{
    struct db_pool *p = arg;
    pthread_mutex_lock(&p->lock);
    if (back) {
        p->working++;
    } else {
        p->working--;
        pthread_cond_signal(&p->returned);
    }
    pthread_mutex_unlock(&p->lock);
}

struct db_pool *db_pool_new(const char *url, unsigned size)
{
    struct db_pool *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return NULL;
    pthread_mutex_init(&p->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&p->returned, &attr);
    pthread_condattr_destroy(&attr);
    p->url = strdup(url);
    p->size = size ? size : 1;
    p->cap = 2 * p->size;
    p->idle = calloc(p->cap, sizeof(struct db *));
    p->all = calloc(p->cap, sizeof(struct db *));
    if (p->url == NULL || p->idle == NULL || p->all == NULL) {
        db_pool_free(p);
        return NULL;
    }
    return p;
}

/* When a waiter wakes (CLOCK_MONOTONIC, under lock): at its deadline until, or when a
 * refusal's pause ends before that, for a connection more may then be tried. */
static struct timespec wake_at(const struct db_pool *p, struct timespec until)
{
    int64_t until_us = (int64_t)until.tv_sec * 1000000 + until.tv_nsec / 1000;
    if (p->refused_until <= clock_monotonic_us() || p->refused_until >= until_us)
        return until;
    return (struct timespec){.tv_sec = (time_t)(p->refused_until / 1000000),
                             .tv_nsec = (long)(p->refused_until % 1000000) * 1000};
}

int db_pool_take(struct db_pool *p, int wait_ms, struct db **out, struct pd_error *err)
{
    struct timespec until = clock_deadline_in(CLOCK_MONOTONIC, wait_ms);
    char refused[160] = ""; /* why the database refused this request a connection, if it did */
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!can_take(p)) {
            struct timespec wake = wake_at(p, until);
            bool last = wake.tv_sec == until.tv_sec && wake.tv_nsec == until.tv_nsec;
            if (pthread_cond_timedwait(&p->returned, &p->lock, &wake) == ETIMEDOUT && last &&
                !can_take(p)) {
                pthread_mutex_unlock(&p->lock);
                return pd_fail(err, PD_E_UNAVAILABLE,
                               "no turn at the database within %d ms (requests at work: %u of "
                               "%u; connections: %u of %u)%s%s",
                               wait_ms, p->working, p->size, p->opened, p->cap,
                               refused[0] ? "; a connection more refused: " : "", refused);
            }
        }
        p->working++;
        if (p->nidle > 0) {
            struct db *db = p->idle[--p->nidle];
            pthread_mutex_unlock(&p->lock);
            if (db_revive(db) < 0) { /* the server went away and cannot be reached again yet */
                db_pool_give(p, db);
                return pd_fail(err, PD_E_UNAVAILABLE, "the database cannot be reached");
            }
            *out = lent_here = db;
            return 0;
        }
        p->opened++; /* reserved: opened outside the lock */
        p->opening++;
        pthread_mutex_unlock(&p->lock);

        struct db *db = NULL;
        int rc = db_open(p->url, &db, err);
        pthread_mutex_lock(&p->lock);
        p->opening--;
        if (rc == 0) {
            db_on_away(db, pool_away, p);
            for (unsigned i = 0; i < p->cap; i++) {
                if (p->all[i] == NULL) {
                    p->all[i] = db;
                    break;
                }
            }
            pthread_mutex_unlock(&p->lock);
            *out = lent_here = db;
            return 0;
        }
        p->opened--;
        p->working--;
        /* none open (others may be trying, as this one did): the database cannot be reached
         * at all */
        if (p->opened == p->opening) {
            pthread_cond_signal(&p->returned); /* the slot is free again: one waiter tries */
            pthread_mutex_unlock(&p->lock);
            return PD_E_UNAVAILABLE;
        }
        /* refused while the pool has connections of its own (the database's limit of
         * connections reached, all clients together): wait for one of those to come back,
         * within the same deadline, rather than answer 503 at once */
        p->refused_until = clock_monotonic_us() + REFUSED_PAUSE_US;
        snprintf(refused, sizeof(refused), "%.*s", (int)sizeof(refused) - 1,
                 err ? err->message : "");
        pd_error_clear(err);
    }
}

void db_pool_give(struct db_pool *p, struct db *db)
{
    if (db == NULL)
        return;
    if (lent_here == db)
        lent_here = NULL;
    pthread_mutex_lock(&p->lock);
    p->working--;
    p->idle[p->nidle++] = db;
    pthread_cond_signal(&p->returned);
    pthread_mutex_unlock(&p->lock);
}

void db_pool_away_here(bool back)
{
    if (lent_here == NULL)
        return;
    if (back)
        db_back(lent_here);
    else
        db_away(lent_here);
}

void db_pool_counts(struct db_pool *p, unsigned *lent, unsigned *opened)
{
    pthread_mutex_lock(&p->lock);
    *opened = p->opened;
    *lent = p->opened - p->nidle;
    pthread_mutex_unlock(&p->lock);
}

void db_pool_free(struct db_pool *p)
{
    if (p == NULL)
        return;
    for (unsigned i = 0; p->all && i < p->cap; i++)
        db_close(p->all[i]);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->returned);
    free(p->all);
    free(p->idle);
    free(p->url);
    free(p);
}
