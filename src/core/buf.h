/*
 * buf.h - a growable byte buffer, always NUL-terminated.
 *
 * Owner: whoever declared it; buf_free() releases the bytes.
 */
#ifndef PD_BUF_H
#define PD_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *data; /* NUL-terminated; NULL until the first append */
    size_t len;
    size_t cap;
};

/* Appends n bytes. */
void buf_append(struct buf *b, const void *p, size_t n);

/* Appends a C string. */
void buf_puts(struct buf *b, const char *s);

/* Appends formatted text. */
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Empties the buffer, keeping its memory. */
void buf_reset(struct buf *b);

/* Releases the memory. */
void buf_free(struct buf *b);

#endif
