/* table.c: loading, validating and looking up the benchmark table file (see table.h). */
#define _POSIX_C_SOURCE 200809L
#include "table.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "table_format.h"
#include "whole_file.h"

const TableColumnInfo TABLE_COLUMNS[TABLE_N_COLS] = {
    [COL_C10_VALID] = {"cifar10_valid", "C10 valid", "cifar10-valid", "valid"},
    [COL_C10_TEST] = {"cifar10_test", "C10 test", "cifar10", "test"},
    [COL_C100_VALID] = {"cifar100_valid", "C100 valid", "cifar100", "valid"},
    [COL_C100_TEST] = {"cifar100_test", "C100 test", "cifar100", "test"},
    [COL_IN16_VALID] = {"imagenet16_valid", "IN16 valid", "ImageNet16-120", "valid"},
    [COL_IN16_TEST] = {"imagenet16_test", "IN16 test", "ImageNet16-120", "test"},
};

int table_column_find(const char *dataset, const char *split) {
    for (int k = 0; k < TABLE_N_COLS; k++)
        if (strcmp(TABLE_COLUMNS[k].dataset, dataset) == 0 && strcmp(TABLE_COLUMNS[k].split, split) == 0) return k;
    return -1;
}

typedef struct {
    const char *path;
    char *err;
    size_t err_len;
} LoadContext;

static int load_error(const LoadContext *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int load_error(const LoadContext *c, const char *fmt, ...) {
    va_list ap;
    char what[256];
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(c->err, c->err_len, "table file %s: %s", c->path, what);
    return -1;
}

/* The largest file read: far above any valid table (4.75 MB), so that a too long one is still
 * reported by what follows its payload. */
enum { TABLE_MAX_FILE_BYTES = 64 << 20 };

static int read_table_file(const LoadContext *c, uint8_t **data, size_t *size) {
    char why[256];
    *data = (uint8_t *)read_whole_file(c->path, TABLE_MAX_FILE_BYTES, size, why, sizeof why);
    return *data ? 0 : load_error(c, "%s", why);
}

static int check_header(const LoadContext *c, const uint8_t *data, size_t size, TableHeader *h) {
    size_t bad = 0;
    if (size < TABLE_HEADER_BYTES) return load_error(c, "truncated: %zu bytes, the header alone needs %d", size, TABLE_HEADER_BYTES);
    if (table_header_decode(data, h, &bad) != 0)
        return load_error(c, bad == 0 ? "not a supernet table (bad magic at offset 0)" : "header checksum mismatch at offset %zu: the header is corrupted", bad);
    if (h->version != TABLE_VERSION)
        return load_error(c, "format version %u at offset 8, this build reads version %d (rebuild it with 'supernet table-build')", h->version, TABLE_VERSION);
    if (h->n_archs != TABLE_N_ARCHS) return load_error(c, "offset 12: %u cells, expected %d", h->n_archs, TABLE_N_ARCHS);
    if (h->n_seed_rows < 2 * TABLE_N_ARCHS || h->n_seed_rows > 3 * TABLE_N_ARCHS)
        return load_error(c, "offset 16: %u seed rows, expected 2 or 3 per cell", h->n_seed_rows);
    if (h->arch_record_bytes != TABLE_ARCH_RECORD_BYTES || h->seed_record_bytes != TABLE_SEED_RECORD_BYTES)
        return load_error(c, "offset 20: record sizes %u/%u, expected %d/%d", h->arch_record_bytes, h->seed_record_bytes, TABLE_ARCH_RECORD_BYTES, TABLE_SEED_RECORD_BYTES);
    uint64_t expect = (uint64_t)h->n_archs * TABLE_ARCH_RECORD_BYTES + (uint64_t)h->n_seed_rows * TABLE_SEED_RECORD_BYTES;
    if (h->payload_bytes != expect) return load_error(c, "offset 32: payload of %llu bytes, expected %llu", (unsigned long long)h->payload_bytes, (unsigned long long)expect);
    return 0;
}

static int check_size(const LoadContext *c, size_t size, const TableHeader *h) {
    size_t arch_end = TABLE_HEADER_BYTES + (size_t)h->n_archs * TABLE_ARCH_RECORD_BYTES;
    size_t expect = TABLE_HEADER_BYTES + (size_t)h->payload_bytes;
    if (size > expect) return load_error(c, "%zu unexpected bytes after offset %zu", size - expect, expect);
    if (size == expect) return 0;
    if (size < arch_end)
        return load_error(c, "truncated inside cell row %zu (byte offset %zu): %zu bytes, expected %zu", (size - TABLE_HEADER_BYTES) / TABLE_ARCH_RECORD_BYTES, size, size, expect);
    return load_error(c, "truncated inside seed row %zu (byte offset %zu): %zu bytes, expected %zu", (size - arch_end) / TABLE_SEED_RECORD_BYTES, size, size, expect);
}

static int in_range(double v, double lo, double hi) { return isfinite(v) && v >= lo && v <= hi; }

static int check_values(const LoadContext *c, const TableArch *a, int row, size_t offset) {
    for (int k = 0; k < TABLE_N_COLS; k++)
        if (!in_range(a->acc200[k], 0, 100) || !in_range(a->acc12[k], 0, 100))
            return load_error(c, "row %d (offset %zu): accuracy column %d is not a percentage", row, offset, k);
    for (int k = 0; k < TABLE_N_TIMES; k++)
        if (!in_range(a->train_time[k], 1e-9, 1e9)) return load_error(c, "row %d (offset %zu): train time %d is not positive", row, offset, k);
    for (int k = 0; k < TABLE_N_NETS; k++)
        if (!in_range(a->params_m[k], 1e-9, 1e3) || !in_range(a->flops_m[k], 1e-9, 1e6))
            return load_error(c, "row %d (offset %zu): params/FLOPs %d out of range", row, offset, k);
    return 0;
}

/* Decodes row by row; seeds_base points at the first seed record. */
static int decode_rows(const LoadContext *c, const uint8_t *data, const TableHeader *h, Table *t) {
    const uint8_t *seeds_base = data + TABLE_HEADER_BYTES + (size_t)h->n_archs * TABLE_ARCH_RECORD_BYTES;
    int next_seed = 0;
    for (int i = 0; i < TABLE_N_ARCHS; i++) t->index_of_code[i] = -1;
    for (int row = 0; row < TABLE_N_ARCHS; row++) {
        size_t offset = TABLE_HEADER_BYTES + (size_t)row * TABLE_ARCH_RECORD_BYTES;
        const uint8_t *rec = data + offset;
        TableArch *a = &t->archs[row];
        table_arch_decode(rec, a);
        if (a->n_seeds < 2 || a->n_seeds > 3) return load_error(c, "row %d (offset %zu): %d seeds, expected 2 or 3", row, offset, a->n_seeds);
        if (next_seed + a->n_seeds > (int)h->n_seed_rows) return load_error(c, "row %d (offset %zu): seed rows run past the %u in the header", row, offset, h->n_seed_rows);
        const uint8_t *seeds = seeds_base + (size_t)next_seed * TABLE_SEED_RECORD_BYTES;
        if (table_arch_checksum(rec, row, seeds, a->n_seeds) != table_arch_stored_checksum(rec))
            return load_error(c, "row %d (offset %zu): checksum mismatch, the row or its seed rows are corrupted or "
                              "not at their index", row, offset);
        if (a->code >= TABLE_N_ARCHS || t->index_of_code[a->code] >= 0)
            return load_error(c, "row %d (offset %zu): op code %d is out of range or repeated", row, offset, a->code);
        if (check_values(c, a, row, offset) != 0) return -1;
        t->index_of_code[a->code] = row;
        a->first_seed = next_seed;
        for (int s = 0; s < a->n_seeds; s++) {
            TableSeed *seed = &t->seeds[next_seed + s];
            table_seed_decode(seeds + (size_t)s * TABLE_SEED_RECORD_BYTES, seed);
            for (int k = 0; k < TABLE_N_SEED_COLS; k++)
                if (!in_range(seed->v[k], 0, 100))
                    return load_error(c, "seed row %d of row %d (offset %zu): column %d is not a percentage", next_seed + s,
                                      row, (size_t)(seeds - data) + (size_t)s * TABLE_SEED_RECORD_BYTES + 8 * (size_t)k, k);
        }
        next_seed += a->n_seeds;
    }
    if (next_seed != (int)h->n_seed_rows) return load_error(c, "the cells use %d seed rows, the header says %u", next_seed, h->n_seed_rows);
    return 0;
}

int table_load_checked(const char *path, Table **out, char *err, size_t err_len) {
    LoadContext c = {path, err, err_len};
    uint8_t *data = NULL;
    size_t size = 0;
    TableHeader h;
    *out = NULL;
    if (read_table_file(&c, &data, &size) != 0) return -1;
    if (check_header(&c, data, size, &h) != 0 || check_size(&c, size, &h) != 0) {
        free(data);
        return -1;
    }
    Table *t = sn_alloc(sizeof *t);
    t->archs = sn_alloc(sizeof(TableArch) * TABLE_N_ARCHS);
    t->seeds = sn_alloc(sizeof(TableSeed) * h.n_seed_rows);
    t->n_seed_rows = (int)h.n_seed_rows;
    t->path = sn_strdup(path);
    int status = decode_rows(&c, data, &h, t);
    free(data);
    if (status != 0) {
        table_free(t);
        return -1;
    }
    *out = t;
    return 0;
}

Table *table_load(const char *path) {
    char err[512];
    Table *t;
    if (table_load_checked(path, &t, err, sizeof err) != 0) sn_die(SN_EXIT_USAGE, "%s", err);
    return t;
}

void table_free(Table *t) {
    if (!t) return;
    sn_free(t->archs);
    sn_free(t->seeds);
    sn_free(t->path);
    sn_free(t);
}

double table_train_time_200(const TableArch *a, TableColumn valid_col) {
    switch (valid_col) {
    case COL_C10_VALID: return a->train_time[TIME_C10V_200];
    case COL_C100_VALID: return a->train_time[TIME_C100_200];
    case COL_IN16_VALID: return a->train_time[TIME_IN16_200];
    default: SN_ASSERT(0, "no training time for column %d", (int)valid_col);
    }
    return 0;
}

double table_train_time_12(const TableArch *a, TableColumn valid_col) {
    /* cifar10-valid has its own 12-epoch column (the CSV's, the same product). */
    if (valid_col == COL_C10_VALID) return a->train_time[TIME_C10V_12];
    return table_train_time_200(a, valid_col) * 12.0 / 200.0;
}
