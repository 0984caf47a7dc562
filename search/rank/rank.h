/*
 * rank.h: `supernet rank --scorer NAME`: how well a score of every cell ranks the cells the way the
 * NAS-Bench-201 table does. Scores a set of cells (rank_cells.c), then reports Kendall's tau-b and
 * Spearman's rho against the table's 200-epoch and 12-epoch accuracies of one dataset column,
 * precision@top-k, the true accuracy and table rank of the scorer's top cell (rank_report.c), as text
 * or JSON, and writes rank.csv (one row per cell), rank.json and rank.png (score against accuracy, the
 * scorer's top 5 % marked) into the output folder, atomically.
 *
 * Scorers so far: the cost baselines `params` and `flops` (the cell's network's parameter count and
 * multiply-adds, supernet/arch_cost). The supernet scorer (RUNDIR) and the zero-cost proxies are the
 * rest of issue 17.
 */
#ifndef SN_RANK_H
#define SN_RANK_H

#include "table.h"

typedef struct {
    const char *scorer;  /* params | flops */
    const char *cells;   /* all | unique | sample:K | top:K */
    const char *dataset; /* cifar10-valid | cifar10 | cifar100 | ImageNet16-120 */
    const char *metric;  /* valid | test */
    const char *out;     /* output folder */
    const char *table;   /* --table, or NULL */
    int seed;            /* sample:K's draw */
    int json;
} RankArgs;

#define RANK_SCORERS "params|flops"

int rank_run(const RankArgs *a);

/* The cells a --cells word selects (benchmark indexes, ascending), into a malloc'd array; *n of them.
 * column: the table column top:K ranks by. Exit 2 with one line on a malformed word. */
int *rank_select_cells(const char *word, const Table *t, int column, int seed, int *n);

#endif
