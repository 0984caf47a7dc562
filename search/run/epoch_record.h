/*
 * epoch_record.h: the record a search run writes after every epoch, and the one list of its columns:
 * the columns of <rundir>/epochs.csv and the keys of epochs.jsonl. The writer (run_log.c) and the
 * reader (epochs_csv.c) both go through this list, so the two cannot drift apart.
 *
 * Columns, in file order: epoch, seconds, lr, tau, train_loss, train_acc, arch_loss, arch_acc,
 * valid_loss, valid_acc, kendall_tau, spearman_rho (rank_every), arch (the cell string), index (its benchmark index), the six 200-epoch table
 * accuracies (keyed as TABLE_COLUMNS: cifar10_valid, ..., imagenet16_test), then p_e{e}_{op} for the
 * 30 op probabilities (edge e = 0..5, op as ARCH_OP_NAMES). epochs.jsonl: one JSON object per line
 * with the same keys, except that the probabilities are one 6 x 5 array `p`.
 *
 * A value that does not exist is an empty CSV field and JSON null (`p` is null when no probability
 * exists). Seconds are printed with %.3f, the table accuracies with %.6g, every other number with
 * %.9g (enough to tell float32 values apart).
 */
#ifndef SN_EPOCH_RECORD_H
#define SN_EPOCH_RECORD_H

#include <stddef.h>
#include <stdio.h>

#include "arch.h"
#include "table.h"

/* One epoch's record; every double is NaN when the value does not exist. */
typedef struct {
    int epoch;                          /* 0-based */
    double seconds;                     /* cumulative search time */
    double lr, tau;                     /* this epoch's weight learning rate, GDAS temperature */
    double train_loss, train_acc, arch_loss, arch_acc, valid_loss, valid_acc; /* epoch means, acc in % */
    double kendall_tau, spearman_rho;   /* rank_every: the supernet's ranking of sampled cells vs the table */
    int code;                           /* op code of the derived cell; -1: none */
    int index;                          /* its benchmark index; -1: none */
    double acc[TABLE_N_COLS];           /* its 200-epoch table accuracies (TableColumn order), % */
    double p[ARCH_N_EDGES][ARCH_N_OPS]; /* op probabilities per edge */
} EpochRecord;

/* The 14 leading columns (epoch .. index), the accuracies, the probabilities. */
enum { EPOCH_N_COLUMNS = 14 + TABLE_N_COLS + ARCH_N_EDGES * ARCH_N_OPS };

/* The largest epochs.csv or epochs.jsonl read back (100,000 epochs, the most a config allows, take
 * about 100 MB). */
#define EPOCHS_MAX_FILE_BYTES ((size_t)256 << 20)

/* Every value missing: NaN, code and index -1, epoch 0. */
void epoch_record_clear(EpochRecord *r);

/* The name of column `col` (0 .. EPOCH_N_COLUMNS - 1), e.g. "train_loss", "cifar10_test", "p_e3_none". */
void epoch_column_name(int col, char *out, size_t len);
/* 1 for the columns a reader cannot do without (epoch, arch, the accuracies, the probabilities:
 * what the plots draw); the others may be absent from a file and are then missing values. */
int epoch_column_required(int col);

/* epochs.csv's header line; one record as a CSV line; one record as an epochs.jsonl line. */
void epochs_csv_write_header(FILE *f);
void epochs_csv_write_record(FILE *f, const EpochRecord *r);
void epochs_jsonl_write_record(FILE *f, const EpochRecord *r);

/* Sets column `col` of r from its CSV field. Returns 0, or -1 with what is wrong in why, naming the
 * column ("column 'cifar10_test': 'abc' is not a number"). */
int epoch_record_parse_field(EpochRecord *r, int col, const char *text, char *why, size_t why_len);

#endif
