/*
 * epochs_csv.h: a search run's per-epoch records, read back from <rundir>/epochs.csv (the columns of
 * epoch_record.h: one header line naming them, one line per finished epoch, empty fields for missing
 * values). Columns are found by name: extra ones are ignored, absent optional ones are missing values,
 * and the ones the plots need must be present.
 */
#ifndef SN_EPOCHS_CSV_H
#define SN_EPOCHS_CSV_H

#include <stddef.h>

#include "run/epoch_record.h"

typedef struct {
    char label[128]; /* the run directory's name without a trailing -YYYYmmdd-HHMMSS */
    int n;
    EpochRecord *rec;
} RunEpochs;

/* Reads <rundir>/epochs.csv. Returns 0, or -1 with one line in err naming the file and, for bad
 * content, the line and column ("logs/x/epochs.csv:4: column 'cifar10_test': 'abc' is not a number"). */
int epochs_csv_read(const char *rundir, RunEpochs *log, char *err, size_t err_len);
void run_epochs_free(RunEpochs *log);

#endif
