/*
 * ablation.h: `supernet ablate`: a grid of search runs (methods x configuration switches x seeds),
 * each run a child process `supernet search ...`, and the summary of the grid.
 *
 * An ablation file (configs/ablations/<name>.cfg) has `key = value` lines, `#` comments (kv_file.h,
 * without sections):
 *
 *   methods = darts-v1, gdas          # the methods compared (supernet search --method)
 *   seeds = 1, 2, 3                    # every grid cell runs once per seed
 *   switch = track_running_stats: 0, 1 # one grid axis: a config key and its values (repeatable)
 *   set = epochs=2                     # a fixed --set override for every run (repeatable)
 *   profile = quick                    # runs use <configs>/<method>-quick.cfg (<configs> = the folder
 *                                      # above the ablation file's folder); absent: the method's default
 *   data = ../shared/datasets/cifar-10-batches-bin   # optional --data folder
 *   jobs = 2                           # runs at the same time (the --jobs flag overrides it)
 *
 * A grid cell is one method with one value of every switch; a run is a cell with one seed, named
 * "<method>[-<key>-<value>...]-s<seed>" and kept in <out>/runs/<name>/ (its output in <name>.log).
 * A run is finished when its summary.json exists (the driver writes it last: driver.h); a rerun skips
 * finished runs and continues a killed one with --resume when its checkpoint.bin exists (else starts
 * it afresh).
 * While a run's child runs, <out>/runs/<name>.pid holds its pid; a rerun refuses to start a run
 * whose child from an interrupted ablate still runs.
 */
#ifndef SN_ABLATION_H
#define SN_ABLATION_H

#include <stddef.h>

enum { ABL_MAX_METHODS = 16, ABL_MAX_SEEDS = 64, ABL_MAX_SWITCHES = 4, ABL_MAX_VALUES = 8, ABL_MAX_SETS = 32,
       ABL_WORD = 64, ABL_PATH = 2048 };

typedef struct {
    char key[ABL_WORD];
    int n_values;
    char values[ABL_MAX_VALUES][ABL_WORD];
} AblationSwitch;

typedef struct {
    char name[ABL_WORD]; /* the file name without .cfg */
    char methods[ABL_MAX_METHODS][ABL_WORD];
    int n_methods;
    int seeds[ABL_MAX_SEEDS];
    int n_seeds;
    AblationSwitch sw[ABL_MAX_SWITCHES];
    int n_switches;
    char sets[ABL_MAX_SETS][ABL_WORD * 4];
    int n_sets;
    char profile[ABL_WORD];
    char configs_dir[ABL_PATH];
    char data[ABL_PATH];
    int jobs;
} AblationSpec;

/* Reads an ablation file; any error exits 2 naming file:line. */
void ablation_load(const char *path, AblationSpec *spec);

/* Grid cells in order: methods outermost, then the switches (the last varying fastest). */
int ablation_n_cells(const AblationSpec *spec);
/* The config file of method m under the spec's profile: <configs>/<method>-<profile>.cfg. */
void ablation_config_path(const AblationSpec *spec, int m, char *out, size_t len);
/* The method index and each switch's value index of a cell. */
void ablation_cell(const AblationSpec *spec, int cell, int *method, int choice[ABL_MAX_SWITCHES]);
/* Directory name of run (cell, seed index): "gdas-track_running_stats-0-s1". */
void ablation_run_name(const AblationSpec *spec, int cell, int seed_index, char *out, size_t len);

typedef struct {
    const char *search_cmd; /* the executable whose `search` command runs a cell */
    const char *out_dir;    /* runs go to <out_dir>/runs/ */
    int jobs;               /* child processes at the same time */
    int threads;            /* --threads passed to each run; 0: not passed */
} AblationRunOptions;

/* Runs every unfinished run of the grid, at most opt->jobs at a time. Returns the number of runs
 * that failed (exited non-zero or without writing summary.json). On SIGINT/SIGTERM the running
 * children are stopped and the process exits (130); children also stop if this process is killed,
 * so a rerun never races a leftover child. */
int ablation_run(const AblationSpec *spec, const AblationRunOptions *opt);


/* Reads the finished runs' summary.json files and writes <out_dir>/summary.md, summary.csv (mean
 * and sample std over seeds per grid cell of the search time and the six benchmark columns, as the
 * paper's Table 5), summary.png (the cells' means with std whiskers per dataset) and derivation.png
 * (every run's derived cell per epoch). Returns 0, or -1 after printing an error line. */
int ablation_report(const AblationSpec *spec, const char *out_dir);

#endif
