/* log.c - formatted lines written with one write(2) each, so threads never interleave. */
#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static enum log_level min_level = LOG_INFO;
static enum log_format format = LOG_TEXT;

void log_set_level(enum log_level level)
{
    min_level = level;
}

void log_set_format(enum log_format f)
{
    format = f;
}

/* Appends s as a JSON string (quotes included) to out at *o, within n. */
static void json_string_to(char *out, size_t n, size_t *o, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    if (*o + 2 >= n)
        return;
    out[(*o)++] = '"';
    for (size_t i = 0; i < len && *o + 8 < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            out[(*o)++] = '\\';
            out[(*o)++] = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            out[(*o)++] = '\\';
            out[(*o)++] = 'u';
            out[(*o)++] = '0';
            out[(*o)++] = '0';
            out[(*o)++] = hex[c >> 4];
            out[(*o)++] = hex[c & 15];
        } else {
            out[(*o)++] = (char)c;
        }
    }
    out[(*o)++] = '"';
}

/* True for a whole number JSON can carry as it is: 0, 42, -7 (no leading zero, no sign
 * alone, at most 18 digits). */
static bool is_integer(const char *s, size_t len)
{
    size_t i = len > 0 && s[0] == '-' ? 1 : 0;
    if (i == len || len - i > 18 || (s[i] == '0' && len - i > 1))
        return false;
    for (; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* The key=value part as JSON members: ,"key":"value" for each pair; a value may be
 * "quoted" (the quotes are dropped) and a whole number is written as a number. */
static void kv_to_json(const char *kv, char *out, size_t n, size_t *o)
{
    const char *p = kv;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *key = p;
        while (*p && *p != '=' && *p != ' ')
            p++;
        size_t key_len = (size_t)(p - key);
        if (key_len == 0 || *p != '=') {
            while (*p && *p != ' ')
                p++;
            continue;
        }
        p++;
        const char *value = p;
        size_t value_len;
        if (*p == '"') {
            value = ++p;
            while (*p && *p != '"')
                p++;
            value_len = (size_t)(p - value);
            if (*p)
                p++;
        } else {
            while (*p && *p != ' ')
                p++;
            value_len = (size_t)(p - value);
        }
        if (*o + 1 >= n)
            return;
        out[(*o)++] = ',';
        json_string_to(out, n, o, key, key_len);
        if (*o + 1 >= n)
            return;
        out[(*o)++] = ':';
        if (is_integer(value, value_len) && *o + value_len < n) {
            memcpy(out + *o, value, value_len);
            *o += value_len;
        } else {
            json_string_to(out, n, o, value, value_len);
        }
    }
}

char *log_escape(const char *s, char *out, unsigned n)
{
    static const char hex[] = "0123456789ABCDEF";
    unsigned o = 0;
    if (s == NULL)
        s = "-";
    for (; *s && o + 4 < n; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= ' ' || c == '"' || c == '%' || c == '=' || c == 0x7f) {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
    return out;
}

void log_line(enum log_level level, const char *req_id, const char *msg, const char *kv, ...)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    char line[2048];
    struct timeval tv;
    struct tm tm;

    if (level < min_level)
        return;
    gettimeofday(&tv, NULL); /* log timestamps are wall time, not the business clock */
    gmtime_r(&tv.tv_sec, &tm);
    char ts[64];
    snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000));
    if (format == LOG_JSON) {
        char kvtext[1600] = "", json[4096];
        size_t o = 0;
        if (kv) {
            va_list ap;
            va_start(ap, kv);
            vsnprintf(kvtext, sizeof(kvtext), kv, ap);
            va_end(ap);
        }
        o += (size_t)snprintf(json, sizeof(json), "{\"ts\":\"%s\",\"level\":\"%s\",\"req_id\":", ts,
                              names[level]);
        json_string_to(json, sizeof(json) - 3, &o, req_id ? req_id : "-",
                       strlen(req_id ? req_id : "-"));
        o += (size_t)snprintf(json + o, sizeof(json) - o, ",\"msg\":");
        json_string_to(json, sizeof(json) - 3, &o, msg, strlen(msg));
        kv_to_json(kvtext, json, sizeof(json) - 3, &o);
        json[o++] = '}';
        json[o++] = '\n';
        ssize_t w = write(STDERR_FILENO, json, o);
        (void)w;
        return;
    }
    int n =
        snprintf(line, sizeof(line), "%s %s %s %s", ts, names[level], req_id ? req_id : "-", msg);
    if (kv && n > 0 && (size_t)n < sizeof(line) - 2) {
        line[n++] = ' ';
        va_list ap;
        va_start(ap, kv);
        int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, kv, ap);
        va_end(ap);
        if (m > 0)
            n += m;
    }
    if (n < 0)
        return;
    if ((size_t)n > sizeof(line) - 2)
        n = (int)sizeof(line) - 2;
    line[n++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, (size_t)n);
    (void)w;
}
