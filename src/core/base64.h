/*
 * core/base64.h - base64 (the original alphabet, with padding), for bytes kept as text.
 *
 * Support attachments are stored as base64 text so both database engines hold them the
 * same way. libsodium does the work; nothing outside core/ calls it.
 */
#ifndef PD_BASE64_H
#define PD_BASE64_H

#include <stddef.h>

/* The base64 text of size bytes of data, NUL-terminated, or NULL when out of memory.
 * Owner: caller, free(). */
char *base64_encode(const void *data, size_t size);

/* Decodes text into *out (malloc'd, owner: caller, free()) and *size. 0, or -1 when text
 * is not base64 or memory ran out (then *out is NULL). */
int base64_decode(const char *text, unsigned char **out, size_t *size);

#endif
