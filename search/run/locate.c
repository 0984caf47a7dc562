/* locate.c: the executable's path and the project files beside it or in the source tree (see locate.h). */
#define _POSIX_C_SOURCE 200809L
#include "run/locate.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef SUPERNET_SOURCE_DIR
#error "SUPERNET_SOURCE_DIR must be defined (search/CMakeLists.txt defines it)"
#endif

int locate_exe_path(char *out, size_t len) {
    ssize_t n = readlink("/proc/self/exe", out, len - 1);
    if (n <= 0) return -1;
    out[n] = '\0';
    return 0;
}

/* <dir>/<up><relative>, up being "../" or "". */
static void add_place(LocatePlaces *places, const char *dir, const char *up, const char *relative) {
    snprintf(places->path[places->n++], LOCATE_PATH_MAX, "%s/%s%s", dir, up, relative);
}

const char *locate_project_file(const char *relative, LocatePlaces *places) {
    char exe[4096];
    places->n = 0;
    char *slash = locate_exe_path(exe, sizeof exe) == 0 ? strrchr(exe, '/') : NULL;
    if (slash) {
        *slash = '\0';
        add_place(places, exe, "../", relative);
        add_place(places, exe, "", relative);
    }
    add_place(places, SUPERNET_SOURCE_DIR, "", relative);
    for (int i = 0; i < places->n; i++)
        if (access(places->path[i], R_OK) == 0) return places->path[i];
    return NULL;
}
