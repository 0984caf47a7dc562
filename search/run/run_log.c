/* run_log.c: epochs.csv and epochs.jsonl of a search run (see run_log.h). */
#define _POSIX_C_SOURCE 200809L
#include "run/run_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic_file.h"
#include "run/epochs_csv.h"
#include "run/run_dir.h"
#include "common.h"
#include "whole_file.h"

static void path_of(char *out, size_t n, const char *dir, const char *file) { snprintf(out, n, "%s/%s", dir, file); }

void run_log_create(const char *dir) {
    char path[4200], *text;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    epochs_csv_write_header(f);
    fclose(f);
    path_of(path, sizeof path, dir, RUN_EPOCHS_CSV), atomic_write_file(path, text, len);
    path_of(path, sizeof path, dir, RUN_EPOCHS_JSONL), atomic_write_file(path, "", 0);
    free(text);
}

void run_log_append_text(const char *path, const char *text, size_t len) {
    int fd = open(path, O_WRONLY | O_APPEND);
    if (fd < 0) sn_die(SN_EXIT_USAGE, "cannot open %s: %s", path, strerror(errno));
    ssize_t put = write(fd, text, len);
    if (put != (ssize_t)len || fsync(fd) != 0) sn_die(SN_EXIT_USAGE, "cannot append to %s: %s", path, strerror(errno));
    close(fd);
}

/* Formats r with `format` and appends it to <dir>/<file>. */
static void append_record(const char *dir, const char *file, void (*format)(FILE *, const EpochRecord *),
                          const EpochRecord *r) {
    char path[4200], *text;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    format(f, r);
    fclose(f);
    path_of(path, sizeof path, dir, file);
    run_log_append_text(path, text, len);
    free(text);
}

void run_log_append(const char *dir, const EpochRecord *r) {
    append_record(dir, RUN_EPOCHS_CSV, epochs_csv_write_record, r);
    append_record(dir, RUN_EPOCHS_JSONL, epochs_jsonl_write_record, r);
}

void run_log_keep_lines(const char *path, int lines) {
    char why[256];
    size_t len, end = 0;
    char *text = read_whole_file(path, EPOCHS_MAX_FILE_BYTES, &len, why, sizeof why);
    if (!text) sn_die(SN_EXIT_USAGE, "%s: %s", path, why);
    int kept = 0;
    while (kept < lines && end < len)
        if (text[end++] == '\n') kept++;
    if (kept < lines) sn_die(SN_EXIT_USAGE, "%s has %d complete lines, the checkpoint needs %d", path, kept, lines);
    atomic_write_file(path, text, end);
    free(text);
}

/* epochs.csv rewritten with this version's columns (a run begun by an older one may lack some), so that
 * the records appended next match its header. */
static void rewrite_csv(const char *dir, const char *path) {
    RunEpochs log;
    char err[512], *text;
    size_t len;
    if (epochs_csv_read(dir, &log, err, sizeof err) != 0) sn_die(SN_EXIT_USAGE, "%s", err);
    FILE *f = open_memstream(&text, &len);
    epochs_csv_write_header(f);
    for (int i = 0; i < log.n; i++) epochs_csv_write_record(f, &log.rec[i]);
    fclose(f);
    atomic_write_file(path, text, len);
    free(text);
    run_epochs_free(&log);
}

void run_log_truncate(const char *dir, int n) {
    char path[4200];
    path_of(path, sizeof path, dir, RUN_EPOCHS_CSV), run_log_keep_lines(path, n + 1);
    rewrite_csv(dir, path);
    path_of(path, sizeof path, dir, RUN_EPOCHS_JSONL), run_log_keep_lines(path, n);
}
