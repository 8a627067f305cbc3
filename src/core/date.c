/*
 * date.c - civil date arithmetic and the business time zone.
 *
 * The day-count conversions are Howard Hinnant's days_from_civil / civil_from_days
 * algorithms: eras of 400 years, March-based years so the leap day is the last day of
 * the year. They are exact for every proleptic Gregorian date in range.
 *
 * The time zone goes through the C library's tz database (TZ + localtime_r/mktime): it
 * knows every DST rule, past and future, and is updated by Debian's tzdata package.
 */
#include "date.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char business_tz[64] = "Europe/Paris";

bool date_is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int date_days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    return m == 2 && date_is_leap(y) ? 29 : days[m - 1];
}

bool date_valid(struct date d)
{
    return d.year >= 1 && d.year <= 9999 && d.month >= 1 && d.month <= 12 && d.day >= 1 &&
           d.day <= date_days_in_month(d.year, d.month);
}

int64_t date_to_days(struct date d)
{
    int64_t y = d.year - (d.month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = (d.month + 9) % 12; /* March = 0 */
    int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int date_weekday(struct date d)
{
    int64_t days = date_to_days(d); /* 1970-01-01 was a Thursday (4) */
    int64_t w = (days + 3) % 7;
    return (int)(w < 0 ? w + 7 : w) + 1;
}

struct date date_from_days(int64_t z)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    struct date d;
    d.day = (int)(doy - (153 * mp + 2) / 5 + 1);
    d.month = (int)(mp < 10 ? mp + 3 : mp - 9);
    d.year = (int)(yoe + era * 400 + (d.month <= 2));
    return d;
}

struct date date_add_days(struct date d, int n)
{
    return date_from_days(date_to_days(d) + n);
}

struct date date_add_months(struct date d, int n)
{
    int total = d.year * 12 + (d.month - 1) + n;
    struct date r;
    r.year = total / 12;
    r.month = total % 12 + 1;
    int last = date_days_in_month(r.year, r.month);
    r.day = d.day > last ? last : d.day;
    return r;
}

struct date date_term_end(struct date start, int months)
{
    struct date same = date_add_months(start, months);
    if (same.day < start.day) /* the day does not exist: the term runs to the month's end */
        return same;
    return date_add_days(same, -1);
}

int date_cmp(struct date a, struct date b)
{
    if (a.year != b.year)
        return a.year < b.year ? -1 : 1;
    if (a.month != b.month)
        return a.month < b.month ? -1 : 1;
    if (a.day != b.day)
        return a.day < b.day ? -1 : 1;
    return 0;
}

int date_diff_days(struct date a, struct date b)
{
    return (int)(date_to_days(b) - date_to_days(a));
}

void date_renewal_window(struct date expires_on, int window_days, struct date *opens_on,
                         struct date *closes_on)
{
    *opens_on = date_add_days(expires_on, 1);
    *closes_on = date_add_days(expires_on, window_days);
}

static int parse_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int date_parse(const char *s, struct date *out)
{
    struct date d;
    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    if (parse_digits(s, 4, &d.year) || parse_digits(s + 5, 2, &d.month) ||
        parse_digits(s + 8, 2, &d.day) || !date_valid(d))
        return -1;
    *out = d;
    return 0;
}

char *date_format(struct date d, char out[DATE_STRLEN])
{
    snprintf(out, DATE_STRLEN, "%04u-%02u-%02u", (unsigned)d.year % 10000u, (unsigned)d.month % 100u,
             (unsigned)d.day % 100u);
    return out;
}

char *date_format_long(struct date d, const char *lang, char *out, size_t n)
{
    static const char *fr[] = {"janvier", "février", "mars",      "avril",   "mai",      "juin",
                               "juillet", "août",    "septembre", "octobre", "novembre", "décembre"};
    static const char *en[] = {"January", "February", "March",     "April",   "May",      "June",
                               "July",    "August",   "September", "October", "November", "December"};
    int m = d.month >= 1 && d.month <= 12 ? d.month - 1 : 0;
    bool english = lang && strcmp(lang, "en") == 0;
    snprintf(out, n, "%d%s %s %d", d.day, !english && d.day == 1 ? "er" : "",
             english ? en[m] : fr[m], d.year);
    return out;
}

int date_set_timezone(const char *tz)
{
    char path[160];
    if (tz == NULL || *tz == '\0' || strlen(tz) >= sizeof(business_tz) || strstr(tz, "..") ||
        tz[0] == '/')
        return -1;
    for (const char *p = tz; *p; p++)
        if (!isalnum((unsigned char)*p) && strchr("/_-+", *p) == NULL)
            return -1;
    snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
    if (strcmp(tz, "UTC") != 0 && access(path, R_OK) != 0)
        return -1;
    snprintf(business_tz, sizeof(business_tz), "%s", tz);
    setenv("TZ", business_tz, 1);
    tzset();
    return 0;
}

const char *date_timezone(void)
{
    return business_tz;
}

struct date date_of_instant(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    return (struct date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

int64_t date_start_instant(struct date d)
{
    struct tm tm = {0};
    tm.tm_year = d.year - 1900;
    tm.tm_mon = d.month - 1;
    tm.tm_mday = d.day;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}

int64_t instant_add_days(int64_t t, int n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    tm.tm_mday += n; /* mktime() carries it over month and year ends */
    tm.tm_isdst = -1; /* the offset of the day reached, not of t's */
    return (int64_t)mktime(&tm);
}

int instant_parse(const char *s, int64_t *out)
{
    struct date d;
    int hh, mm, ss;
    char day[11];
    if (s == NULL || strlen(s) < 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':')
        return -1;
    memcpy(day, s, 10);
    day[10] = '\0';
    if (date_parse(day, &d) || parse_digits(s + 11, 2, &hh) || parse_digits(s + 14, 2, &mm) ||
        parse_digits(s + 17, 2, &ss) || hh > 23 || mm > 59 || ss > 60)
        return -1;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return -1;
        while (isdigit((unsigned char)*p))
            p++;
    }
    int64_t offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (strlen(p) != 6 || p[3] != ':' || parse_digits(p + 1, 2, &oh) ||
            parse_digits(p + 4, 2, &om) || oh > 23 || om > 59)
            return -1;
        offset = ((int64_t)oh * 3600 + (int64_t)om * 60) * (*p == '+' ? 1 : -1);
        p += 6;
    } else {
        return -1;
    }
    if (*p != '\0')
        return -1;
    *out = date_to_days(d) * 86400 + (int64_t)hh * 3600 + (int64_t)mm * 60 + ss - offset;
    return 0;
}

char *instant_format(int64_t t, char out[21])
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t rem = t - days * 86400;
    struct date d = date_from_days(days);
    snprintf(out, 21, "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned)d.year % 10000u,
             (unsigned)d.month % 100u, (unsigned)d.day % 100u, (unsigned)(rem / 3600) % 100u,
             (unsigned)(rem / 60 % 60), (unsigned)(rem % 60));
    return out;
}
