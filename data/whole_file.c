/* whole_file.c: reading a whole file into memory, bounded (see whole_file.h). */
#define _POSIX_C_SOURCE 200809L
#include "whole_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common.h"

/* A first buffer size: a regular file's size, else (pipes, /proc files) a page. */
static size_t size_hint(FILE *f) {
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) return (size_t)st.st_size;
    return 4096;
}

static char *grow(char *buf, size_t cap, const char *path) {
    char *grown = realloc(buf, cap + 1);
    if (!grown) sn_die(EXIT_FAILURE, "out of memory reading %s (%zu bytes)", path, cap);
    return grown;
}

static const char *file_kind(mode_t mode) {
    return S_ISDIR(mode) ? "a directory" : S_ISFIFO(mode) ? "a FIFO" : S_ISCHR(mode) ? "a character device"
         : S_ISBLK(mode) ? "a block device" : S_ISSOCK(mode) ? "a socket" : "not a plain file";
}

FILE *open_input_file(const char *path, size_t max_bytes, char *why, size_t why_len) {
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(why, why_len, "cannot open: %s", strerror(errno));
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(why, why_len, "not a regular file (%s)", file_kind(st.st_mode));
        return NULL;
    }
    if ((unsigned long long)st.st_size > max_bytes) {
        snprintf(why, why_len, "%lld bytes, more than the %zu this file may have", (long long)st.st_size, max_bytes);
        return NULL;
    }
    FILE *f = fopen(path, "rb");
    if (!f) snprintf(why, why_len, "cannot open: %s", strerror(errno));
    return f;
}

char *read_whole_file(const char *path, size_t max_bytes, size_t *len, char *why, size_t why_len) {
    FILE *f = open_input_file(path, max_bytes, why, why_len);
    if (!f) return NULL;
    /* Up to one byte past the limit is read: that byte tells a file over it. */
    size_t limit = max_bytes + 1, hint = size_hint(f) + 1, cap = hint < limit ? hint : limit, n = 0;
    char *buf = grow(NULL, cap, path);
    while (n < limit && !feof(f) && !ferror(f)) {
        if (n == cap) {
            cap = cap < limit / 2 ? 2 * cap : limit;
            buf = grow(buf, cap, path);
        }
        n += fread(buf + n, 1, cap - n, f);
    }
    int failed = ferror(f), read_errno = errno;
    fclose(f);
    if (failed) snprintf(why, why_len, "read error after %zu bytes: %s", n, strerror(read_errno));
    else if (n > max_bytes) snprintf(why, why_len, "larger than %zu bytes, the most this file may have", max_bytes);
    if (failed || n > max_bytes) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}
