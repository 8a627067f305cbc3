/* csv.c - lines and comma-separated fields, read in place. */
#include "csv.h"

#include <string.h>

char *csv_next_line(char **cursor)
{
    char *line = *cursor;
    if (line == NULL || *line == '\0')
        return NULL;
    char *nl = strchr(line, '\n');
    if (nl) {
        *nl = '\0';
        *cursor = nl + 1;
    } else {
        *cursor = line + strlen(line);
    }
    size_t len = strlen(line);
    if (len && line[len - 1] == '\r')
        line[len - 1] = '\0';
    return line;
}

int csv_split(char *line, char **fields, int max)
{
    int n = 0;
    for (char *p = line;;) {
        if (n == max)
            return max + 1;
        fields[n++] = p;
        char *comma = strchr(p, ',');
        if (comma == NULL)
            break;
        *comma = '\0';
        p = comma + 1;
    }
    for (int i = 0; i < n; i++) {
        while (*fields[i] == ' ')
            fields[i]++;
        size_t len = strlen(fields[i]);
        while (len && fields[i][len - 1] == ' ')
            fields[i][--len] = '\0';
    }
    return n;
}

char *csv_skip_bom(char *text)
{
    return text && strncmp(text, "\xEF\xBB\xBF", 3) == 0 ? text + 3 : text;
}

char *csv_unquote(char *field)
{
    size_t len = field ? strlen(field) : 0;
    if (len < 2 || field[0] != '"' || field[len - 1] != '"')
        return field;
    for (size_t i = 1; i + 1 < len; i++) /* a lone quote inside: not one quoted field */
        if (field[i] == '"' && (i + 2 >= len || field[++i] != '"'))
            return field;
    size_t o = 0;
    for (size_t i = 1; i + 1 < len; i++) {
        if (field[i] == '"')
            i++; /* "" is one quote */
        field[o++] = field[i];
    }
    field[o] = '\0';
    return field;
}
