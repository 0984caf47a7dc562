/*
 * table_path.h: where `supernet` finds the benchmark table file, in this order:
 *   1. the --table PATH flag of the command, if given;
 *   2. the SUPERNET_TABLE environment variable, if set and non-empty;
 *   3. data/nasbench201.sntab beside the executable's folder (build/supernet -> data/), or in it;
 *   4. data/nasbench201.sntab in the source tree the binary was built from.
 * An explicit path (1, 2) that cannot be loaded is an error; it never falls back to another file.
 */
#ifndef SN_TABLE_PATH_H
#define SN_TABLE_PATH_H

#include "table.h"

#define TABLE_FILE_NAME "nasbench201.sntab"

/* flag_path: the value of --table, or NULL. Exits 2 naming every path tried if none loads. */
Table *table_open(const char *flag_path);

#endif
