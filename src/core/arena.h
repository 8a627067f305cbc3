/*
 * arena.h - a region allocator: one per request and per job step.
 *
 * Everything allocated from an arena lives until arena_free(). Handlers never free
 * single objects; they allocate from the request's arena and the server frees it when
 * the response has been sent. Blocks are chained; a large allocation gets its own block.
 */
#ifndef PD_ARENA_H
#define PD_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_block;

/* An arena. Zero-initialise it (struct arena a = {0}) to start; arena_free() to end. */
struct arena {
    struct arena_block *head;
    size_t total; /* bytes handed out, for metrics and tests */
};

/* Returns size bytes aligned for any type, zeroed. Aborts on out-of-memory (see arena.c). */
void *arena_alloc(struct arena *a, size_t size);

/* A copy of the n first bytes of s, NUL-terminated. */
char *arena_strndup(struct arena *a, const char *s, size_t n);

/* A copy of s (NULL gives NULL). */
char *arena_strdup(struct arena *a, const char *s);

/* printf into the arena. */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Releases every block. The arena can be used again afterwards. */
void arena_free(struct arena *a);

#endif
