/*
 * table.h: the NAS-Bench-201 benchmark table (NATS-Bench tss / v1.1 line; see data/PROVENANCE.md),
 * held in one binary file, data/nasbench201.sntab, built from the two CSVs by table_build().
 *
 * Cells are addressed by the official benchmark index (0..15624) or by their 6-digit base-5 op
 * code (0..15624 as an integer, first edge most significant; see supernet/arch.h). Both lookups
 * are O(1). Accuracies are percentages; times are simulated training seconds.
 *
 * File format (version 2, little-endian, README "Table file"):
 *   header, 48 bytes: magic "SNTB201\0", u32 version, u32 n_archs, u32 n_seed_rows,
 *                     u32 arch_record_bytes, u32 seed_record_bytes, u32 zero, u64 payload_bytes,
 *                     u64 FNV-1a-64 of header bytes 0..39
 *   n_archs arch records, in index order, 184 bytes each:
 *     u16 code, u8 n_seeds, u8 zero, u32 FNV-1a-32 of (u32 index + the other 180 bytes + this cell's seed
 *     records: version 2 binds a row to its index),
 *     f64 acc200[6], f64 acc12[6], f64 train_time[4], f64 params_m[3], f64 flops_m[3]
 *   n_seed_rows seed records, 40 bytes each, cell by cell in index order (n_seeds of them per cell):
 *     f64 seed[5] (see TableSeedColumn)
 */
#ifndef SN_TABLE_H
#define SN_TABLE_H

#include <stddef.h>
#include <stdint.h>

enum { TABLE_N_ARCHS = 15625, TABLE_VERSION = 2 };

/* The six columns of the paper's Table 5, in its order; used for both the 200- and 12-epoch values. */
typedef enum {
    COL_C10_VALID,  /* cifar10-valid, x-valid (25k) */
    COL_C10_TEST,   /* cifar10 (trained on 50k), ori-test */
    COL_C100_VALID, /* cifar100 x-valid */
    COL_C100_TEST,  /* cifar100 x-test */
    COL_IN16_VALID, /* ImageNet16-120 x-valid */
    COL_IN16_TEST,  /* ImageNet16-120 x-test */
    TABLE_N_COLS
} TableColumn;

/* What each column is, the one place its names are spelled: its key in JSON and CSV output, its
 * heading in tables printed for people, and the benchmark dataset (as --dataset names it) and split
 * it holds. */
typedef struct {
    const char *key;     /* "cifar10_valid", ..., "imagenet16_test" */
    const char *label;   /* "C10 valid", ..., "IN16 test" */
    const char *dataset; /* "cifar10-valid", "cifar10", "cifar100" or "ImageNet16-120" */
    const char *split;   /* "valid" or "test" */
} TableColumnInfo;

extern const TableColumnInfo TABLE_COLUMNS[TABLE_N_COLS];

/* The column holding `split` of `dataset`, or -1 if it has none (cifar10-valid has no test column,
 * cifar10 no valid one). */
int table_column_find(const char *dataset, const char *split);

typedef enum { TIME_C10V_200, TIME_C10V_12, TIME_C100_200, TIME_IN16_200, TABLE_N_TIMES } TableTime;

/* The three network heads: 10 classes (cifar10-valid and cifar10), 100 (cifar100), 120 (ImageNet16-120). */
typedef enum { NET_10, NET_100, NET_120, TABLE_N_NETS } TableNet;

/* Per-seed 200-epoch values (one training run). valtest = the full test set (valid + test halves). */
typedef enum { SEED_C10V_VALID, SEED_C100_VALID, SEED_IN16_VALID, SEED_C100_VALTEST, SEED_IN16_VALTEST, TABLE_N_SEED_COLS } TableSeedColumn;

typedef struct {
    int32_t code;       /* 6 base-5 digits, edge order of the arch string */
    int32_t n_seeds;    /* 200-epoch runs behind the means: 2 or 3 */
    int32_t first_seed; /* index of this cell's first row in Table.seeds */
    double acc200[TABLE_N_COLS];    /* 200 epochs, mean over seeds */
    double acc12[TABLE_N_COLS];     /* 12 epochs (hp=12) */
    double train_time[TABLE_N_TIMES];
    double params_m[TABLE_N_NETS];  /* official parameter count, millions */
    double flops_m[TABLE_N_NETS];   /* formula FLOPs (MACs), millions */
} TableArch;

typedef struct {
    double v[TABLE_N_SEED_COLS];
} TableSeed;

typedef struct {
    char *path;
    int n_seed_rows;
    TableArch *archs; /* by official index */
    TableSeed *seeds;
    int32_t index_of_code[TABLE_N_ARCHS];
} Table;

/* Loads and validates a table file. Returns 0, or -1 with a one-line message naming the file and
 * the row or byte offset that is wrong (the table is then not allocated). */
int table_load_checked(const char *path, Table **out, char *err, size_t err_len);
/* As above, but a bad file is a user error: the message goes to stderr and the process exits 2. */
Table *table_load(const char *path);
void table_free(Table *t);

static inline const TableArch *table_arch(const Table *t, int index) { return &t->archs[index]; }
static inline int table_index_of_code(const Table *t, int code) { return t->index_of_code[code]; }

/* Simulated training time (s) of a cell for the dataset whose validation accuracies sit in column
 * `valid_col` (COL_C10_VALID, COL_C100_VALID or COL_IN16_VALID), over the 200- or the 12-epoch schedule;
 * the 12-epoch time is the 200-epoch time x 12/200 (the same time per epoch). */
double table_train_time_200(const TableArch *a, TableColumn valid_col);
double table_train_time_12(const TableArch *a, TableColumn valid_col);

/* Builds a table file from nasbench201_tss_all.csv and nasbench201_tss_per_seed_200.csv. Every
 * problem in the CSVs is a user error naming the file and line (exit 2). Writes atomically. */
void table_build(const char *all_csv, const char *seed_csv, const char *out_path);

#endif
