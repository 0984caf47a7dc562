/*
 * driver.h: the weight-sharing search driver behind `supernet search --method darts-v1|darts-v2|gdas|...`:
 * configuration, run directory, epoch loop, per-epoch derivation and benchmark scoring,
 * records, checkpoints and exact resume. The update rules live in the strategies (strategy.h).
 *
 * Run directory <logs>/<run>/: config.cfg, epochs.csv, epochs.jsonl, checkpoint.bin, summary.json
 * (run_dir.h; README "Searching"; the epoch records' columns in epoch_record.h).
 */
#ifndef SN_DRIVER_H
#define SN_DRIVER_H

typedef struct {
    const char *method;      /* NULL: from the config file */
    const char *config_path; /* NULL: configs/<method>-quick.cfg without --data, configs/<method>.cfg with */
    const char **sets;       /* --set key=value, in order */
    int n_sets;
    int seed;                /* -1: from the config */
    const char *data;        /* NULL: from the config */
    const char *run_name;    /* NULL: <method>-<dataset>-s<seed>-<YYYYmmdd-HHMMSS> */
    const char *logs_dir;
    const char *resume;      /* a run directory, or NULL */
    const char *table;       /* --table, or NULL */
    int threads;
    int quiet;
} DriverArgs;

/* Runs (or resumes) a weight-sharing search; returns the exit status. */
int search_weight_sharing(const DriverArgs *a);

#endif
