/*
 * log.h - one line per event on standard error: `ts level req_id msg key=value...`.
 *
 * Values are escaped (spaces, quotes, control bytes become %XX) so a line is always one
 * line and always splits on spaces. Never pass a secret: passwords, tokens, card data,
 * cookies and request bodies are not logged anywhere in partnerd.
 */
#ifndef PD_LOG_H
#define PD_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Lines below this level are dropped (default LOG_INFO). */
void log_set_level(enum log_level level);

/* LOG_TEXT: `ts level req_id msg key=value...` (the default). LOG_JSON: the same line as
 * one JSON object, {"ts","level","req_id","msg", and each key}, for log collectors. */
enum log_format { LOG_TEXT, LOG_JSON };
void log_set_format(enum log_format format);

/* Writes a line. req_id may be NULL ("-"). kv is a printf format for the key=value part
 * whose %s arguments must already be escaped with log_escape(), or NULL. */
void log_line(enum log_level level, const char *req_id, const char *msg, const char *kv, ...)
    __attribute__((format(printf, 4, 5)));

/* Escapes s into out (size n) for use as a log value. Returns out. */
char *log_escape(const char *s, char *out, unsigned n);

#endif
