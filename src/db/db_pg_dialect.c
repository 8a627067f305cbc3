/*
 * db_pg_dialect.c - migration SQL, written for SQLite, in PostgreSQL's dialect.
 *
 * Migrations are written for SQLite (STRICT tables, INTEGER, BLOB); pg_dialect() maps
 * them: INTEGER -> BIGINT (SQLite integers are 64-bit), BLOB -> BYTEA, STRICT dropped.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"

/* Engine-specific parts of a migration, line by line: drops the lines from
 * "-- sqlite-only begin" to "-- sqlite-only end" and turns "--pg: SQL" into SQL (SQLite
 * runs the first and reads the second as comments). Returns malloc'd text. */
static char *pg_only_lines(const char *sql)
{
    size_t len = strlen(sql), o = 0;
    char *out = calloc(1, len + 1);
    bool skip = false;
    if (out == NULL)
        return NULL;
    for (const char *p = sql; *p;) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) + 1 : strlen(p);
        if (!strncmp(p, "-- sqlite-only begin", 20)) {
            skip = true;
        } else if (!strncmp(p, "-- sqlite-only end", 18)) {
            skip = false;
        } else if (!skip && !strncmp(p, "--pg: ", 6)) {
            memcpy(out + o, p + 6, n - 6);
            o += n - 6;
        } else if (!skip) {
            memcpy(out + o, p, n);
            o += n;
        }
        p += n;
    }
    out[o] = '\0';
    return out;
}

/* Replaces whole upper-case words outside quotes: INTEGER, BLOB, and ") STRICT". */
static char *pg_words(const char *sql)
{
    static const struct {
        const char *from, *to;
    } words[] = {{"INTEGER", "BIGINT"}, {"BLOB", "BYTEA"}, {"STRICT", ""}};
    size_t len = strlen(sql);
    char *out = malloc(len * 2 + 1);
    size_t o = 0;
    char quote = 0;
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < len;) {
        char c = sql[i];
        if (quote) {
            if (c == quote)
                quote = 0;
            out[o++] = c;
            i++;
            continue;
        }
        if (c == '\'' || c == '"') {
            quote = c;
            out[o++] = c;
            i++;
            continue;
        }
        if (c == '-' && sql[i + 1] == '-') { /* comment to end of line */
            while (i < len && sql[i] != '\n')
                out[o++] = sql[i++];
            continue;
        }
        if (isalpha((unsigned char)c) &&
            (i == 0 || !(isalnum((unsigned char)sql[i - 1]) || sql[i - 1] == '_'))) {
            size_t j = i;
            while (j < len && (isalnum((unsigned char)sql[j]) || sql[j] == '_'))
                j++;
            const char *rep = NULL;
            for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++)
                if (strlen(words[w].from) == j - i && strncmp(sql + i, words[w].from, j - i) == 0)
                    rep = words[w].to;
            if (rep) {
                memcpy(out + o, rep, strlen(rep));
                o += strlen(rep);
            } else {
                memcpy(out + o, sql + i, j - i);
                o += j - i;
            }
            i = j;
            continue;
        }
        out[o++] = c;
        i++;
    }
    out[o] = '\0';
    return out;
}

char *pg_dialect(const char *sql)
{
    char *lines = pg_only_lines(sql);
    char *out = lines ? pg_words(lines) : NULL;
    free(lines);
    return out;
}
