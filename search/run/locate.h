/*
 * locate.h: where the running executable is, and where the project's own files (data/, configs/)
 * are found when no flag names them. A project path is tried in this order:
 *   1. beside the executable's folder: <exe dir>/../<path>  (build/supernet -> data/, configs/);
 *   2. in the executable's folder: <exe dir>/<path>;
 *   3. in the source tree the binary was built from (SUPERNET_SOURCE_DIR, set by search/CMakeLists.txt).
 */
#ifndef SN_LOCATE_H
#define SN_LOCATE_H

#include <stddef.h>

enum { LOCATE_MAX_PLACES = 3, LOCATE_PATH_MAX = 4200 };

/* The places tried for one project path, in order (the first two only when the executable's path
 * is known). */
typedef struct {
    int n;
    char path[LOCATE_MAX_PLACES][LOCATE_PATH_MAX];
} LocatePlaces;

/* The running executable's absolute path (/proc/self/exe). Returns 0, or -1 if it cannot be read. */
int locate_exe_path(char *out, size_t len);

/* The first readable place of `relative` ("configs", "data/nasbench201.sntab"), or NULL if none is;
 * `places` receives every place tried (for the message when none is found). */
const char *locate_project_file(const char *relative, LocatePlaces *places);

#endif
