/* atomic_file.c: temp file + fsync + rename (see atomic_file.h). */
#define _POSIX_C_SOURCE 200809L
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

void atomic_write_file(const char *path, const void *data, size_t len) {
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
        sn_die(SN_EXIT_USAGE, "%s: path too long", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) sn_die(SN_EXIT_USAGE, "cannot create %s: %s", tmp, strerror(errno));
    const char *p = data;
    for (size_t done = 0; done < len;) {
        ssize_t n = write(fd, p + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) sn_die(SN_EXIT_USAGE, "cannot write %s at byte %zu: %s", tmp, done, strerror(errno));
        done += (size_t)n;
    }
    if (fsync(fd) != 0 || close(fd) != 0) sn_die(SN_EXIT_USAGE, "cannot flush %s: %s", tmp, strerror(errno));
    if (rename(tmp, path) != 0) sn_die(SN_EXIT_USAGE, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
}

void make_directories(const char *path) {
    char *buf = sn_strdup(path);
    for (char *p = buf + 1;; p++) {
        char c = *p;
        if (c != '/' && c != '\0') continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) sn_die(SN_EXIT_USAGE, "cannot create directory %s: %s", buf, strerror(errno));
        *p = c;
        if (c == '\0') break;
    }
    sn_free(buf);
}
