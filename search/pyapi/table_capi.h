/*
 * table_capi.h: the benchmark table behind a flat C interface for Python's ctypes, built as
 * libsupernet_table.so (search/CMakeLists.txt) and used by the nats_bench_sn module beside it. It
 * wraps the engine's own loader (data/table.h), arch string parser and canonical form
 * (supernet/arch.h), so no lookup is written twice; it adds only the names a caller asks by.
 *
 * A value is asked for by benchmark dataset ("cifar10-valid", "cifar10", "cifar100",
 * "ImageNet16-120"), quantity, schedule (12 or 200 epochs) and run:
 *   quantity  "valid", "test" (accuracy on x-valid / x-test, ori-test for cifar10), "valtest" (the full
 *             test set of cifar100 and ImageNet16-120), all in %; "train-time" (simulated seconds for
 *             the whole schedule); "params", "flops" (millions; FLOPs derived by formula, data/PROVENANCE.md)
 *   run       -1: the mean over the cell's runs; 0 .. sntab_runs()-1: one run (a 200-epoch seed slot;
 *             the 12-epoch schedule has one run)
 *
 * Functions that can fail return SNTAB_OK or a negative status with one line in err (never a value):
 *   SNTAB_BAD_INPUT  the question is malformed (index out of range, bad arch string, unknown name)
 *   SNTAB_NOT_HELD   a valid question the table has no value for (e.g. cifar10-valid's test accuracy)
 * Only the functions below are exported from the shared library.
 */
#ifndef SN_TABLE_CAPI_H
#define SN_TABLE_CAPI_H

#include <stddef.h>

#include "table.h"

enum { SNTAB_OK = 0, SNTAB_BAD_INPUT = -1, SNTAB_NOT_HELD = -2 };

#define SNTAB_API __attribute__((visibility("default")))

/* Loads a table file: `path`, or when NULL $SUPERNET_TABLE, else data/nasbench201.sntab of the source
 * tree the library was built from. Returns the table, or NULL with the loader's message in err. */
SNTAB_API Table *sntab_open(const char *path, char *err, size_t err_len);
SNTAB_API void sntab_close(Table *t);
SNTAB_API const char *sntab_path(const Table *t);
SNTAB_API int sntab_count(void);

/* The index of an architecture string (into *index), or SNTAB_BAD_INPUT naming what is malformed. */
SNTAB_API int sntab_index_of_arch(const Table *t, const char *text, int *index, char *err, size_t err_len);
/* The cell's arch string, or its canonical form up to isomorphism (none edges and dead nodes folded:
 * the benchmark's unique string), into out[len]. */
SNTAB_API int sntab_arch_str(const Table *t, int index, char *out, size_t len, char *err, size_t err_len);
SNTAB_API int sntab_unique_str(const Table *t, int index, char *out, size_t len, char *err, size_t err_len);

/* The number of runs behind a schedule's values: 200 epochs 2 or 3 seeds, 12 epochs 1. */
SNTAB_API int sntab_runs(const Table *t, int index, int epochs, int *runs, char *err, size_t err_len);
SNTAB_API int sntab_value(const Table *t, int index, const char *dataset, const char *quantity, int epochs, int run,
                          double *out, char *err, size_t err_len);
/* The first cell (lowest index) with the highest mean `quantity` among those whose FLOPs and params
 * for `dataset` are at most flops_max and params_max (pass infinity for no limit). */
SNTAB_API int sntab_find_best(const Table *t, const char *dataset, const char *quantity, int epochs, double flops_max,
                              double params_max, int *index, double *best, char *err, size_t err_len);

#endif
