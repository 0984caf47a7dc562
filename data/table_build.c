/*
 * table_build.c: converts the benchmark CSVs (../shared/benchmark/nasbench201_tss_all.csv and
 * nasbench201_tss_per_seed_200.csv) into the binary table file (format in table.h). Every problem in
 * a CSV stops the build with the file, line and column named.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "common.h"
#include "table.h"
#include "table_format.h"
#include "whole_file.h"

static const char ALL_HEADER[] =
    "index,arch,op_e01,op_e02,op_e12,op_e03,op_e13,op_e23,cifar10_valid_acc_200,cifar10_test_acc_200,"
    "cifar100_valid_acc_200,cifar100_test_acc_200,imagenet16_valid_acc_200,imagenet16_test_acc_200,n_seeds_200,"
    "cifar10_valid_acc_12,cifar10_test_acc_12,cifar100_valid_acc_12,cifar100_test_acc_12,imagenet16_valid_acc_12,"
    "imagenet16_test_acc_12,cifar10_valid_train_time_200,cifar10_valid_train_time_12,cifar100_train_time_200,"
    "imagenet16_train_time_200,params_mb_cifar10,params_mb_cifar100,params_mb_imagenet16,flops_m_cifar10,"
    "flops_m_cifar100,flops_m_imagenet16";
static const char SEED_HEADER[] =
    "index,seed_slot,cifar10_valid_acc_200,cifar100_valid_acc_200,imagenet16_valid_acc_200,"
    "cifar100_valtest_acc_200,imagenet16_valtest_acc_200";

enum { ALL_FIELDS = 31, SEED_FIELDS = 7, MAX_FIELDS = 32 };
#define TABLE_SOURCE_MAX_BYTES ((size_t)256 << 20) /* the CSV sources are about 10 MB */

typedef struct {
    const char *path;
    FILE *f;
    char *line;
    size_t cap;
    long line_no;
    char *field[MAX_FIELDS];
    int n_fields;
} CsvReader;

static void csv_open(CsvReader *r, const char *path, const char *header) {
    memset(r, 0, sizeof *r);
    r->path = path;
    char why[256];
    r->f = open_input_file(path, TABLE_SOURCE_MAX_BYTES, why, sizeof why);
    if (!r->f) sn_die(SN_EXIT_USAGE, "%s: %s", path, why);
    ssize_t n = getline(&r->line, &r->cap, r->f);
    r->line_no = 1;
    if (n <= 0) sn_die(SN_EXIT_USAGE, "%s:1: empty file, expected the header line", path);
    r->line[strcspn(r->line, "\r\n")] = '\0';
    if (strcmp(r->line, header) != 0) sn_die(SN_EXIT_USAGE, "%s:1: unexpected header, expected: %s", path, header);
}

/* Reads the next line and splits it at commas; returns 0 at end of file. */
static int csv_next(CsvReader *r, int expect_fields) {
    if (getline(&r->line, &r->cap, r->f) <= 0) return 0;
    r->line_no++;
    r->line[strcspn(r->line, "\r\n")] = '\0';
    r->n_fields = 0;
    for (char *p = r->line;; p++) {
        if (r->n_fields == MAX_FIELDS) break;
        r->field[r->n_fields++] = p;
        p = strchr(p, ',');
        if (!p) break;
        *p = '\0';
    }
    if (r->n_fields != expect_fields)
        sn_die(SN_EXIT_USAGE, "%s:%ld: %d fields, expected %d", r->path, r->line_no, r->n_fields, expect_fields);
    return 1;
}

static double csv_number(const CsvReader *r, int k) {
    char *end;
    errno = 0;
    double v = strtod(r->field[k], &end);
    if (r->field[k][0] == '\0' || *end != '\0' || errno)
        sn_die(SN_EXIT_USAGE, "%s:%ld: column %d: '%s' is not a number", r->path, r->line_no, k + 1, r->field[k]);
    return v;
}

static long csv_int(const CsvReader *r, int k, long lo, long hi) {
    double v = csv_number(r, k);
    if (v != (double)(long)v || v < lo || v > hi)
        sn_die(SN_EXIT_USAGE, "%s:%ld: column %d: '%s' is not an integer in [%ld, %ld]", r->path, r->line_no, k + 1, r->field[k], lo, hi);
    return (long)v;
}

static void csv_close(CsvReader *r) {
    free(r->line);
    fclose(r->f);
}

/* Fills archs[] from the main CSV (values from column 9 on are in record order). */
static void read_all_csv(const char *path, TableArch *archs) {
    CsvReader r;
    csv_open(&r, path, ALL_HEADER);
    int row = 0;
    for (; csv_next(&r, ALL_FIELDS); row++) {
        if (row >= TABLE_N_ARCHS) sn_die(SN_EXIT_USAGE, "%s:%ld: more than %d rows", path, r.line_no, TABLE_N_ARCHS);
        if (csv_int(&r, 0, 0, TABLE_N_ARCHS - 1) != row) sn_die(SN_EXIT_USAGE, "%s:%ld: index %s, expected %d", path, r.line_no, r.field[0], row);
        TableArch *a = &archs[row];
        a->code = 0;
        for (int e = 0; e < 6; e++) a->code = a->code * 5 + (int)csv_int(&r, 2 + e, 0, 4);
        int k = 8;
        for (int c = 0; c < TABLE_N_COLS; c++) a->acc200[c] = csv_number(&r, k++);
        a->n_seeds = (int)csv_int(&r, k++, 2, 3);
        for (int c = 0; c < TABLE_N_COLS; c++) a->acc12[c] = csv_number(&r, k++);
        for (int c = 0; c < TABLE_N_TIMES; c++) a->train_time[c] = csv_number(&r, k++);
        for (int c = 0; c < TABLE_N_NETS; c++) a->params_m[c] = csv_number(&r, k++);
        for (int c = 0; c < TABLE_N_NETS; c++) a->flops_m[c] = csv_number(&r, k++);
    }
    if (row != TABLE_N_ARCHS) sn_die(SN_EXIT_USAGE, "%s: %d rows, expected %d", path, row, TABLE_N_ARCHS);
    csv_close(&r);
}

/* Reads the per-seed CSV, checking that each cell's runs appear together as slots 0..n_seeds-1. */
static TableSeed *read_seed_csv(const char *path, TableArch *archs, int *n_rows) {
    int total = 0;
    for (int i = 0; i < TABLE_N_ARCHS; i++) archs[i].first_seed = total, total += archs[i].n_seeds;
    TableSeed *seeds = sn_alloc(sizeof(TableSeed) * (size_t)total);
    CsvReader r;
    csv_open(&r, path, SEED_HEADER);
    int row = 0;
    for (; csv_next(&r, SEED_FIELDS); row++) {
        if (row >= total) sn_die(SN_EXIT_USAGE, "%s:%ld: more seed rows than the %d the main table's n_seeds_200 add up to", path, r.line_no, total);
        long index = csv_int(&r, 0, 0, TABLE_N_ARCHS - 1), slot = csv_int(&r, 1, 0, 2);
        if (archs[index].first_seed + slot != row)
            sn_die(SN_EXIT_USAGE, "%s:%ld: cell %ld slot %ld is out of order or exceeds the cell's n_seeds_200", path, r.line_no, index, slot);
        for (int c = 0; c < TABLE_N_SEED_COLS; c++) seeds[row].v[c] = csv_number(&r, 2 + c);
    }
    if (row != total) sn_die(SN_EXIT_USAGE, "%s: %d seed rows, the main table's n_seeds_200 add up to %d", path, row, total);
    csv_close(&r);
    *n_rows = total;
    return seeds;
}

static uint8_t *encode_table(const TableArch *archs, const TableSeed *seeds, int n_seed_rows, size_t *size) {
    TableHeader h = {.version = TABLE_VERSION, .n_archs = TABLE_N_ARCHS, .n_seed_rows = (uint32_t)n_seed_rows,
                     .arch_record_bytes = TABLE_ARCH_RECORD_BYTES, .seed_record_bytes = TABLE_SEED_RECORD_BYTES,
                     .payload_bytes = (uint64_t)TABLE_N_ARCHS * TABLE_ARCH_RECORD_BYTES +
                                      (uint64_t)n_seed_rows * TABLE_SEED_RECORD_BYTES};
    *size = TABLE_HEADER_BYTES + (size_t)h.payload_bytes;
    uint8_t *buf = sn_alloc(*size);
    table_header_encode(&h, buf);
    uint8_t *arch_base = buf + TABLE_HEADER_BYTES;
    uint8_t *seed_base = arch_base + (size_t)TABLE_N_ARCHS * TABLE_ARCH_RECORD_BYTES;
    for (int s = 0; s < n_seed_rows; s++) table_seed_encode(&seeds[s], seed_base + (size_t)s * TABLE_SEED_RECORD_BYTES);
    for (int i = 0; i < TABLE_N_ARCHS; i++) {
        uint8_t *rec = arch_base + (size_t)i * TABLE_ARCH_RECORD_BYTES;
        table_arch_encode(&archs[i], rec);
        table_arch_seal(rec, i, seed_base + (size_t)archs[i].first_seed * TABLE_SEED_RECORD_BYTES, archs[i].n_seeds);
    }
    return buf;
}

void table_build(const char *all_csv, const char *seed_csv, const char *out_path) {
    TableArch *archs = sn_alloc(sizeof(TableArch) * TABLE_N_ARCHS);
    int n_seed_rows;
    read_all_csv(all_csv, archs);
    TableSeed *seeds = read_seed_csv(seed_csv, archs, &n_seed_rows);
    size_t size;
    uint8_t *buf = encode_table(archs, seeds, n_seed_rows, &size);
    atomic_write_file(out_path, buf, size);
    sn_free(buf);
    sn_free(seeds);
    sn_free(archs);
}
