/*
 * epochs_csv.c: reads a run's epochs.csv (epochs_csv.h). Every malformed value is reported with the file,
 * the 1-based line and the column name; nothing is guessed or silently zeroed.
 */
#define _POSIX_C_SOURCE 200809L
#include "run/epochs_csv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "run/run_dir.h"
#include "whole_file.h"

enum { MAX_FIELDS = 256 };

typedef struct {
    const char *path;
    int line;
    char *err;
    size_t err_len;
} ParseCtx;

static int fail(ParseCtx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(ParseCtx *ctx, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(ctx->err, ctx->err_len, "%s:%d: %s", ctx->path, ctx->line, msg);
    return -1;
}

/* Splits one line in place at commas; strips one pair of surrounding double quotes per field. */
static int split_fields(char *line, char **fields) {
    int n = 0;
    for (char *s = line;; s++) {
        char *end = strchr(s, ',');
        if (n == MAX_FIELDS) return n + 1;
        if (end) *end = '\0';
        size_t len = strlen(s);
        if (len >= 2 && s[0] == '"' && s[len - 1] == '"') s[len - 1] = '\0', s++;
        fields[n++] = s;
        if (!end) return n;
        s = end;
    }
}

/* field[col]: where each record column sits in the file's lines, -1 if it is absent. */
static int map_header(ParseCtx *ctx, char **fields, int n, int field[EPOCH_N_COLUMNS]) {
    char name[64];
    for (int col = 0; col < EPOCH_N_COLUMNS; col++) {
        epoch_column_name(col, name, sizeof name);
        field[col] = -1;
        for (int i = 0; i < n; i++)
            if (strcmp(fields[i], name) == 0) field[col] = i;
        if (field[col] < 0 && epoch_column_required(col))
            return fail(ctx, "the header has no column '%s' (see search/run/epoch_record.h for the epochs.csv columns)",
                        name);
    }
    return 0;
}

static int parse_record(ParseCtx *ctx, char **f, const int field[EPOCH_N_COLUMNS], EpochRecord *r) {
    char why[400];
    epoch_record_clear(r);
    for (int col = 0; col < EPOCH_N_COLUMNS; col++)
        if (field[col] >= 0 && epoch_record_parse_field(r, col, f[field[col]], why, sizeof why) != 0)
            return fail(ctx, "%s", why);
    return 0;
}

/* Parses the whole file's text (modified in place) into log->rec. */
static int parse_text(ParseCtx *ctx, char *text, RunEpochs *log) {
    char *fields[MAX_FIELDS + 1];
    int field[EPOCH_N_COLUMNS], n_header = 0, cap = 0;
    char *next = text;
    for (ctx->line = 1; next && *next; ctx->line++) {
        char *line = next;
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        size_t len = strlen(line);
        if (len && line[len - 1] == '\r') line[--len] = '\0';
        if (ctx->line > 1 && len == 0) continue;
        int n = split_fields(line, fields);
        if (n > MAX_FIELDS) return fail(ctx, "more than %d fields", MAX_FIELDS);
        if (ctx->line == 1) {
            if (map_header(ctx, fields, n, field) != 0) return -1;
            n_header = n;
            continue;
        }
        if (n != n_header) return fail(ctx, "%d fields, but the header has %d", n, n_header);
        if (log->n == cap) {
            cap = cap ? 2 * cap : 64;
            EpochRecord *grown = realloc(log->rec, sizeof *grown * (size_t)cap);
            SN_ASSERT(grown, "out of memory reading %s", ctx->path);
            log->rec = grown;
        }
        EpochRecord *r = &log->rec[log->n];
        if (parse_record(ctx, fields, field, r) != 0) return -1;
        if (log->n > 0 && r->epoch <= log->rec[log->n - 1].epoch)
            return fail(ctx, "epoch %d does not follow epoch %d", r->epoch, log->rec[log->n - 1].epoch);
        log->n++;
    }
    if (n_header == 0) {
        ctx->line = 1;
        return fail(ctx, "empty file (expected the epochs.csv header)");
    }
    return 0;
}

static char *read_csv_text(const char *path, char *err, size_t err_len) {
    char why[256];
    size_t len;
    char *text = read_whole_file(path, EPOCHS_MAX_FILE_BYTES, &len, why, sizeof why);
    if (!text) snprintf(err, err_len, "%s: %s", path, why);
    else if (strlen(text) != len) {
        snprintf(err, err_len, "%s: contains a NUL byte (not a CSV file)", path);
        free(text);
        return NULL;
    }
    return text;
}

static void make_label(const char *rundir, char *out, size_t len) {
    size_t n = strlen(rundir);
    while (n > 1 && rundir[n - 1] == '/') n--;
    size_t start = n;
    while (start > 0 && rundir[start - 1] != '/') start--;
    snprintf(out, len, "%.*s", (int)(n - start), rundir + start);
    /* Default run names end in -YYYYmmdd-HHMMSS: the time is noise in a legend. */
    size_t m = strlen(out);
    if (m > 16 && out[m - 16] == '-' && out[m - 7] == '-' && strspn(out + m - 15, "0123456789") == 8 &&
        strspn(out + m - 6, "0123456789") == 6)
        out[m - 16] = '\0';
}

int epochs_csv_read(const char *rundir, RunEpochs *log, char *err, size_t err_len) {
    memset(log, 0, sizeof *log);
    char path[4096];
    snprintf(path, sizeof path, "%s/" RUN_EPOCHS_CSV, rundir);
    make_label(rundir, log->label, sizeof log->label);
    char *text = read_csv_text(path, err, err_len);
    if (!text) return -1;
    ParseCtx ctx = {.path = path, .err = err, .err_len = err_len};
    int rc = parse_text(&ctx, text, log);
    free(text);
    if (rc != 0) run_epochs_free(log);
    return rc;
}

void run_epochs_free(RunEpochs *log) {
    free(log->rec);
    log->rec = NULL;
    log->n = 0;
}
