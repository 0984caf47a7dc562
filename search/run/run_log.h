/*
 * run_log.h: the files of a search run's per-epoch records, <rundir>/epochs.csv and epochs.jsonl
 * (their columns and formats: epoch_record.h).
 *
 * Every record is appended as one write() of whole lines followed by fsync, so a kill leaves the
 * previous lines intact; run_log_truncate rewrites a file atomically to its first n records.
 */
#ifndef SN_RUN_LOG_H
#define SN_RUN_LOG_H

#include "run/epoch_record.h"

/* Creates epochs.csv (header only) and an empty epochs.jsonl in dir, atomically. */
void run_log_create(const char *dir);
void run_log_append(const char *dir, const EpochRecord *r);
/* Keeps the header and the first n records of both files (resume after a kill). */
void run_log_truncate(const char *dir, int n);

/* The two file steps beneath, for other per-epoch records (supernet train's): one write() of the whole
 * text, then fsync, so a kill leaves either none of it or all; and keeping a file's first `lines` lines,
 * atomically (it must have that many; at most EPOCHS_MAX_FILE_BYTES). Failures exit 2 naming the file. */
void run_log_append_text(const char *path, const char *text, size_t len);
void run_log_keep_lines(const char *path, int lines);

#endif
