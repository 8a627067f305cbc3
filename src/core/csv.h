/*
 * csv.h - the small CSV files partners and staff upload (a bank statement, a PMC
 * export): lines of comma-separated fields, no quoting, read in place. A caller whose
 * files come from spreadsheets skips their byte order mark and unquotes their fields.
 */
#ifndef PD_CSV_H
#define PD_CSV_H

/* The next line at *cursor, without its "\n" or "\r\n", NUL-terminated in place; *cursor
 * moves past it. NULL at the end of the text. Empty lines are returned too, so that a
 * caller counting lines names the line a person sees in an editor. */
char *csv_next_line(char **cursor);

/* Splits line in place at each comma into at most max fields, spaces around each field
 * trimmed. Returns the number of fields, or max + 1 when the line has more. */
int csv_split(char *line, char **fields, int max);

/* text past the UTF-8 byte order mark a spreadsheet's "CSV UTF-8" export starts with, if
 * any. */
char *csv_skip_bom(char *text);

/* A field written between double quotes ("AAAAA-11111", with "" for a quote inside), as
 * spreadsheets and scripts that quote every field write them, unquoted in place; any
 * other field is left as it is. Returns field. */
char *csv_unquote(char *field);

#endif
