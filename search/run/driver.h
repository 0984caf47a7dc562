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

#include "dataset.h"
#include "run/config.h"
#include "supernet.h"

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

/* The data of a search run of configuration c: its search-train and search-valid items, each cut to the
 * configuration's train_images / valid_images. */
Dataset *search_open_data(const SearchConfig *c, Subset *train, Subset *valid);

/* The supernet a search run of configuration c on data of spec builds, for batches of up to max_batch
 * (training) and max_eval_batch (evaluation) images per process; darts: with the DARTS path. */
SupernetConfig search_supernet_config(const SearchConfig *c, const DatasetSpec *spec, int max_batch,
                                      int max_eval_batch, int darts);

#endif
