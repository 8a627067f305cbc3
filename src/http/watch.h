/*
 * http/watch.h - a deadline per connection, and a sweeper that enforces it.
 *
 * libmicrohttpd's own timeout is an idle timeout, reset by every byte, so a client sending
 * a header byte every few seconds would hold a connection forever. Each connection has a
 * deadline instead (its headers, then its body, must be in by then; none while partnerd
 * itself is working); a sweeper thread shuts the socket of any connection past it, four
 * times a second, and libmicrohttpd then closes it as a broken connection.
 */
#ifndef PD_HTTP_WATCH_H
#define PD_HTTP_WATCH_H

#include <stdint.h>

struct watch;
struct watch_conn;

/* Starts the sweeper. NULL when it cannot. */
struct watch *watch_start(void);

/* Stops the sweeper and frees the watch; every connection must have left it. */
void watch_stop(struct watch *w);

/* Watches the socket fd with a first deadline (0: none). NULL when out of memory (the
 * connection then goes unwatched). */
struct watch_conn *watch_add(struct watch *w, int fd, int64_t deadline_us);

/* Stops watching; after this the sweeper never touches the socket, which may be closed
 * and its descriptor reused. NULL is fine. */
void watch_remove(struct watch *w, struct watch_conn *c);

/* Sets the connection's deadline (monotonic microseconds; 0: none). NULL is fine. */
void watch_deadline(struct watch_conn *c, int64_t deadline_us);

/* The monotonic time seconds from now, or 0 (no deadline) for 0. */
int64_t watch_in(unsigned seconds);

#endif
