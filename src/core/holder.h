/*
 * core/holder.h - who holds a piece of work: this process's identity, and whether the
 * process named by another identity still lives.
 *
 * An identity names the machine (host name, kernel boot, pid namespace), the process (pid
 * and its start time, so a reused pid is told apart) and a random token drawn at start.
 * On the same machine a holder's death is seen at once; on another machine it cannot be
 * seen, and the caller falls back to a lease in real time.
 */
#ifndef PD_CORE_HOLDER_H
#define PD_CORE_HOLDER_H

/* Longest identity, with its NUL. */
#define HOLDER_MAX 256

/* This process's identity (computed once, thread-safe). */
const char *holder_self(void);

/* 1 when the process named by id lives (this process always does), 0 when it is gone,
 * -1 when it runs on another machine (or id cannot be read): ask its lease instead. */
int holder_alive(const char *id);

#endif
