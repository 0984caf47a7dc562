/*
 * run_dir.h: the files of a search run's directory <logs>/<run>/, named once for the driver that
 * writes them and for what reads them back (resume, plots, ablations):
 *   config.cfg      every configuration key (config.h), reloadable with --config
 *   epochs.csv      one record per finished epoch (columns: epoch_record.h)
 *   epochs.jsonl    the same records as JSON lines
 *   checkpoint.bin  the state after the last finished epoch (checkpoint.h), rewritten atomically
 *   summary.json    written last, so its presence means the run finished: one JSON object with the
 *                   method, dataset, seed, epochs, search time, the chosen cell and its accuracies
 */
#ifndef SN_RUN_DIR_H
#define SN_RUN_DIR_H

#define RUN_CONFIG_FILE "config.cfg"
#define RUN_EPOCHS_CSV "epochs.csv"
#define RUN_EPOCHS_JSONL "epochs.jsonl"
#define RUN_CHECKPOINT_FILE "checkpoint.bin"
#define RUN_SEARCH_CKPT_FORMAT "supernet-search 1" /* a search run's checkpoint: its "format" entry */
#define RUN_SUMMARY_FILE "summary.json"
/* summary.json's key of the search time in seconds; the accuracies have TABLE_COLUMNS' keys. */
#define RUN_SUMMARY_SECONDS_KEY "search_seconds"

#endif
