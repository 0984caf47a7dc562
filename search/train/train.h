/*
 * train.h: `supernet train`: one cell trained from scratch on the benchmark's evaluation network
 * (supernet.h, single_cell) with a benchmark recipe (configs/train/<recipe>.cfg), evaluated after
 * every epoch on the dataset setting's evaluation sets (train_setting.h), with the table's accuracy of
 * the same cell and recipe beside ours at the end.
 *
 * Run directory <logs>/<run>/: config.cfg (the keys train reads), epochs.csv and epochs.jsonl (one
 * record per epoch, train_records.h), curve.png (refreshed every epoch), checkpoint.bin (after every
 * epoch, atomic), summary.json (written last: the run finished).
 */
#ifndef SN_TRAIN_H
#define SN_TRAIN_H

typedef struct {
    int code;                /* the cell (arch_to_code), or -1 with from / resume */
    const char *from;        /* a finished search run whose chosen cell is trained, or NULL */
    const char *recipe;      /* nb201-12 | nb201-200 */
    const char *data;        /* dataset folder, or NULL: the embedded subset (with from: the search's) */
    const char *setting;     /* cifar10-valid | cifar10 | cifar100 | ImageNet16-120 | fashion-mnist, or NULL:
                              * the folder's default */
    const char **sets;       /* --set key=value, in order */
    int n_sets;
    int epochs, batch, seed; /* -1: the recipe's (seed: 1) */
    int threads;
    const char *logs_dir, *run_name, *resume, *table;
    int quiet;
} TrainArgs;

/* The recipes `--recipe` accepts, as CLI_CHOICE words. */
#define TRAIN_RECIPES "nb201-12|nb201-200"

/* Runs (or resumes) one training; returns the exit status. */
int train_cell(const TrainArgs *a);

/* Trains each of n cells (codes) with a's settings into <logs>/cell-<index>/: a finished run is
 * skipped, a checkpointed one resumed, one killed before its first checkpoint started again; so the
 * same command reruns a study and continues it after any interruption. Returns the exit status. */
int train_cells(const TrainArgs *a, const int *codes, int n);

/* The study in dir (train_report.c): every finished training run below it, our accuracy beside the
 * table's for the same cell and recipe (against == NULL: of the run's own dataset setting; else of that
 * benchmark dataset, e.g. cifar10-valid for a transfer study), the differences' mean and spread, and
 * Spearman / Kendall / Pearson between the two; printed, and written to dir/comparison.{md,csv,png}. */
int train_report(const char *dir, const char *against, const char *table_path);

#endif
