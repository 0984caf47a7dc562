/* test_table.c: the binary benchmark table against fixtures derived from the CSVs it was built from
 * (tests/fixtures: sampled rows value for value, every cell and seed row by digest, string <-> code <->
 * index), the paper's anchor values, the analytic cost formulas and the benchmark's params quirk list,
 * and the loader's errors on missing, truncated and corrupted files. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch.h"
#include "sha256.h"
#include "table.h"
#include "table_format.h"
#include "test_util.h"
#include "testlib.h"
#include "whole_file.h"

static char table_path[4096];

static void set_paths(void) {
    const char *root = getenv("SUPERNET_ROOT");
    snprintf(table_path, sizeof table_path, "%s/data/nasbench201.sntab", root ? root : "..");
}

enum { N_VALUES = 22, SAMPLE_FIELDS = 31 };

/* A cell's 22 values in record order, which is the CSV's order from column 9 on without n_seeds_200. */
static void record_values(const TableArch *r, double got[N_VALUES]) {
    memcpy(got, r->acc200, sizeof r->acc200);
    memcpy(got + 6, r->acc12, sizeof r->acc12);
    memcpy(got + 12, r->train_time, sizeof r->train_time);
    memcpy(got + 16, r->params_m, sizeof r->params_m);
    memcpy(got + 19, r->flops_m, sizeof r->flops_m);
}

/* The sampled rows of the main CSV (tests/fixtures/nb201_sample_rows.csv: first and last cells, each
 * column's extremes, quirk cells, a random hundred): the string parses to the table's code at that index,
 * the string formatted back from the code is identical, and all 22 values are bit-identical. */
static void test_sample_rows(const Table *t) {
    const char *path = fixture_file("nb201_sample_rows.csv");
    char line[4096];
    FILE *f = fopen(path, "r");
    CHECK(f != NULL, "cannot open %s", path);
    if (!f) return;
    int rows = 0, last = -1, bad_ids = 0, bad_values = 0;
    CHECK(fgets(line, sizeof line, f) != NULL, "empty %s", path);
    while (fgets(line, sizeof line, f)) {
        char *field[32] = {NULL};
        int n = 0;
        for (char *p = strtok(line, ",\r\n"); p && n < 32; p = strtok(NULL, ",\r\n")) field[n++] = p;
        int index = n == SAMPLE_FIELDS ? atoi(field[0]) : -1;
        rows++;
        if (index <= last || index >= TABLE_N_ARCHS) {
            bad_ids++;
            continue;
        }
        last = index;
        Arch a;
        char err[256], back[ARCH_STR_MAX];
        int ok = arch_parse(field[1], &a, err, sizeof err) == 0;
        int code = ok ? arch_to_code(&a) : -1;
        const TableArch *r = table_arch(t, index);
        Arch from_table = arch_from_code(r->code);
        arch_format(&from_table, back);
        int id_ok = ok && r->code == code && table_index_of_code(t, code) == index && strcmp(back, field[1]) == 0;
        if (!id_ok && bad_ids++ < 3) fprintf(stderr, "cell %d: table has %s, csv %s\n", index, back, field[1]);
        double got[N_VALUES];
        record_values(r, got);
        for (int k = 0; k < N_VALUES && ok; k++) {
            double want = strtod(field[k < 6 ? 8 + k : 9 + k], NULL);
            if (got[k] != want && bad_values++ < 3) fprintf(stderr, "cell %d value %d: table %.17g, csv %.17g\n", index, k, got[k], want);
        }
        bad_values += ok && r->n_seeds != atoi(field[14]);
    }
    fclose(f);
    CHECK(rows >= 150 && last == TABLE_N_ARCHS - 1, "%d sample rows, the last for cell %d", rows, last);
    CHECK(bad_ids == 0, "%d sample rows do not round-trip string <-> code <-> index", bad_ids);
    CHECK(bad_values == 0, "%d sample values differ from the csv", bad_values);
}

/* One line of the dump: prefix, then ",<16 hex digits>" of each value's IEEE-754 bits, then a newline. */
static void hash_line(Sha256 *h, const char *prefix, const double *values, int n) {
    char text[512];
    int len = snprintf(text, sizeof text, "%s", prefix);
    for (int k = 0; k < n; k++) {
        uint64_t bits;
        memcpy(&bits, &values[k], sizeof bits);
        len += snprintf(text + len, sizeof text - (size_t)len, ",%016" PRIx64, bits);
    }
    text[len++] = '\n';
    sha256_update(h, text, (size_t)len);
}

/* Cell `index` in the canonical dump (tests/fixtures/README.md): "index,arch,n_seeds,<bits of the 22
 * values>", then "index,slot,<bits of the 5 values>" for each of its seed rows. */
static void hash_cell(Sha256 *h, const Table *t, int index) {
    const TableArch *r = table_arch(t, index);
    Arch a = arch_from_code(r->code);
    char s[ARCH_STR_MAX], prefix[ARCH_STR_MAX + 32];
    double values[N_VALUES];
    arch_format(&a, s);
    record_values(r, values);
    snprintf(prefix, sizeof prefix, "%d,%s,%d", index, s, r->n_seeds);
    hash_line(h, prefix, values, N_VALUES);
    for (int k = 0; k < r->n_seeds; k++) {
        snprintf(prefix, sizeof prefix, "%d,%d", index, k);
        hash_line(h, prefix, t->seeds[r->first_seed + k].v, TABLE_N_SEED_COLS);
    }
}

/* Every cell and seed row against the SHA-256 digests that tests/fixtures/make_fixtures.py computed
 * from the two CSVs, one per block of 125 cells. */
static void test_digests(const Table *t) {
    const char *path = fixture_file("nb201_table_digests.txt");
    char line[256], want[65];
    FILE *f = fopen(path, "r");
    CHECK(f != NULL, "cannot open %s", path);
    if (!f) return;
    int next = 0, bad_blocks = 0, first, last, seed_rows = -1;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "seed_rows %d", &seed_rows) == 1 || line[0] == '#') continue;
        if (sscanf(line, "cells %d %d %64s", &first, &last, want) != 3 || first != next || last < first || last >= TABLE_N_ARCHS) {
            CHECK(0, "%s: bad line '%s'", path, line);
            break;
        }
        Sha256 h;
        uint8_t digest[32];
        char got[65];
        sha256_init(&h);
        for (int i = first; i <= last; i++) hash_cell(&h, t, i);
        sha256_final(&h, digest);
        for (int k = 0; k < 32; k++) snprintf(got + 2 * k, 3, "%02x", digest[k]);
        if (strcmp(got, want) != 0 && bad_blocks++ < 3) fprintf(stderr, "cells %d..%d differ from the csv\n", first, last);
        next = last + 1;
    }
    fclose(f);
    CHECK(next == TABLE_N_ARCHS, "%s covers cells 0..%d", path, next - 1);
    CHECK(bad_blocks == 0, "%d blocks of cells differ from the csv digests", bad_blocks);
    CHECK(seed_rows == t->n_seed_rows, "%d seed rows in the table, %d in the csv", t->n_seed_rows, seed_rows);
}

static void test_anchor_values(const Table *t) {
    /* Paper Table 5 "optimal" row; ImageNet16-120 valid is 46.73 in this (v1.1) data, 46.77 in v1.0. */
    const double best[TABLE_N_COLS] = {91.61, 94.37, 73.49, 73.51, 46.73, 47.31};
    for (int k = 0; k < TABLE_N_COLS; k++) {
        double m = 0;
        for (int i = 0; i < TABLE_N_ARCHS; i++) m = fmax(m, table_arch(t, i)->acc200[k]);
        CHECK_CLOSE(m, best[k], 0.005, 0, "best value of a column");
    }
    const double skip[TABLE_N_COLS] = {39.77, 54.30, 15.03, 15.61, 16.43, 16.32};
    int index = table_index_of_code(t, arch_code_parse("111111"));
    CHECK(index == 1835, "all-skip cell at index %d, expected 1835", index);
    for (int k = 0; k < TABLE_N_COLS; k++) CHECK_CLOSE(table_arch(t, index)->acc200[k], skip[k], 0.005, 0, "all-skip cell");
    CHECK_CLOSE(table_arch(t, 6111)->acc200[COL_C10_VALID], 91.61, 0.005, 0, "best cifar10-valid cell 6111");
}

/* Per-seed rows average to the table's 200-epoch validation means. */
static void test_seed_means(const Table *t) {
    const int col[3] = {COL_C10_VALID, COL_C100_VALID, COL_IN16_VALID};
    int bad = 0, total = 0;
    for (int i = 0; i < TABLE_N_ARCHS; i++) {
        const TableArch *a = table_arch(t, i);
        total += a->n_seeds;
        for (int c = 0; c < 3; c++) {
            double sum = 0;
            for (int s = 0; s < a->n_seeds; s++) sum += t->seeds[a->first_seed + s].v[c];
            bad += fabs(sum / a->n_seeds - a->acc200[col[c]]) > 1e-6;
        }
    }
    CHECK(total == 39419 && t->n_seed_rows == 39419, "%d seed rows", total);
    CHECK(bad == 0, "%d per-seed means differ from the table's means", bad);
}

static int in_mismatch_list(const int *list, int n, int index) {
    for (int k = 0; k < n; k++)
        if (list[k] == index) return 1;
    return 0;
}

static void test_cost_formulas(const Table *t) {
    const char *path = fixture_file("params_formula_mismatch.csv");
    char line[1024];
    int listed[200], n_listed = 0;
    FILE *f = fopen(path, "r");
    CHECK(f != NULL, "cannot open %s", path);
    if (!f) return;
    while (fgets(line, sizeof line, f) && n_listed < 200)
        if (line[0] >= '0' && line[0] <= '9') listed[n_listed++] = atoi(line);
    fclose(f);
    CHECK(n_listed == 150, "%d listed mismatches", n_listed);
    const int classes[TABLE_N_NETS] = {10, 100, 120}, sizes[TABLE_N_NETS] = {32, 32, 16};
    int param_mismatch = 0, unlisted = 0, flops_bad = 0;
    for (int i = 0; i < TABLE_N_ARCHS; i++) {
        const TableArch *r = table_arch(t, i);
        Arch a = arch_from_code(r->code);
        int differs = 0;
        for (int net = 0; net < TABLE_N_NETS; net++) {
            ArchCost c = arch_cost(&a, classes[net], sizes[net]);
            differs |= fabs((double)c.params / 1e6 - r->params_m[net]) > 5e-7;
            flops_bad += fabs((double)c.macs / 1e6 - r->flops_m[net]) > 5e-6;
        }
        param_mismatch += differs;
        unlisted += differs && !in_mismatch_list(listed, n_listed, i);
    }
    CHECK(param_mismatch == 150 && unlisted == 0, "params differ on %d cells, %d of them not listed", param_mismatch, unlisted);
    CHECK(flops_bad == 0, "FLOPs differ on %d (cell, dataset) pairs", flops_bad);
    ArchCost c0 = arch_cost(&(Arch){{4, 2, 1, 2, 1, 1}}, 10, 32);
    CHECK(c0.params == 129306 && c0.macs == 15647370, "cell 0: %lld params, %lld MACs", (long long)c0.params, (long long)c0.macs);
}

typedef struct {
    uint8_t *bytes;
    size_t size;
} Blob;

static Blob read_blob(const char *path) {
    Blob b = {NULL, 0};
    char why[256];
    b.bytes = (uint8_t *)read_whole_file(path, 64 << 20, &b.size, why, sizeof why);
    if (!b.bytes) b.size = 0;
    return b;
}

/* Writes `size` bytes of blob (with byte `flip_at` XOR-ed, if >= 0) and expects the loader to fail
 * with a message containing `expect`. */
static void expect_load_error(const Blob *b, size_t size, long flip_at, const char *expect) {
    char path[256], err[512] = "";
    snprintf(path, sizeof path, "/tmp/sn_test_table_%d.sntab", (int)getpid());
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL, "cannot write %s", path);
    if (!f) return;
    if (flip_at >= 0) b->bytes[flip_at] ^= 0x5a;
    fwrite(b->bytes, 1, size, f);
    if (flip_at >= 0) b->bytes[flip_at] ^= 0x5a;
    fclose(f);
    Table *t = NULL;
    int status = table_load_checked(path, &t, err, sizeof err);
    CHECK(status == -1 && t == NULL, "broken file (%s) was accepted", expect);
    CHECK(strstr(err, expect) != NULL && strstr(err, path) != NULL, "message '%s' lacks '%s' or the path", err, expect);
    remove(path);
}

/* Two neighbouring rows of equal seed count swapped together with their seed rows (each row's own
 * checksum intact) are refused, since the checksum binds a row to its index; a NaN or absurd value in a
 * seed row with a resealed checksum is refused by range. */
static void check_rows_bound_and_seed_ranges(Blob *b, size_t arch_end) {
    int row = 0;
    while (b->bytes[TABLE_HEADER_BYTES + (size_t)row * TABLE_ARCH_RECORD_BYTES + 2] !=
           b->bytes[TABLE_HEADER_BYTES + (size_t)(row + 1) * TABLE_ARCH_RECORD_BYTES + 2])
        row++;
    int first_seed = 0, n_seeds = b->bytes[TABLE_HEADER_BYTES + (size_t)row * TABLE_ARCH_RECORD_BYTES + 2];
    for (int r = 0; r < row; r++) first_seed += b->bytes[TABLE_HEADER_BYTES + (size_t)r * TABLE_ARCH_RECORD_BYTES + 2];
    uint8_t *copy = malloc(b->size);
    memcpy(copy, b->bytes, b->size);
    uint8_t *rec = copy + TABLE_HEADER_BYTES + (size_t)row * TABLE_ARCH_RECORD_BYTES, tmp[TABLE_ARCH_RECORD_BYTES];
    uint8_t *seeds = copy + arch_end + (size_t)first_seed * TABLE_SEED_RECORD_BYTES, tmp_seeds[3 * TABLE_SEED_RECORD_BYTES];
    size_t block = (size_t)n_seeds * TABLE_SEED_RECORD_BYTES;
    memcpy(tmp, rec, sizeof tmp), memcpy(rec, rec + TABLE_ARCH_RECORD_BYTES, sizeof tmp), memcpy(rec + TABLE_ARCH_RECORD_BYTES, tmp, sizeof tmp);
    memcpy(tmp_seeds, seeds, block), memcpy(seeds, seeds + block, block), memcpy(seeds + block, tmp_seeds, block);
    Blob swapped = {copy, b->size};
    char expect[96];
    snprintf(expect, sizeof expect, "row %d (offset %zu): checksum mismatch", row, TABLE_HEADER_BYTES + (size_t)row * TABLE_ARCH_RECORD_BYTES);
    expect_load_error(&swapped, swapped.size, -1, expect);
    memcpy(copy, b->bytes, b->size);
    const double bad[2] = {NAN, 1e300};
    for (int k = 0; k < 2; k++) {
        memcpy(seeds + 16, &bad[k], 8); /* seed row first_seed, column 2 */
        table_arch_seal(rec, row, seeds, n_seeds);
        snprintf(expect, sizeof expect, "seed row %d of row %d (offset %zu): column 2 is not a percentage", first_seed, row,
                 (size_t)(seeds - copy) + 16);
        expect_load_error(&swapped, swapped.size, -1, expect);
    }
    free(copy);
}

static void test_loader_errors(void) {
    Blob b = read_blob(table_path);
    CHECK(b.size > 0, "cannot read %s", table_path);
    if (b.size == 0) return;
    const size_t arch_end = TABLE_HEADER_BYTES + (size_t)TABLE_N_ARCHS * TABLE_ARCH_RECORD_BYTES;
    expect_load_error(&b, 0, -1, "truncated: 0 bytes, the header alone needs 48");
    expect_load_error(&b, TABLE_HEADER_BYTES + 100 * TABLE_ARCH_RECORD_BYTES + 50, -1, "truncated inside cell row 100");
    expect_load_error(&b, arch_end + 7 * TABLE_SEED_RECORD_BYTES + 3, -1, "truncated inside seed row 7");
    expect_load_error(&b, b.size, 0, "bad magic at offset 0");
    expect_load_error(&b, b.size, 12, "header checksum mismatch at offset 40");
    expect_load_error(&b, b.size, TABLE_HEADER_BYTES + 5 * TABLE_ARCH_RECORD_BYTES + 30, "row 5 (offset 968): checksum mismatch");
    expect_load_error(&b, b.size, (long)arch_end + 10, "row 0 (offset 48): checksum mismatch");
    check_rows_bound_and_seed_ranges(&b, arch_end);
    uint8_t *grown = realloc(b.bytes, b.size + 16);
    CHECK(grown != NULL, "realloc");
    if (!grown) return;
    b.bytes = grown;
    memset(b.bytes + b.size, 0, 16);
    expect_load_error(&b, b.size + 16, -1, "16 unexpected bytes after offset");
    TableHeader h;
    size_t bad;
    CHECK(table_header_decode(b.bytes, &h, &bad) == 0, "header of the real table");
    h.version = TABLE_VERSION + 1;
    table_header_encode(&h, b.bytes);
    expect_load_error(&b, b.size, -1, "format version 3 at offset 8");
    free(b.bytes);
    char err[512];
    Table *t;
    CHECK(table_load_checked("/nonexistent/table.sntab", &t, err, sizeof err) == -1, "missing file accepted");
    CHECK(strstr(err, "/nonexistent/table.sntab: cannot open") != NULL, "message '%s'", err);
}

int main(void) {
    set_paths();
    char err[512];
    Table *t = NULL;
    int status = table_load_checked(table_path, &t, err, sizeof err);
    CHECK(status == 0, "%s", err);
    if (status != 0) TEST_EXIT();
    test_sample_rows(t);
    test_digests(t);
    test_anchor_values(t);
    test_seed_means(t);
    test_cost_formulas(t);
    test_loader_errors();
    table_free(t);
    TEST_EXIT();
}
