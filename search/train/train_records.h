/*
 * train_records.h: the per-epoch records of a `supernet train` run, <rundir>/epochs.csv and
 * epochs.jsonl, and its training-curve chart curve.png.
 *
 * Columns: epoch (0-based), seconds (training and evaluation so far), lr, train_loss, train_acc,
 * valid_loss, valid_acc, test_loss, test_acc (train_setting.h: which evaluations a setting has; an
 * absent one is empty in the CSV and null in the JSON). Accuracies are top-1 in percent, losses the mean
 * cross-entropy. Appends are durable line by line (run_log.h).
 */
#ifndef SN_TRAIN_RECORDS_H
#define SN_TRAIN_RECORDS_H

#include "train/train_setting.h"

typedef struct {
    int epoch;
    double seconds, lr;
    double train_loss, train_acc;
    double loss[TRAIN_N_EVALS], acc[TRAIN_N_EVALS]; /* NaN: not evaluated */
} TrainRecord;

/* epochs.csv with its header and an empty epochs.jsonl, atomically. */
void train_records_create(const char *dir);
void train_records_append(const char *dir, const TrainRecord *r);
/* Keeps the first n records of both files (resume). */
void train_records_truncate(const char *dir, int n);
/* Reads epochs.csv back: *n records into a malloc'd array (free()); -1 and one line in err on a file
 * that is missing, too large or not this format. */
int train_records_read(const char *dir, TrainRecord **out, int *n, char *err, size_t err_len);

/* Redraws <dir>/curve.png from the records: loss and accuracy per epoch, train and each evaluation,
 * with the table's accuracy for the cell and recipe dashed when `table_acc` is not NaN. */
void train_curve_draw(const char *dir, const TrainRecord *r, int n, const char *title, double table_acc,
                      const char *table_label);

#endif
