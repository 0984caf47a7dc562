/*
 * ablation.h: `supernet ablate`: one or more grids of search runs (methods x configuration switches
 * x seeds), each run a child process `supernet search ...`, and the summary of all their cells.
 *
 * An ablation file (configs/ablations/<name>.cfg) has `key = value` lines, `#` comments and `[grid]`
 * lines (kv_file.h, KV_SECTION_LINES). The lines before the first `[grid]` hold the keys all grids
 * share; each `[grid]` line starts a grid, which holds its own keys:
 *
 *   set = epochs=2                     # shared: a fixed --set override for every run (repeatable)
 *   profile = quick                    # shared: runs use <configs>/<method>-quick.cfg (<configs> = the
 *                                      # folder above the ablation file's folder); absent: the method's default
 *   data = ../shared/datasets/cifar-10-batches-bin   # shared: optional --data folder
 *   jobs = 2                           # shared: runs at the same time (the --jobs flag overrides it)
 *   [grid]                             # a grid (a comment may follow)
 *   methods = darts-v1, gdas           # the methods compared (supernet search --method)
 *   seeds = 1, 2, 3                    # every cell of the grid runs once per seed
 *   switch = track_running_stats: 0, 1 # one grid axis: a config key and its values (repeatable)
 *
 * A file without a `[grid]` line is one grid, its keys in any order. A grid cell is one method with
 * one value of every switch of its grid; a run is a cell with one seed, named
 * "<method>[-<key>-<value>...]-s<seed>" (the keys in order of their first `switch` line in the file)
 * and kept in <out>/runs/<name>/ (its output in <name>.log). Runs of different grids with the same
 * name are one run, run once (the `set` lines are shared, so one name is one setting), and cells of
 * the same name are one cell with the union of their seeds; a cell that does not set a switch key of
 * another grid leaves it at its profile's value.
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
       ABL_WORD = 64, ABL_NAME = 256, ABL_PATH = 2048 };

/* A grid cell, merged over the grids that hold it. */
typedef struct {
    char name[ABL_NAME]; /* "<method>[-<key>-<value>...]"; its runs are "<name>-s<seed>" */
    char method[ABL_WORD];
    char values[ABL_MAX_SWITCHES][ABL_WORD]; /* the value of each of the spec's keys; "": not set */
    int seeds[ABL_MAX_SEEDS];                /* in order of first appearance */
    int n_seeds;
} AblationCell;

typedef struct {
    char name[ABL_NAME + sizeof "-s2147483647"]; /* "<cell name>-s<seed>" */
    int cell, seed;      /* index into the spec's cells; the seed itself */
} AblationRun;

typedef struct {
    char name[ABL_WORD]; /* the file name without .cfg */
    char keys[ABL_MAX_SWITCHES][ABL_WORD]; /* every grid's switch keys, in order of first appearance */
    int n_keys;
    AblationCell *cells; /* unique, in order of first appearance */
    int n_cells;
    AblationRun *runs;   /* unique, in the order they start: grid by grid, each cell by cell, seed by seed */
    int n_runs;
    char sets[ABL_MAX_SETS][ABL_WORD * 4];
    int n_sets;
    char profile[ABL_WORD];
    char configs_dir[ABL_PATH];
    char data[ABL_PATH];
    int jobs;
} AblationSpec;

/* Reads an ablation file; any error exits 2 naming file:line. Free the spec with ablation_free. */
void ablation_load(const char *path, AblationSpec *spec);
void ablation_free(AblationSpec *spec);

/* The config file of a method under the spec's profile: <configs>/<method>-<profile>.cfg. */
void ablation_config_path(const AblationSpec *spec, const char *method, char *out, size_t len);

typedef struct {
    const char *search_cmd; /* the executable whose `search` command runs a cell */
    const char *out_dir;    /* runs go to <out_dir>/runs/ */
    int jobs;               /* child processes at the same time */
    int threads;            /* --threads passed to each run; 0: not passed */
    int ranks_per_run;      /* under mpirun: the ranks of one data-parallel run */
    int (*search_in_process)(int argc, char **argv); /* under mpirun: `supernet search` (argv after "search") */
} AblationRunOptions;

/* A run's folder, <out_dir>/runs/<name>; whether it holds `file` (RUN_SUMMARY_FILE: the run is
 * finished; RUN_CHECKPOINT_FILE: it resumes); its pid file <dir>.pid (the child's pid while it runs;
 * under mpirun also the claim, held with flock). */
void ablation_run_dir(const AblationRunOptions *opt, const AblationRun *run, char *out, size_t len);
int ablation_run_has(const char *dir, const char *file);
void ablation_pid_path(const char *dir, char *out, size_t len);

/* The argument vector of one run, `<search_cmd> search ...` (argv[argc] = NULL). */
enum { ABL_MAX_ARGS = 16 + 2 * (ABL_MAX_SETS + ABL_MAX_SWITCHES), ABL_ARG = ABL_PATH + 300 };
typedef struct {
    char text[ABL_MAX_ARGS][ABL_ARG];
    char *argv[ABL_MAX_ARGS + 1];
    int argc;
} AblationArgs;

/* Readies the run's folder `dir` (one killed before its first checkpoint is removed, to start
 * afresh) and fills args: --resume when a checkpoint exists, else the run's method, config, sets,
 * seed, data and name. Returns 1 for a resume. */
int ablation_prepare_run(const AblationSpec *spec, const AblationRunOptions *opt, const AblationRun *run, const char *dir,
                         AblationArgs *args);
/* Creates <out_dir>/runs and keeps every other `supernet ablate` off out_dir until this process
 * exits (exit 2 if one is on it). */
void ablation_take_folder(const char *out_dir);

/* Runs every unfinished run of the spec in order, at most opt->jobs at a time. Returns the number
 * of runs that failed (exited non-zero or without writing summary.json). On SIGINT/SIGTERM the
 * running children are stopped and the process exits (130); children also stop if this process is
 * killed, so a rerun never races a leftover child. */
int ablation_run(const AblationSpec *spec, const AblationRunOptions *opt);

/* Under mpirun (ablation_mpi.c): the job's ranks in groups of opt->ranks_per_run, each group running
 * one search at a time in this process, data-parallel over its ranks (opt->search_in_process), the
 * next unfinished run going to the next free group, longest first (Method.epoch_cost x epochs x
 * training images). Every guarantee of ablation_run holds (a shared filesystem assumed) but one: a
 * run that fails with an error exit ends the whole job (its error printed, the rest of its output in
 * its log); a rerun goes on from there. Returns the job's number of failed runs, on every rank. */
int ablation_run_mpi(const AblationSpec *spec, const AblationRunOptions *opt);

/* Reads the finished runs' summary.json files and writes <out_dir>/summary.md, summary.csv (mean
 * and sample std over seeds per cell of the search time and the six benchmark columns, as the
 * paper's Table 5), summary.png (the cells' means with std whiskers per dataset) and derivation.png
 * (every run's derived cell per epoch). Returns 0, or -1 after printing an error line. */
int ablation_report(const AblationSpec *spec, const char *out_dir);

#endif
