/*
 * rank.h: `supernet rank`: how well a score of every cell ranks the cells the way the NAS-Bench-201
 * table does. Scores a set of cells (rank_cells.c), then reports Kendall's tau-b and Spearman's rho
 * against the table's 200-epoch and 12-epoch accuracies of one dataset column, precision@top-k, the true
 * accuracy and table rank of the scorer's top cell, as text or JSON, and writes rank.csv (one row per
 * cell), rank.json and rank.png (score against accuracy, the scorer's top 5 % marked) into the output
 * folder, atomically (rank_run.c).
 *
 * Scorers: the cost baselines `params` and `flops` (supernet/arch_cost); the zero-cost proxies
 * (zero_cost.h) on each cell's one-cell network at initialisation, one batch of M search-train images
 * for every cell (rank_zero_cost.c); a search run's supernet, each cell on the discrete path with the
 * shared weights over the same M search-valid images, optionally after re-estimating the running
 * statistics for that cell (rank_supernet.c).
 */
#ifndef SN_RANK_H
#define SN_RANK_H

#include "arch.h"
#include "dataset.h"
#include "run/config.h"
#include "supernet.h"
#include "table.h"

typedef struct {
    const char *scorer;  /* a cost or zero-cost scorer, or NULL with run_dir */
    const char *run_dir; /* the supernet scorer: a search run's folder */
    const char *data;    /* zero-cost scorers: the dataset folder (NULL: the embedded CIFAR-10 subset) */
    int images;          /* M: the batch of the zero-cost scorers, the evaluation images of the supernet's */
    int bn_recalibrate;  /* supernet scorer: B training batches re-estimate the running statistics per cell */
    int threads;
    const char *cells;   /* all | unique | sample:K | top:K */
    const char *dataset; /* cifar10-valid | cifar10 | cifar100 | ImageNet16-120 */
    const char *metric;  /* valid | test */
    const char *out;     /* output folder */
    const char *table;   /* --table, or NULL */
    int seed;            /* sample:K's draw */
    int json;
} RankArgs;

#define RANK_SCORERS "params|flops|synflow|snip|grad_norm|jacob_cov|naswot"

/* RNG streams under --seed (rank's own: nothing else draws under them). */
enum { RANK_STREAM_SAMPLE = 0x7a7c, RANK_STREAM_IMAGES = 0x7a7d, RANK_STREAM_RECALIBRATE = 0x7a7e };

/* The classes and image size of the table's network for a dataset column, and whether the data's
 * network is that one. */
void rank_table_network(int column, int *classes, int *image_size);
int rank_data_fits_column(const Dataset *d, int column);

/* n images of items in the seeded order of `stream` under seed, copied out of the loader (sn_free x, y):
 * the fixed images every cell is scored on. */
typedef struct {
    float *x;
    int32_t *y;
    int n;
} RankImages;
RankImages rank_draw_images(const Dataset *d, const Subset *items, int n, int seed, int stream);

/* score[i] of cells[i], i < n (rank_zero_cost.c, rank_supernet.c). The dataset and its network must
 * match the table's column (classes, image size): exit 2 with one line if not. */
void rank_zero_cost_scores(const RankArgs *a, int column, const Arch *cells, int n, double *score);
void rank_supernet_scores(const RankArgs *a, int column, const Arch *cells, int n, double *score);

/* The supernet scorer on a network of one's own (rank_supernet.c): the accuracy of a cell on the
 * discrete path over `images` search-valid images (seeded), evaluated in batches of the network's
 * max_eval_batch; with recalibration, after re-estimating the running statistics for the cell from
 * `batches` training batches of batch_size (the network's max_batch at least). net is borrowed. */
typedef struct SupernetScorer SupernetScorer;
SupernetScorer *supernet_scorer_create(Supernet *net, const Dataset *d, const Subset *valid, int images, int seed);
void supernet_scorer_recalibrate(SupernetScorer *s, const Dataset *d, const Subset *train, int batches, int batch_size, int seed);
double supernet_scorer_accuracy(SupernetScorer *s, const Arch *cell);
void supernet_scorer_free(SupernetScorer *s);
/* The evaluation batch the supernet scorer uses for a run of configuration c: min(images, valid_batch). */
int rank_eval_batch(const SearchConfig *c, int images);
/* The table's x-valid column of the data's benchmark dataset, or -1 (Fashion-MNIST). */
int rank_column_of_data(const DatasetSpec *spec);

/* The search driver's ranking every rank_every epochs (config keys rank_every, rank_cells, rank_images):
 * Kendall's tau-b and Spearman's rho of the supernet's accuracies of rank_cells cells sampled with the
 * run's seed against the table's 200-epoch accuracies of the run's dataset. */
typedef struct {
    SupernetScorer *scorer;
    Arch *cells;
    double *truth, *score;
    int n;
} RankProbe;
RankProbe *rank_probe_create(const SearchConfig *c, Supernet *net, const Dataset *d, const Subset *valid, const Table *t);
void rank_probe_measure(RankProbe *p, double *tau, double *rho);
void rank_probe_free(RankProbe *p);

/* A progress line on stderr while a scorer runs (a terminal only): done of n cells since t0. */
void rank_progress(int done, int n, double t0);

int rank_run(const RankArgs *a);

/* The cells a --cells word selects (benchmark indexes, ascending), into a malloc'd array; *n of them.
 * column: the table column top:K ranks by. Exit 2 with one line on a malformed word. */
int *rank_select_cells(const char *word, const Table *t, int column, int seed, int *n);

#endif
