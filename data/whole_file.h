/*
 * whole_file.h: the one reader of whole files into memory. Every file the program reads at once (the
 * benchmark table, checkpoints, configuration and ablation files, run records, summaries) goes through
 * it, bounded by a maximum size the caller gives, so that no file can make it allocate without limit.
 * Dataset files are the exception: they go through zlib (readers.c), which also unpacks gzip.
 */
#ifndef SN_WHOLE_FILE_H
#define SN_WHOLE_FILE_H

#include <stddef.h>

/* Reads the file at path into a new buffer: its *len bytes and a terminating NUL (so text can be used
 * as a string; free the buffer with free()). A file of more than max_bytes is refused. Returns the
 * buffer, or NULL with one line in why saying what went wrong, without the path (callers add it):
 * "cannot open: No such file or directory", "read error after 4096 bytes: Is a directory",
 * "larger than 1048576 bytes, the most this file may have". */
char *read_whole_file(const char *path, size_t max_bytes, size_t *len, char *why, size_t why_len);

#endif
