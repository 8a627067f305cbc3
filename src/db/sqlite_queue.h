/*
 * sqlite_queue.h - the writers of one SQLite file in this process: whose turn it is to
 * write, the connection every transaction writes on, and making commits durable. Private
 * to src/db/ (db_sqlite.c).
 *
 * Durability: SQLite writes a commit into the WAL without syncing it (synchronous=NORMAL);
 * the committer then waits, its turn given up, until a sync of the WAL covers its commit.
 * One sync covers every commit written before it began, so commits that come together
 * share one (group commit), and none holds the turn while the disk works. A commit is on
 * disk before its caller hears it was made, as with synchronous=FULL. A failed sync fails
 * every commit it covered and every later one (the WAL's frames chain: later ones could be
 * lost with it), until the process starts again.
 */
#ifndef PD_DB_SQLITE_QUEUE_H
#define PD_DB_SQLITE_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct writer_queue;

/* The queue of the file at path (absolute, as SQLite names it), made at its first user;
 * NULL for an in-memory database (or out of memory). */
struct writer_queue *queue_acquire(const char *path);

/* One user fewer; at the last, the queue is freed and its writer returned for the caller to
 * close (else NULL). */
void *queue_release(struct writer_queue *q);

/* Takes the turn to write within ms milliseconds: true, or false when it did not come. */
bool queue_lock(struct writer_queue *q, int ms);
void queue_unlock(struct writer_queue *q);

/* The connection the holder of the turn writes on (owned by the queue once set), or NULL
 * before the first is set. Only the holder of the turn may call these. */
void *queue_writer(struct writer_queue *q);
void queue_set_writer(struct writer_queue *q, void *writer);

/* After a commit, the turn given up (or never taken: past the busy timeout a commit is made
 * on the caller's own connection): returns once the commit is on disk, 0; or PD_E_DB when
 * the sync failed (what the commit wrote may not survive a power cut), with why (len
 * bytes). */
int queue_durable(struct writer_queue *q, char *why, size_t len);

/* A commit whose caller does not wait for the disk now (db_defer_sync): its number, for a
 * later queue_wait(), which returns once commit n, and every one before it, is on disk (0,
 * or PD_E_DB as queue_durable). */
uint64_t queue_written(struct writer_queue *q);
int queue_wait(struct writer_queue *q, uint64_t n, char *why, size_t len);

/* Commits numbered and syncs made so far (tests). */
void queue_counts(struct writer_queue *q, uint64_t *commits, uint64_t *syncs);

/* The file's full path. */
const char *queue_path(const struct writer_queue *q);

#endif
