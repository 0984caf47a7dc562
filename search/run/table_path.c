/* table_path.c: locating and loading the benchmark table file (see table_path.h). */
#define _POSIX_C_SOURCE 200809L
#include "run/table_path.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#ifndef SUPERNET_SOURCE_DIR
#define SUPERNET_SOURCE_DIR "."
#endif

static int exe_dir(char *out, size_t len) {
    ssize_t n = readlink("/proc/self/exe", out, len - 1);
    if (n <= 0) return -1;
    out[n] = '\0';
    char *slash = strrchr(out, '/');
    if (!slash) return -1;
    *slash = '\0';
    return 0;
}

static int readable(const char *path) { return access(path, R_OK) == 0; }

Table *table_open(const char *flag_path) {
    if (flag_path) return table_load(flag_path);
    const char *env = getenv("SUPERNET_TABLE");
    if (env && *env) return table_load(env);
    char dir[4096], tried[3][4200];
    int n_tried = 0;
    if (exe_dir(dir, sizeof dir) == 0) {
        snprintf(tried[n_tried++], sizeof tried[0], "%s/../data/%s", dir, TABLE_FILE_NAME);
        snprintf(tried[n_tried++], sizeof tried[0], "%s/data/%s", dir, TABLE_FILE_NAME);
    }
    snprintf(tried[n_tried++], sizeof tried[0], "%s/data/%s", SUPERNET_SOURCE_DIR, TABLE_FILE_NAME);
    for (int i = 0; i < n_tried; i++)
        if (readable(tried[i])) return table_load(tried[i]);
    sn_die(SN_EXIT_USAGE, "benchmark table not found (tried %s%s%s%s%s); pass --table PATH or set SUPERNET_TABLE",
           tried[0], n_tried > 1 ? ", " : "", n_tried > 1 ? tried[1] : "", n_tried > 2 ? ", " : "", n_tried > 2 ? tried[2] : "");
}
