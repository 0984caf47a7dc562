/*
 * whole_file.h: the one way of opening an input file, and the one reader of whole files into memory.
 * Every file the program reads (the benchmark table, checkpoints, configuration and ablation files, run
 * records, summaries, dataset files) is first checked by open_input_file: a regular file (never a
 * directory, FIFO or device, which would read as empty, block, or never end) of at most the size its
 * format allows, so that no input can make the program hang or allocate without limit.
 */
#ifndef SN_WHOLE_FILE_H
#define SN_WHOLE_FILE_H

#include <stddef.h>
#include <stdio.h>

/* Opens path for reading ("rb") after checking it is a regular file of at most max_bytes. Returns the
 * stream, or NULL with one line in why, without the path (callers add it): "cannot open: No such file
 * or directory", "not a regular file (a directory)", "17179869184 bytes, more than the 1048576 this file
 * may have". */
FILE *open_input_file(const char *path, size_t max_bytes, char *why, size_t why_len);

/* Reads the file at path into a new buffer: its *len bytes and a terminating NUL (so text can be used
 * as a string; free the buffer with free()). A file of more than max_bytes is refused. Returns the
 * buffer, or NULL with one line in why saying what went wrong, without the path (callers add it):
 * "cannot open: No such file or directory", "read error after 4096 bytes: Is a directory",
 * "larger than 1048576 bytes, the most this file may have". */
char *read_whole_file(const char *path, size_t max_bytes, size_t *len, char *why, size_t why_len);

#endif
