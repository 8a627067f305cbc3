/*
 * date.h - civil dates of the business calendar, and the instants they come from.
 *
 * A subscription's dates are civil dates in the program's business time zone (default
 * Europe/Paris), not instants: "expires 22 June" means the whole of 22 June in Paris.
 * struct date is a plain year/month/day; arithmetic goes through a day count since
 * 1970-01-01 (proleptic Gregorian), so it is exact on every month end and leap day.
 * Instants (unix seconds, UTC) become civil dates only through date_of_instant(), which
 * uses the time zone set once at start-up by date_set_timezone().
 */
#ifndef PD_DATE_H
#define PD_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A civil date. Valid when date_valid() says so. */
struct date {
    int year;
    int month; /* 1..12 */
    int day;   /* 1..31 */
};

/* "YYYY-MM-DD" plus NUL. */
#define DATE_STRLEN 11

/* True for a leap year of the Gregorian calendar. */
bool date_is_leap(int year);

/* Number of days of that month (28..31). */
int date_days_in_month(int year, int month);

/* True when year is 1..9999 and month and day exist. */
bool date_valid(struct date d);

/* Days since 1970-01-01 (negative before). */
int64_t date_to_days(struct date d);

/* The civil date of a day count since 1970-01-01. */
struct date date_from_days(int64_t days);

/* ISO weekday: 1 for Monday to 7 for Sunday. */
int date_weekday(struct date d);

/* d plus n days (n may be negative). */
struct date date_add_days(struct date d, int n);

/* d plus n months, the day clamped to the target month's last day (31 Jan + 1 = 28/29 Feb).
 * This is the date a yearly subscription renews on. */
struct date date_add_months(struct date d, int n);

/* Last day of a term of n months starting on start: the day before the same day n months
 * later; when that day does not exist (29 Feb, 31st) the term ends on the target month's
 * last day. A 12-month term from 2024-02-29 ends on 2025-02-28. */
struct date date_term_end(struct date start, int months);

/* <0, 0 or >0 as a is before, equal to or after b. */
int date_cmp(struct date a, struct date b);

/* Whole days from a to b (b - a). */
int date_diff_days(struct date a, struct date b);

/* The renewal window after expires_on: opens the next day and lasts window_days days. */
void date_renewal_window(struct date expires_on, int window_days, struct date *opens_on,
                         struct date *closes_on);

/* Parses exactly "YYYY-MM-DD" into a valid date. Returns 0 or -1. */
int date_parse(const char *s, struct date *out);

/* Writes "YYYY-MM-DD" into out (DATE_STRLEN bytes). Returns out. */
char *date_format(struct date d, char out[DATE_STRLEN]);

/* Writes a date for people: fr "22 juin 2027", en "22 June 2027". Returns out. */
char *date_format_long(struct date d, const char *lang, char *out, size_t n);

/* Sets the business time zone (an IANA name such as "Europe/Paris"). Call once, before
 * any thread starts. Returns 0, or -1 when the tz database does not know the name. */
int date_set_timezone(const char *tz);

/* The business time zone's name. */
const char *date_timezone(void);

/* The civil date, in the business time zone, of an instant (unix seconds). */
struct date date_of_instant(int64_t unix_seconds);

/* The instant (unix seconds) at which a civil date begins in the business time zone. */
int64_t date_start_instant(struct date d);

/* The instant n civil days after t (n may be negative) at the same time of day in the business
 * time zone: across a daylight-saving change, n days are not n * 86400 seconds. */
int64_t instant_add_days(int64_t t, int n);

/* Parses an RFC 3339 instant ("2027-06-23T09:00:00Z", "...+02:00", fraction allowed and
 * ignored) into unix seconds. Returns 0 or -1. */
int instant_parse(const char *s, int64_t *out);

/* Writes an instant as "YYYY-MM-DDTHH:MM:SSZ" (21 bytes with NUL). Returns out. */
char *instant_format(int64_t unix_seconds, char out[21]);

#endif
