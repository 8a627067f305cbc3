/*
 * sqlite_queue.c - the writers of one SQLite file in this process (see sqlite_queue.h).
 *
 * The turn to write is a mutex: a waiting thread of this process has it as soon as it is
 * free, instead of trying SQLite's lock again and again. Other processes meet SQLite's lock
 * and the busy wait (sqlite_file.c), which tries it every millisecond. The sync is made by
 * whichever waiter finds none under way (the leader); the others wait for it, and one more if it
 * began before their commit.
 */
#include "sqlite_queue.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/error.h"

struct writer_queue {
    char *path;
    int refs;
    pthread_mutex_t turn;
    void *writer; /* the connection transactions write on; used by the turn's holder */
    /* durability, under sync_mutex */
    pthread_mutex_t sync_mutex;
    pthread_cond_t synced;
    uint64_t written; /* commits written to the WAL */
    uint64_t durable; /* of which known on disk */
    uint64_t syncs;   /* syncs made */
    bool syncing;     /* a leader is syncing (wal_fd is its own meanwhile) */
    bool broken;      /* a sync failed: what it covered may be lost, and so may every later
                         commit (the WAL's frames chain), so each fails until a restart */
    int wal_fd;       /* the WAL, opened at the first sync; -1 before */
    struct writer_queue *next;
};

static pthread_mutex_t queues_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct writer_queue *queues;

struct writer_queue *queue_acquire(const char *path)
{
    if (path == NULL || path[0] == '\0')
        return NULL;
    pthread_mutex_lock(&queues_mutex);
    struct writer_queue *q = queues;
    while (q && strcmp(q->path, path) != 0)
        q = q->next;
    if (q == NULL && (q = calloc(1, sizeof(*q))) != NULL) {
        q->path = strdup(path);
        if (q->path == NULL) {
            free(q);
            q = NULL;
        } else {
            pthread_mutex_init(&q->turn, NULL);
            pthread_mutex_init(&q->sync_mutex, NULL);
            pthread_cond_init(&q->synced, NULL);
            q->wal_fd = -1;
            q->next = queues;
            queues = q;
        }
    }
    if (q)
        q->refs++;
    pthread_mutex_unlock(&queues_mutex);
    return q;
}

void *queue_release(struct writer_queue *q)
{
    void *writer = NULL;
    if (q == NULL)
        return NULL;
    pthread_mutex_lock(&queues_mutex);
    if (--q->refs == 0) {
        struct writer_queue **pp = &queues;
        while (*pp != q)
            pp = &(*pp)->next;
        *pp = q->next;
        writer = q->writer;
        if (q->wal_fd >= 0)
            close(q->wal_fd);
        pthread_cond_destroy(&q->synced);
        pthread_mutex_destroy(&q->sync_mutex);
        pthread_mutex_destroy(&q->turn);
        free(q->path);
        free(q);
    }
    pthread_mutex_unlock(&queues_mutex);
    return writer;
}

bool queue_lock(struct writer_queue *q, int ms)
{
    struct timespec until = clock_deadline_in(CLOCK_REALTIME, ms);
    return pthread_mutex_timedlock(&q->turn, &until) == 0;
}

void queue_unlock(struct writer_queue *q)
{
    pthread_mutex_unlock(&q->turn);
}

void *queue_writer(struct writer_queue *q)
{
    return q->writer;
}

void queue_set_writer(struct writer_queue *q, void *writer)
{
    q->writer = writer;
}

const char *queue_path(const struct writer_queue *q)
{
    return q->path;
}

/* Syncs the WAL's data to disk: 0, or -1 (errno). Linux syncs a file's pages whichever
 * descriptor wrote them; a WAL removed and made again (no connection of this process had
 * it open meanwhile) is opened again. Called by the leader alone. */
static int sync_wal(struct writer_queue *q)
{
    struct stat st;
    if (q->wal_fd >= 0 && (fstat(q->wal_fd, &st) != 0 || st.st_nlink == 0)) {
        close(q->wal_fd);
        q->wal_fd = -1;
    }
    if (q->wal_fd < 0) {
        char wal[4096];
        snprintf(wal, sizeof(wal), "%s-wal", q->path);
        q->wal_fd = open(wal, O_RDWR | O_CLOEXEC);
        if (q->wal_fd < 0)
            return -1;
        /* a WAL made since the last checkpoint is in its directory once that is synced
         * (as SQLite does at a new WAL's first sync under synchronous=FULL) */
        char *slash = strrchr(wal, '/');
        if (slash) {
            *(slash == wal ? slash + 1 : slash) = '\0';
            int dir = open(wal, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            int synced = dir >= 0 ? fsync(dir) : -1;
            if (dir >= 0)
                close(dir);
            if (synced != 0) {
                close(q->wal_fd);
                q->wal_fd = -1;
                return -1;
            }
        }
    }
    return fdatasync(q->wal_fd);
}

/* Returns once commit n is on disk (or the sync failed), with sync_mutex held. */
static int wait_durable(struct writer_queue *q, uint64_t n, char *why, size_t len)
{
    int rc = 0;
    while (q->durable < n && rc == 0) {
        if (q->broken) {
            snprintf(why, len,
                     "a sync of %s-wal failed: commits are not durable until "
                     "partnerd is restarted",
                     q->path);
            rc = PD_E_DB;
            break;
        }
        if (q->syncing) {
            pthread_cond_wait(&q->synced, &q->sync_mutex);
            continue;
        }
        q->syncing = true;
        uint64_t upto = q->written;
        pthread_mutex_unlock(&q->sync_mutex);
        int synced = sync_wal(q);
        int error = errno;
        pthread_mutex_lock(&q->sync_mutex);
        q->syncing = false;
        q->syncs++;
        if (synced == 0 && upto > q->durable)
            q->durable = upto;
        if (synced != 0) {
            snprintf(why, len, "cannot sync %s-wal: %s", q->path, strerror(error));
            q->broken = true;
            rc = PD_E_DB;
        }
        pthread_cond_broadcast(&q->synced);
    }
    return rc;
}

int queue_durable(struct writer_queue *q, char *why, size_t len)
{
    pthread_mutex_lock(&q->sync_mutex);
    /* numbered once written, so a sync begun after covers it */
    int rc = wait_durable(q, ++q->written, why, len);
    pthread_mutex_unlock(&q->sync_mutex);
    return rc;
}

uint64_t queue_written(struct writer_queue *q)
{
    pthread_mutex_lock(&q->sync_mutex);
    uint64_t n = ++q->written;
    pthread_mutex_unlock(&q->sync_mutex);
    return n;
}

int queue_wait(struct writer_queue *q, uint64_t n, char *why, size_t len)
{
    pthread_mutex_lock(&q->sync_mutex);
    int rc = wait_durable(q, n, why, len);
    pthread_mutex_unlock(&q->sync_mutex);
    return rc;
}

void queue_counts(struct writer_queue *q, uint64_t *commits, uint64_t *syncs)
{
    pthread_mutex_lock(&q->sync_mutex);
    *commits = q->written;
    *syncs = q->syncs;
    pthread_mutex_unlock(&q->sync_mutex);
}
