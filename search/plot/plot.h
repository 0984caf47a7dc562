/*
 * plot.h: the charts of search runs, drawn from their epochs.csv (epochs_csv.h) into PNG files:
 *
 *   derivation  the derived cell's 200-epoch benchmark accuracy after every search epoch, one panel
 *               per dataset (CIFAR-10, CIFAR-100, ImageNet16-120; test columns unless `valid`),
 *               every run one coloured line with its own marker, the table's best cell dashed;
 *               the paper's Figures 7 and 8.
 *   alpha       one panel per edge: the probability of each of the 5 ops over the epochs
 *               (softmax(alpha), or a method's sampling probabilities).
 *   ops         how many of the derived cell's 6 edges carry each op, per epoch, as stacked bars
 *               (DARTS's collapse onto skip_connect shows as the red band taking over).
 *
 * Each function returns 0, or -1 with one line in err; only a failed write of the PNG file itself
 * exits (status 2, naming the file).
 */
#ifndef SN_PLOT_H
#define SN_PLOT_H

#include <stddef.h>

#include "plot/chart.h"
#include "run/epochs_csv.h"

enum { PLOT_C10 = 1, PLOT_C100 = 2, PLOT_IN16 = 4, PLOT_ALL_DATASETS = 7 };
enum { PLOT_MAX_RUNS = 64 };

typedef struct {
    int width, height; /* pixels; 0 picks the chart's default size */
    int datasets;      /* derivation panels: PLOT_C10 | PLOT_C100 | PLOT_IN16 */
    int valid;         /* derivation: 1 plots the valid columns instead of the test columns */
} PlotOptions;

/* Default options: default sizes, all three datasets, test columns. */
PlotOptions plot_options_default(void);

/* Where the panels of the chart just drawn are, and their data ranges (for tests and callers that
 * annotate the image); pass NULL when not needed. */
typedef struct {
    int n;
    Panel panel[ARCH_N_EDGES];
} PlotLayout;

int plot_derivation(const RunEpochs *runs, int n_runs, const PlotOptions *opt, const char *png, PlotLayout *layout,
                    char *err, size_t err_len);
int plot_alpha(const RunEpochs *run, const PlotOptions *opt, const char *png, PlotLayout *layout, char *err, size_t err_len);
int plot_ops(const RunEpochs *run, const PlotOptions *opt, const char *png, PlotLayout *layout, char *err, size_t err_len);
/* Kendall's tau and Spearman's rho of the supernet's ranking per epoch where the run measured them
 * (rank_every); plot_has_ranking: whether it did. */
int plot_ranking(const RunEpochs *run, const PlotOptions *opt, const char *png, PlotLayout *layout, char *err, size_t err_len);
int plot_has_ranking(const RunEpochs *run);

/* The colour and marker of run i on the derivation chart, and of op k on the alpha and ops charts. */
Color plot_run_color(int i);
MarkerShape plot_run_marker(int i);
Color plot_op_color(int op);

/* For the search driver, after every finished epoch (once epochs.csv holds the epoch's line):
 * redraws <rundir>/derivation.png, alpha.png, ops.png (and ranking.png when the run measured its
 * ranking) from <rundir>/epochs.csv with the default
 * options, each file replaced atomically so a viewer never sees a partial image. Returns 0 (also
 * when the file holds no epoch yet); on a problem with epochs.csv prints one warning line to stderr
 * and returns -1 without stopping the search. */
int plot_run_refresh(const char *rundir);

#endif
