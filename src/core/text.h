/*
 * text.h - validation of small user-supplied strings.
 */
#ifndef PD_TEXT_H
#define PD_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* A plausible address: one '@', a non-empty local part (at most 64 bytes), a domain
 * with a dot and no empty label, at most 254 bytes, no spaces or control bytes. */
bool text_email_valid(const char *s);

/* Copies s lower-cased (ASCII) into out (size n). */
void text_lower(const char *s, char *out, size_t n);

/* True when s is valid UTF-8 with no control characters, not blank, and 1 to max
 * characters (code points, not bytes: "é" counts one). */
bool text_line_valid(const char *s, size_t max);

/* True when s is valid UTF-8 of 1 to max characters (code points, not bytes), on as many
 * lines as it likes: the body of a support request or of a message. */
bool text_long_valid(const char *s, size_t max);

/* n bytes of well-formed UTF-8 (any characters, NUL included). */
bool text_utf8_valid(const char *s, size_t n);

/* How many of s's len bytes fit in max without cutting a UTF-8 character: len when all
 * do, else max less the bytes of the character max would cut (0 when s holds nothing but
 * that character's continuation). Text cut in a character is what PostgreSQL refuses and
 * jansson will not write. */
size_t text_utf8_fit(const char *s, size_t len, size_t max);

#endif
