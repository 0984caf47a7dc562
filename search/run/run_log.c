/* run_log.c: epochs.csv and epochs.jsonl of a search run (see run_log.h). */
#define _POSIX_C_SOURCE 200809L
#include "run/run_log.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic_file.h"
#include "common.h"

static const char *const SCALAR_KEYS[] = {"lr", "tau", "train_loss", "train_acc", "arch_loss", "arch_acc", "valid_loss", "valid_acc"};
enum { N_SCALARS = 8 };

static void path_of(char *out, size_t n, const char *dir, const char *file) { snprintf(out, n, "%s/%s", dir, file); }

static void write_header(FILE *f) {
    fprintf(f, "epoch,seconds");
    for (int k = 0; k < N_SCALARS; k++) fprintf(f, ",%s", SCALAR_KEYS[k]);
    fprintf(f, ",arch,index");
    for (int k = 0; k < TABLE_N_COLS; k++) fprintf(f, ",%s", TABLE_COLUMNS[k].key);
    for (int e = 0; e < ARCH_N_EDGES; e++)
        for (int o = 0; o < ARCH_N_OPS; o++) fprintf(f, ",p_e%d_%s", e, ARCH_OP_NAMES[o]);
    fputc('\n', f);
}

void run_log_create(const char *dir) {
    char path[4200], *text;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    write_header(f);
    fclose(f);
    path_of(path, sizeof path, dir, "epochs.csv"), atomic_write_file(path, text, len);
    path_of(path, sizeof path, dir, "epochs.jsonl"), atomic_write_file(path, "", 0);
    free(text);
}

static void scalars(const EpochRecord *r, double out[N_SCALARS]) {
    const double v[N_SCALARS] = {r->lr, r->tau, r->train_loss, r->train_acc, r->arch_loss, r->arch_acc, r->valid_loss, r->valid_acc};
    memcpy(out, v, sizeof v);
}

static void csv_number(FILE *f, double v) {
    if (isnan(v)) fputc(',', f);
    else fprintf(f, ",%.9g", v);
}

static void json_number(FILE *f, const char *key, double v) {
    if (isnan(v)) fprintf(f, ", \"%s\": null", key);
    else fprintf(f, ", \"%s\": %.9g", key, v);
}

static void write_csv_line(FILE *f, const EpochRecord *r, const char *arch) {
    double s[N_SCALARS];
    scalars(r, s);
    fprintf(f, "%d,%.3f", r->epoch, r->seconds);
    for (int k = 0; k < N_SCALARS; k++) csv_number(f, s[k]);
    fprintf(f, ",%s,%d", arch, r->index);
    for (int k = 0; k < TABLE_N_COLS; k++) fprintf(f, ",%.6g", r->acc[k]);
    for (int i = 0; i < ARCH_N_EDGES * ARCH_N_OPS; i++) csv_number(f, r->has_probs ? r->probs[i] : NAN);
    fputc('\n', f);
}

static void write_json_line(FILE *f, const EpochRecord *r, const char *arch) {
    double s[N_SCALARS];
    scalars(r, s);
    fprintf(f, "{\"epoch\": %d, \"seconds\": %.3f", r->epoch, r->seconds);
    for (int k = 0; k < N_SCALARS; k++) json_number(f, SCALAR_KEYS[k], s[k]);
    fprintf(f, ", \"arch\": \"%s\", \"index\": %d", arch, r->index);
    for (int k = 0; k < TABLE_N_COLS; k++) fprintf(f, ", \"%s\": %.6g", TABLE_COLUMNS[k].key, r->acc[k]);
    if (!r->has_probs) fprintf(f, ", \"p\": null}\n");
    else {
        fprintf(f, ", \"p\": [");
        for (int e = 0; e < ARCH_N_EDGES; e++) {
            fprintf(f, "%s[", e ? ", " : "");
            for (int o = 0; o < ARCH_N_OPS; o++) fprintf(f, "%s%.9g", o ? ", " : "", r->probs[e * ARCH_N_OPS + o]);
            fputc(']', f);
        }
        fprintf(f, "]}\n");
    }
}

/* One write() of the whole line, then fsync: a kill leaves either no line or the whole line. */
static void append_durably(const char *path, const char *text, size_t len) {
    int fd = open(path, O_WRONLY | O_APPEND);
    if (fd < 0) sn_die(SN_EXIT_USAGE, "cannot open %s: %s", path, strerror(errno));
    ssize_t put = write(fd, text, len);
    if (put != (ssize_t)len || fsync(fd) != 0) sn_die(SN_EXIT_USAGE, "cannot append to %s: %s", path, strerror(errno));
    close(fd);
}

void run_log_append(const char *dir, const EpochRecord *r) {
    char arch[ARCH_STR_MAX], path[4200], *text;
    size_t len;
    arch_format(&r->arch, arch);
    FILE *f = open_memstream(&text, &len);
    write_csv_line(f, r, arch);
    fclose(f);
    path_of(path, sizeof path, dir, "epochs.csv"), append_durably(path, text, len);
    free(text);
    f = open_memstream(&text, &len);
    write_json_line(f, r, arch);
    fclose(f);
    path_of(path, sizeof path, dir, "epochs.jsonl"), append_durably(path, text, len);
    free(text);
}

/* Keeps the first `lines` lines of a file (fewer if it has fewer), atomically. */
static void keep_lines(const char *path, int lines) {
    FILE *f = fopen(path, "rb");
    if (!f) sn_die(SN_EXIT_USAGE, "cannot open %s: %s", path, strerror(errno));
    char *text;
    size_t len;
    FILE *out = open_memstream(&text, &len);
    int c, kept = 0;
    while (kept < lines && (c = fgetc(f)) != EOF) {
        fputc(c, out);
        if (c == '\n') kept++;
    }
    fclose(f), fclose(out);
    if (kept < lines) sn_die(SN_EXIT_USAGE, "%s has %d complete lines, the checkpoint needs %d", path, kept, lines);
    atomic_write_file(path, text, len);
    free(text);
}

void run_log_truncate(const char *dir, int n) {
    char path[4200];
    path_of(path, sizeof path, dir, "epochs.csv"), keep_lines(path, n + 1);
    path_of(path, sizeof path, dir, "epochs.jsonl"), keep_lines(path, n);
}
