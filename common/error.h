/* error.h -- filling the caller's sift_errmsg; shared by every module. */
#ifndef SIFT_ERROR_H
#define SIFT_ERROR_H

#include <sift/sift.h>

/* Format a message into err (if not NULL) and return code, so that error
 * paths read `return sift_fail(err, SIFT_ERR_IO, "%s: %s", path, why);`. */
sift_err sift_fail(sift_errmsg *err, sift_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The code for a failed write with errno e: SIFT_ERR_NOSPACE for a full
 * disk or quota (ENOSPC, EDQUOT, EFBIG), SIFT_ERR_IO otherwise. */
sift_err sift_write_error(int e);

/* sift_fail for a failed write: the message gets ": strerror(e)" appended
 * and the code is sift_write_error(e). Pass errno as it was right after
 * the failing call. */
sift_err sift_fail_errno(sift_errmsg *err, int e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
