/* values.c -- parsing and normalizing typed field values (values.h). */
#include "values.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar: the
 * days of the whole 400-year eras and years before, counted from March so
 * that the leap day ends a year. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(int64_t y, unsigned m)
{
    static const unsigned n[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && leap(y) ? 29 : n[m - 1];
}

/* n digits at s[*i] into *v. */
static bool digits(const char *s, size_t len, size_t *i, int n, unsigned *v)
{
    *v = 0;
    for (int k = 0; k < n; k++, (*i)++) {
        if (*i >= len || s[*i] < '0' || s[*i] > '9') return false;
        *v = *v * 10 + (unsigned)(s[*i] - '0');
    }
    return true;
}

/* [T hh:mm[:ss[.fff]]][zone] after a day, into seconds of the day and the
 * zone's offset; *precise says whether seconds were written. */
static bool parse_time(const char *s, size_t len, size_t i, int64_t *secs, int64_t *offset,
                       int *unit)
{
    unsigned hh, mm, ss = 0;
    if (!digits(s, len, &i, 2, &hh) || i >= len || s[i++] != ':' || !digits(s, len, &i, 2, &mm))
        return false;
    *unit = 60;
    if (i < len && s[i] == ':') {
        i++;
        if (!digits(s, len, &i, 2, &ss)) return false;
        *unit = 1;
        if (i < len && (s[i] == '.' || s[i] == ',')) {   /* fractions of a second: ignored */
            i++;
            size_t f = i;
            while (i < len && s[i] >= '0' && s[i] <= '9') i++;
            if (i == f) return false;
        }
    }
    if (hh > 24 || mm > 59 || ss > 60 || (hh == 24 && (mm || ss))) return false;
    *secs = (int64_t)hh * 3600 + mm * 60 + (ss == 60 ? 59 : ss);
    *offset = 0;
    if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i < len && (s[i] == '+' || s[i] == '-')) {
        int sign = s[i++] == '-' ? -1 : 1;
        unsigned oh, om = 0;
        if (!digits(s, len, &i, 2, &oh)) return false;
        if (i < len && s[i] == ':') i++;
        if (i < len && !digits(s, len, &i, 2, &om)) return false;
        if (oh > 23 || om > 59) return false;
        *offset = sign * ((int64_t)oh * 3600 + om * 60);
    }
    return i == len;
}

bool value_parse_date(const char *s, size_t len, int64_t *start, int64_t *end)
{
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t')) len--;
    while (len && (*s == ' ' || *s == '\t')) s++, len--;
    size_t i = 0;
    unsigned y, m = 1, d = 1;
    if (!digits(s, len, &i, 4, &y) || y < 1) return false;
    int64_t first, last;
    if (i == len) {   /* a year */
        first = days_from_civil(y, 1, 1) * 86400;
        last = days_from_civil((int64_t)y + 1, 1, 1) * 86400 - 1;
    } else {
        if (s[i++] != '-' || !digits(s, len, &i, 2, &m) || m < 1 || m > 12) return false;
        if (i == len) {   /* a month */
            first = days_from_civil(y, m, 1) * 86400;
            last = first + (int64_t)month_days(y, m) * 86400 - 1;
        } else {
            if (s[i++] != '-' || !digits(s, len, &i, 2, &d) || d < 1 || d > month_days(y, m))
                return false;
            first = days_from_civil(y, m, d) * 86400;
            last = first + 86399;
            if (i < len) {   /* a time */
                if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return false;
                int64_t secs, offset;
                int unit;
                if (!parse_time(s, len, i + 1, &secs, &offset, &unit)) return false;
                first += secs - offset;
                last = first + unit - 1;
            }
        }
    }
    if (start) *start = first;
    if (end) *end = last;
    return true;
}

void value_format_date(int64_t secs, char *out, size_t size)
{
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t rest = secs - days * 86400, y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    if (!rest)
        snprintf(out, size, "%04lld-%02u-%02u", (long long)y, m, d);
    else
        snprintf(out, size, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, m, d,
                 (unsigned)(rest / 3600), (unsigned)(rest / 60 % 60), (unsigned)(rest % 60));
}

bool value_parse_number(const char *s, size_t len, double *out)
{
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t')) len--;
    while (len && (*s == ' ' || *s == '\t')) s++, len--;
    if (!len || len > 64) return false;
    size_t i = 0;
    if (s[i] == '+' || s[i] == '-') i++;
    size_t int_digits = 0, frac_digits = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9') i++, int_digits++;
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9') i++, frac_digits++;
    }
    if (!int_digits && !frac_digits) return false;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-')) i++;
        size_t e = i;
        while (i < len && s[i] >= '0' && s[i] <= '9') i++;
        if (i == e) return false;
    }
    if (i != len) return false;
    char buf[72];
    memcpy(buf, s, len);
    buf[len] = 0;
    double v = strtod(buf, NULL);
    if (!isfinite(v)) return false;
    *out = v == 0 ? 0 : v;   /* -0 and 0 are one value */
    return true;
}

char *value_fold_keyword(const char *s, size_t len)
{
    utf8proc_uint8_t *folded = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &folded,
                                      UTF8PROC_CASEFOLD | UTF8PROC_COMPOSE | UTF8PROC_STABLE);
    if (n < 0) {   /* invalid UTF-8: fold the ASCII letters only, keep the bytes */
        folded = malloc(len + 1);
        if (!folded) return NULL;
        for (size_t i = 0; i < len; i++)
            folded[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (utf8proc_uint8_t)(s[i] + 32) : (utf8proc_uint8_t)s[i];
        n = (utf8proc_ssize_t)len;
    }
    char *out = (char *)folded;
    size_t o = 0;
    for (utf8proc_ssize_t i = 0; i < n; i++) {
        char c = out[i];
        bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == 0;
        if (space) {
            if (o && out[o - 1] != ' ') out[o++] = ' ';
        } else {
            out[o++] = c;
        }
    }
    while (o && out[o - 1] == ' ') o--;
    if (o > KEYWORD_MAX) {   /* cut on a character boundary */
        o = KEYWORD_MAX;
        while (o && ((unsigned char)out[o] & 0xC0) == 0x80) o--;
    }
    out[o] = 0;
    return out;
}

uint64_t value_key_double(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return (b >> 63) ? ~b : b | ((uint64_t)1 << 63);
}

double value_double_of(uint64_t key)
{
    uint64_t b = (key >> 63) ? key & ~((uint64_t)1 << 63) : ~key;
    double v;
    memcpy(&v, &b, sizeof v);
    return v;
}
