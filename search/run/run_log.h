/*
 * run_log.h: the per-epoch records of a search run (CONTRACT.md), as CSV and JSON lines.
 *
 * epochs.csv columns: epoch, seconds, lr, tau, train_loss, train_acc, arch_loss, arch_acc,
 * valid_loss, valid_acc, arch, index, the six 200-epoch table accuracies, then p_e{e}_{op} for the
 * 30 probabilities. epochs.jsonl: the same keys, `p` a 6 x 5 array. A value that does not exist is
 * an empty CSV field and JSON null. Numbers are printed with %.9g (losses, accuracies, lr, tau,
 * probabilities; enough to tell float32 values apart) and seconds with %.3f.
 *
 * Every record is appended as one write() of whole lines followed by fsync, so a kill leaves the
 * previous lines intact; run_log_truncate rewrites a file atomically to its first n records.
 */
#ifndef SN_RUN_LOG_H
#define SN_RUN_LOG_H

#include "arch.h"
#include "table.h"

typedef struct {
    int epoch;
    double seconds, lr, tau;
    double train_loss, train_acc, arch_loss, arch_acc, valid_loss, valid_acc; /* NAN: none */
    Arch arch;
    int index;
    double acc[TABLE_N_COLS];
    int has_probs;
    float probs[ARCH_N_EDGES * ARCH_N_OPS];
} EpochRecord;

/* Creates epochs.csv (header only) and an empty epochs.jsonl in dir, atomically. */
void run_log_create(const char *dir);
void run_log_append(const char *dir, const EpochRecord *r);
/* Keeps the header and the first n records of both files (resume after a kill). */
void run_log_truncate(const char *dir, int n);

#endif
