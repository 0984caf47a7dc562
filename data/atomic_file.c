/* atomic_file.c: temp file + fsync + rename (see atomic_file.h). */
#define _POSIX_C_SOURCE 200809L
#include "atomic_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

/* A failed write takes its temporary file with it: a full disk must not stay full of them. */
static void fail(const char *tmp, int fd, const char *fmt, const char *what, size_t at, int err) {
    if (fd >= 0) close(fd);
    unlink(tmp);
    char msg[160];
    snprintf(msg, sizeof msg, fmt, at);
    sn_die(SN_EXIT_USAGE, "cannot %s %s%s: %s", what, tmp, msg, strerror(err));
}

void atomic_write_file(const char *path, const void *data, size_t len) {
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s%s%ld", path, ATOMIC_TEMP_INFIX, (long)getpid()) >= (int)sizeof tmp)
        sn_die(SN_EXIT_USAGE, "%s: path too long", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) fail(tmp, -1, "", "create", 0, errno);
    const char *p = data;
    for (size_t done = 0; done < len;) {
        ssize_t n = write(fd, p + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail(tmp, fd, " at byte %zu", "write", done, n < 0 ? errno : ENOSPC);
        done += (size_t)n;
    }
    if (fsync(fd) != 0) fail(tmp, fd, "", "flush", 0, errno);
    if (close(fd) != 0) fail(tmp, -1, "", "flush", 0, errno);
    if (rename(tmp, path) != 0) fail(tmp, -1, " to its final name", "rename", 0, errno);
}

int remove_atomic_leftovers(const char *dir) {
    DIR *d = opendir(dir);
    int removed = 0;
    if (!d) return 0;
    char path[4400];
    for (struct dirent *e; (e = readdir(d));) {
        if (!strstr(e->d_name, ATOMIC_TEMP_INFIX)) continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        removed += unlink(path) == 0;
    }
    closedir(d);
    return removed;
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
