/* error.h -- filling the caller's sift_errmsg; shared by every module. */
#ifndef SIFT_ERROR_H
#define SIFT_ERROR_H

#include <sift/sift.h>

/* Format a message into err (if not NULL) and return code, so that error
 * paths read `return sift_fail(err, SIFT_ERR_IO, "%s: %s", path, why);`. */
sift_err sift_fail(sift_errmsg *err, sift_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
