/*
 * db/pool.h - the HTTP server's database connections, lent one request at a time.
 *
 * Each HTTP connection has its own thread (http/server.c), but at most `size` requests
 * use the database at once: a request takes a connection when it needs the database and
 * gives it back when it is done. One that waits on a payment gateway or the jobs thread
 * meanwhile (db_away()) lets another request in, which may open a connection more: at most
 * twice `size` in all. Connections are opened on first need and kept open; a request that
 * finds no turn or no connection free waits for one, up to a deadline.
 */
#ifndef PD_DB_POOL_H
#define PD_DB_POOL_H

#include "core/error.h"
#include "db/db.h"

struct db_pool;

/* A pool for size requests at work at once, over at most twice as many connections to url
 * (opened lazily). NULL when out of memory. */
struct db_pool *db_pool_new(const char *url, unsigned size);

/* Lends a connection: 0 and *out, or PD_E_UNAVAILABLE when none was free within wait_ms
 * (err says so, and why the database refused this request a connection more if it did),
 * a connection could not be opened and the pool has none open (err says why), or an idle
 * one was lost and the database cannot be reached again yet. A connection the database
 * refuses while the pool has some open (its limit of connections reached) makes the
 * request wait for one of those, and try a new one again once a second, within wait_ms. */
int db_pool_take(struct db_pool *p, int wait_ms, struct db **out, struct pd_error *err);

/* Gives a lent connection back (use cases end their transactions: service/tx.h). */
void db_pool_give(struct db_pool *p, struct db *db);

/* db_away() (back false) or db_back() (back true) on the connection this thread was lent
 * and has not given back; nothing on a thread lent none (the jobs thread, a command). The
 * server hands it to the payment gateway (gateway_on_wait()), so that every call to the
 * gateway from a request steps away from the database while it waits. */
void db_pool_away_here(bool back);

/* Connections lent right now, and opened in all (for /metrics and tests). */
void db_pool_counts(struct db_pool *p, unsigned *lent, unsigned *opened);

/* Closes every connection; none may be lent. NULL is fine. */
void db_pool_free(struct db_pool *p);

#endif
