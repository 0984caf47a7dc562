/* atomic_file.h: write a whole file so that readers see either the old or the complete new one; create
 * the directories it goes in. */
#ifndef SN_ATOMIC_FILE_H
#define SN_ATOMIC_FILE_H

#include <stddef.h>

/* What marks a temporary file: "<path>.tmp.<pid>". */
#define ATOMIC_TEMP_INFIX ".tmp."

/* Writes `len` bytes to "<path>.tmp.<pid>", fsyncs it, then renames it over `path`. Any failure is
 * a user-facing error naming the file (exit 2), and removes the temporary file. */
void atomic_write_file(const char *path, const void *data, size_t len);

/* Removes the temporary files a killed process left in dir (its entries holding ATOMIC_TEMP_INFIX);
 * returns how many. */
int remove_atomic_leftovers(const char *dir);

/* Creates a directory and any missing parents (mkdir -p); a failure is one line naming the directory
 * (exit 2). */
void make_directories(const char *path);

#endif
