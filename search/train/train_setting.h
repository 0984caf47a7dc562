/*
 * train_setting.h: what a benchmark dataset name trains on and evaluates on, as AutoDL-Projects'
 * exps/NAS-Bench-201/main.py (evaluate_all_datasets) built the table:
 *
 *   setting         trains on                         evaluates ("valid" / "test")            table columns (table.h)
 *   cifar10-valid   the 25k train half of CIFAR-10     the 25k valid half / the 10k test set   C10 valid / -
 *   cifar10         all 50k CIFAR-10 training images   - / the 10k test set                    - / C10 test
 *   cifar100        all 50k training images            x-valid / x-test halves of the test set C100 valid / test
 *   ImageNet16-120  all 151,700 training images        x-valid / x-test halves of val          IN16 valid / test
 *   fashion-mnist   all 60k training images            - / the 10k test set                    - / -
 *   embedded        the subset's 2,500 search-train    its 2,500 search-valid / 1,000 test     - / -
 *
 * The halves are the dataset's own (dataset.h: the official lists, or a seeded split for copies that
 * are not the official files).
 */
#ifndef SN_TRAIN_SETTING_H
#define SN_TRAIN_SETTING_H

#include "dataset.h"
#include "table.h"

enum { TRAIN_EVAL_VALID, TRAIN_EVAL_TEST, TRAIN_N_EVALS };
extern const char *const TRAIN_EVAL_NAMES[TRAIN_N_EVALS]; /* "valid", "test" */

typedef struct {
    const char *name;
    DatasetKind kind;        /* the dataset it needs (the embedded subset is CIFAR-10) */
    int embedded;
    int train_all;           /* every training image, else the dataset's search-train subset */
    int eval[TRAIN_N_EVALS]; /* 1: evaluated on the valid (search-valid) / test (eval_test) subset */
} TrainSetting;

/* The table column of evaluation k (TRAIN_EVAL_*) of a setting (TableColumn), or -1 (table_column_find). */
int train_setting_column(const TrainSetting *s, int k);
/* The table's accuracy of a cell in a column (TableColumn) as a recipe trains it: the 12-epoch values for
 * nb201-12, the 200-epoch ones for nb201-200. */
double train_table_accuracy(const TableArch *cell, const char *recipe, int column);
/* The setting of that name, or NULL. */
const TrainSetting *train_setting_find(const char *name);
/* The setting a dataset trains with when none is named: cifar10-valid for CIFAR-10, else the dataset's. */
const TrainSetting *train_setting_default(DatasetKind kind, int embedded);
/* Every name, '|'-separated (for --help and errors). */
#define TRAIN_SETTING_NAMES "cifar10-valid|cifar10|cifar100|ImageNet16-120|fashion-mnist|embedded"

/* The subsets of d a setting trains on and evaluates on (n = 0: not evaluated). train is owned by
 * the caller when train_all (free it with subset_free), else a copy of d's. */
void train_setting_subsets(const TrainSetting *s, const Dataset *d, Subset *train, Subset eval[TRAIN_N_EVALS]);

#endif
