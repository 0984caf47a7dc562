/* table_path.c: locating and loading the benchmark table file (see table_path.h). */
#define _POSIX_C_SOURCE 200809L
#include "run/table_path.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "run/locate.h"

Table *table_open(const char *flag_path) {
    if (flag_path) return table_load(flag_path);
    const char *env = getenv("SUPERNET_TABLE");
    if (env && *env) return table_load(env);
    LocatePlaces places;
    const char *found = locate_project_file("data/" TABLE_FILE_NAME, &places);
    if (found) return table_load(found);
    char tried[LOCATE_MAX_PLACES * (LOCATE_PATH_MAX + 2)] = "";
    for (int i = 0; i < places.n; i++)
        snprintf(tried + strlen(tried), sizeof tried - strlen(tried), "%s%s", i ? ", " : "", places.path[i]);
    sn_die(SN_EXIT_USAGE, "benchmark table not found (tried %s); pass --table PATH or set SUPERNET_TABLE", tried);
}
