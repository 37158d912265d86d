/* values.h -- the values of typed fields as text: dates, numbers and
 * keywords parsed and normalized the one way both the writer (documents)
 * and the query binder (filters) read them, and the 64-bit keys the
 * column store (common/segment/columns.c) keeps them as, ordered as the
 * values are. */
#ifndef SIFT_VALUES_H
#define SIFT_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sift/sift.h>

/* A date: ISO 8601 as a year (2023), a month (2023-06), a day (2023-06-15),
 * or a day with a time (2023-06-15T10:30, :45, .123) and a zone (Z, +02:00,
 * -0500; none is UTC); a space may stand for the T. *start and *end (may be
 * NULL) receive the first and the last second of the period it names, in
 * seconds since 1970-01-01 UTC: 2023 covers the whole year, a time with
 * seconds one second. Years 1 to 9999. */
bool value_parse_date(const char *s, size_t len, int64_t *start, int64_t *end);

/* A number: an integer or a decimal ([+-]digits[.digits][e[+-]digits]),
 * finite. */
bool value_parse_number(const char *s, size_t len, double *out);

/* The date as ISO 8601 in UTC into out (at least 32 bytes): the day alone
 * when the time is midnight ("2023-06-15"), else with the time and Z. */
void value_format_date(int64_t secs, char *out, size_t size);

/* A keyword's normalized form into out (malloc'ed, NUL-terminated): Unicode
 * case folding (accents kept), runs of white space made one space, trimmed,
 * cut at KEYWORD_MAX bytes on a character boundary. NULL when memory is
 * short; "" for a value of white space only. */
#define KEYWORD_MAX 180   /* so that a keyword term fits TERM_MAX (schema.h) */
char *value_fold_keyword(const char *s, size_t len);

/* Order-preserving 64-bit keys: key(a) < key(b) exactly when a < b. */
static inline uint64_t value_key_int(int64_t v)
{
    return (uint64_t)v ^ ((uint64_t)1 << 63);
}
static inline int64_t value_int_of(uint64_t key)
{
    return (int64_t)(key ^ ((uint64_t)1 << 63));
}
uint64_t value_key_double(double v);
double value_double_of(uint64_t key);

#endif
