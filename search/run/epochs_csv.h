/*
 * epochs_csv.h: a search run's per-epoch records, read back from <rundir>/epochs.csv (the format fixed
 * by CONTRACT.md: one header line naming the columns, one line per finished epoch, empty fields
 * for missing values). Columns are found by name, so extra columns are ignored; the ones the plots
 * need must be present.
 */
#ifndef SN_EPOCHS_CSV_H
#define SN_EPOCHS_CSV_H

#include <stddef.h>

#include "arch.h"
#include "table.h"

typedef struct {
    int epoch;
    double acc[TABLE_N_COLS];           /* the benchmark columns (TABLE_COLUMNS), percent; NaN when empty */
    double p[ARCH_N_EDGES][ARCH_N_OPS]; /* op probabilities per edge; NaN when empty */
    int code;                           /* op code of the derived cell, -1 when the arch field is empty */
} EpochRow;

typedef struct {
    char label[128]; /* the run directory's name without a trailing -YYYYmmdd-HHMMSS */
    int n;
    EpochRow *rec;
} RunEpochs;

/* Reads <rundir>/epochs.csv. Returns 0, or -1 with one line in err naming the file and, for bad
 * content, the line and column ("logs/x/epochs.csv:4: column 'cifar10_test': 'abc' is not a number"). */
int epochs_csv_read(const char *rundir, RunEpochs *log, char *err, size_t err_len);
void run_epochs_free(RunEpochs *log);

#endif
