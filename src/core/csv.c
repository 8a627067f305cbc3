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
