/*
 * methods.h: the method table. Every search method `supernet` knows, weight-sharing or table-only,
 * is one row: its --method name, kind, one-line summary, what runs it (a strategy of
 * strategies/ or a table-only search of table_only/), and the paper's rows for it. The top-level
 * help, `search --help`, method validation, the default config, the paper rows printed after a run,
 * the ablation runner and the tests' method lists all read this table.
 *
 * How to add a method:
 *   - weight-sharing: write search/strategies/<name>.c defining `const StrategyIface STRATEGY_<NAME>`
 *     (strategies/strategy.h says what each function does), declare it in strategy.h, add its row to
 *     METHODS in methods.c, and add configs/<name>.cfg (reference settings), <name>-quick.cfg and
 *     <name>-c10-reduced.cfg (new config keys go into run/config.c's key table);
 *   - table-only: write search/table_only/<name>.c with an `MtRunFn` (table_only/multitrial.h) and
 *     add its row.
 * The tests that loop over methods (resume, help listing) pick the new row up by themselves.
 */
#ifndef SN_METHODS_H
#define SN_METHODS_H

#include <stddef.h>

#include "strategies/strategy.h"
#include "table.h"
#include "table_only/multitrial.h"

typedef enum { METHOD_WEIGHT_SHARING, METHOD_TABLE_ONLY } MethodKind;

/* Mean and std of the six benchmark columns (percent). */
typedef struct {
    double mean[TABLE_N_COLS], std[TABLE_N_COLS];
} PaperRow;

/* REFERENCE 9: Table 5 of the paper (v1.0; the weight-sharing rows with running statistics in the
 * cell BNs, BN = 1) and the authors' v1.1 summary (the weight-sharing rows with batch statistics,
 * BN = 0). Both searched on CIFAR-10 (cifar10-valid); the table-only rows with a 12000 s budget. */
enum { PAPER_TABLE5_V1_0, PAPER_V1_1_SUMMARY, PAPER_N_ROWS };
/* How the printed tables name those rows. */
extern const char *const PAPER_ROW_LABELS[PAPER_N_ROWS];

typedef struct {
    const char *name;    /* the --method word */
    MethodKind kind;
    const char *summary; /* one line for the help texts */
    const StrategyIface *strategy; /* weight-sharing: its update rules; else NULL */
    MtRunFn run_on_table;          /* table-only: one simulated search; else NULL */
    double epoch_cost;             /* weight-sharing: time of an epoch per training image, GDAS = 1
                                    * (measured, methods.c); orders ablation runs, longest first */
    PaperRow paper[PAPER_N_ROWS];
} Method;

extern const Method METHODS[];
extern const int N_METHODS;

/* The row named `name`, or NULL. */
const Method *method_find(const char *name);

/* The method names of one kind joined by '|' ("darts-v1|darts-v2|..."), into out[n]. */
void method_names(MethodKind kind, char *out, size_t n);

/* Prints "methods:" and one line per method (name, kind, summary): the help texts' list. */
void methods_print_help(void);

/* The file name of a method's config for a profile, into out[n]: configs/<name>-<profile>.cfg, or
 * configs/<name>.cfg (the reference settings) when profile is NULL or empty. */
void method_config_name(const char *method, const char *profile, char *out, size_t n);

#endif
