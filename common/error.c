/* error.c -- error names and message formatting. */
#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *sift_version(void) { return SIFT_VERSION_STRING; }

const char *sift_strerror(sift_err code)
{
    switch (code) {
    case SIFT_OK: return "success";
    case SIFT_ERR_NOMEM: return "out of memory";
    case SIFT_ERR_IO: return "I/O error";
    case SIFT_ERR_NOTFOUND: return "no index found";
    case SIFT_ERR_CORRUPT: return "index is corrupt";
    case SIFT_ERR_VERSION: return "unsupported index format version";
    case SIFT_ERR_QUERY: return "malformed query";
    case SIFT_ERR_INVALID: return "invalid argument";
    case SIFT_ERR_INPUT: return "input rejected";
    case SIFT_ERR_LOCKED: return "index is locked by another writer";
    case SIFT_ERR_NOSPACE: return "no space left on device";
    }
    return "unknown error";
}

sift_err sift_fail(sift_errmsg *err, sift_err code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

sift_err sift_write_error(int e)
{
    return e == ENOSPC || e == EDQUOT || e == EFBIG ? SIFT_ERR_NOSPACE : SIFT_ERR_IO;
}

sift_err sift_fail_errno(sift_errmsg *err, int e, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < sizeof err->msg)
            snprintf(err->msg + n, sizeof err->msg - (size_t)n, ": %s", strerror(e));
    }
    return sift_write_error(e);
}

void sift_free(void *p) { free(p); }
