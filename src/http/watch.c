/*
 * http/watch.c - a deadline per connection, and the sweeper (see watch.h).
 */
#include "http/watch.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"
#include "http/metrics.h"
#include "log.h"

struct watch_conn {
    struct watch_conn *prev, *next;
    int fd;
    _Atomic int64_t deadline_us; /* monotonic; 0 while partnerd itself is working */
    bool cut;                    /* its socket was shut by the sweeper */
};

struct watch {
    pthread_mutex_t lock; /* guards the list, and a socket while it is shut */
    struct watch_conn *conns;
    pthread_t sweeper;
    _Atomic bool stopping;
};

/* Shuts the socket of every connection past its deadline, four times a second. */
static void *sweep(void *arg)
{
    struct watch *w = arg;
    while (!atomic_load(&w->stopping)) {
        usleep(250000);
        int64_t now = clock_monotonic_us();
        int cut = 0;
        pthread_mutex_lock(&w->lock);
        for (struct watch_conn *c = w->conns; c; c = c->next) {
            int64_t deadline = atomic_load(&c->deadline_us);
            if (deadline && deadline < now && !c->cut) {
                shutdown(c->fd, SHUT_RDWR);
                c->cut = true;
                cut++;
            }
        }
        pthread_mutex_unlock(&w->lock);
        if (cut) {
            metrics_slow_clients(cut);
            log_line(LOG_WARN, NULL, "slow_clients_dropped", "count=%d", cut);
        }
    }
    return NULL;
}

struct watch *watch_start(void)
{
    struct watch *w = calloc(1, sizeof(*w));
    if (w == NULL)
        return NULL;
    pthread_mutex_init(&w->lock, NULL);
    if (pthread_create(&w->sweeper, NULL, sweep, w) != 0) {
        pthread_mutex_destroy(&w->lock);
        free(w);
        return NULL;
    }
    return w;
}

void watch_stop(struct watch *w)
{
    if (w == NULL)
        return;
    atomic_store(&w->stopping, true);
    pthread_join(w->sweeper, NULL);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

struct watch_conn *watch_add(struct watch *w, int fd, int64_t deadline_us)
{
    struct watch_conn *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->fd = fd;
    atomic_store(&c->deadline_us, deadline_us);
    pthread_mutex_lock(&w->lock);
    c->next = w->conns;
    if (w->conns)
        w->conns->prev = c;
    w->conns = c;
    pthread_mutex_unlock(&w->lock);
    return c;
}

void watch_remove(struct watch *w, struct watch_conn *c)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&w->lock);
    if (c->prev)
        c->prev->next = c->next;
    else
        w->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    pthread_mutex_unlock(&w->lock);
    free(c);
}

void watch_deadline(struct watch_conn *c, int64_t deadline_us)
{
    if (c)
        atomic_store(&c->deadline_us, deadline_us);
}

int64_t watch_in(unsigned seconds)
{
    return seconds ? clock_monotonic_us() + (int64_t)seconds * 1000000 : 0;
}
