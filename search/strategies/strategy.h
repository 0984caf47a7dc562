/*
 * strategy.h: the interface between the search driver (driver.c) and a weight-sharing search
 * strategy, ggml-backend style: a table of function pointers (StrategyIface) plus the strategy's
 * own opaque state.
 *
 * Division of work. The DRIVER owns the epoch loop, the batches (it iterates the loader the
 * strategy asks for and hands every batch to `step`), the learning-rate schedule (set once per
 * epoch, REFERENCE 5.1), the weight optimizer (SGD with momentum, clip; search_weight_update), the
 * per-epoch derivation, table lookup, records, progress line, checkpoints and resume. A STRATEGY
 * owns only its update rules and its own state: architecture parameters or a controller, their
 * optimizer, its RNG streams (seeded from cfg->seed with its own stream numbers), and any
 * evaluation it needs (through ctx->valid, a LOADER_EVAL loader over search_valid with
 * cfg->valid_batch images per batch, which the driver creates when `needs_valid_loader` is set).
 *
 * Order of calls in one epoch e:
 *     epoch_begin(e)                        optional: schedules (GDAS tau), per-epoch resets
 *     step(batch) for every batch of the epoch, in loader order
 *     epoch_end(e)                          optional: valid pass, controller training, selection
 *     derive()                              the epoch's cell and the 6 x 5 probabilities to log
 *     [checkpoint: save()]
 * On resume the driver calls create(), then load() instead of starting fresh; a strategy must save
 * everything that influences later epochs (parameters, optimizer moments, step counts, RNG states).
 *
 * How to add a strategy: one file here plus one row of the method table (search/methods.h says
 * what else a method brings: its configs).
 */
#ifndef SN_STRATEGY_H
#define SN_STRATEGY_H

#include <stdint.h>

#include "arch.h"
#include "run/checkpoint.h"
#include "common.h"
#include "run/config.h"
#include "dataset.h"
#include "loader.h"
#include "supernet.h"

/* What the driver gives a strategy; shared, owned by the driver. */
typedef struct {
    const SearchConfig *cfg;
    Supernet *net;
    const Dataset *data;
    Loader *valid;           /* LOADER_EVAL over search_valid, or NULL unless needs_valid_loader */
    int epoch;               /* current epoch, 0-based */
    double lr;               /* this epoch's weight learning rate */
    /* weight optimizer state (driver-owned; see search_weight_update) */
    float *momentum;         /* SGD momentum buffer, laid out like supernet_weights() */
    uint64_t sgd_steps;      /* SGD steps taken so far (buf = g on the first) */
} SearchContext;

/* Statistics of one step, summed by the driver into the epoch's averages (weighted by images).
 * A strategy without an arch step leaves arch_images at 0. */
typedef struct {
    double train_loss_sum; /* loss x images */
    int train_correct, train_images;
    double arch_loss_sum;
    int arch_correct, arch_images;
} StepStats;

/* What epoch_end may report for the record; NAN / unset fields are logged as empty. */
typedef struct {
    double tau;                /* set by epoch_begin (GDAS), else NAN */
    double valid_loss, valid_acc; /* valid pass, else NAN */
} EpochReport;

/* A strategy's name and summary live in its row of the method table (methods.h). */
typedef struct {
    LoaderMode loader;   /* LOADER_SEARCH_PAIRS (weight + arch batches) or LOADER_TRAIN */
    int needs_darts;     /* SupernetConfig.darts: the all-ops path is used in training */
    int needs_valid_loader;

    void *(*create)(const SearchConfig *cfg, SearchContext *ctx);
    void (*epoch_begin)(void *state, SearchContext *ctx, EpochReport *report); /* may be NULL */
    void (*step)(void *state, SearchContext *ctx, const Batch *batch, StepStats *stats);
    void (*epoch_end)(void *state, SearchContext *ctx, EpochReport *report);   /* may be NULL */
    /* The epoch's cell; probs (6 x 5) gets the probabilities to log, return 0 if there are none. */
    int (*derive)(void *state, SearchContext *ctx, Arch *arch, float probs[ARCH_N_EDGES * ARCH_N_OPS]);
    void (*save)(void *state, CkptWriter *w);
    void (*load)(void *state, const Checkpoint *ck);
    void (*free)(void *state);
} StrategyIface;

/* A live strategy: the interface and its state. */
typedef struct {
    const StrategyIface *iface;
    void *state;
} Strategy;

extern const StrategyIface STRATEGY_DARTS_V1, STRATEGY_DARTS_V2, STRATEGY_GDAS, STRATEGY_SETN, STRATEGY_RSPS,
    STRATEGY_ENAS;

/* ---------------------------------------------------------------------------------------------
 * Helpers every strategy may use. */

/* Data-parallel runs (search/dist/): every rank holds a share of every batch and draws the same random
 * decisions from the same streams. After a backward, the gradients the step needs are summed over the
 * ranks in one allreduce (search_sum_grads; the weights' inside search_weight_update), so every rank
 * takes the same step; evaluation totals are summed the same way (PassTotals). In a singleton both
 * are no-ops. */

/* Under K ranks every batch is split into K contiguous shares: a batch size K does not divide, or a
 * last partial batch of `items` that leaves a rank without images, is a usage error naming key. */
void search_check_shares(const char *key, int batch, int items);

/* Sums the last backward's gradients over the ranks in ONE allreduce: every weight's (supernet_grads)
 * when weights is set, and the n floats of extra (dL/dW or an architecture gradient; may be NULL). */
void search_sum_grads(Supernet *net, int weights, float *extra, size_t n);

/* The weight step after a backward: the weight gradient summed over the ranks, clipped to
 * cfg->grad_clip over the weights only (REFERENCE 12.6), then SGD (momentum, Nesterov, coupled decay)
 * on every weight, including those the pass did not use, whose gradient is 0 (REFERENCE 12.7). */
void search_weight_update(SearchContext *ctx);

/* The running totals of an evaluation pass; pass_totals_mean sums them over the ranks first. */
typedef struct {
    double loss_sum, correct, images;
} PassTotals;
void pass_totals_add(PassTotals *t, double mean_loss, int hits, int images);
/* Mean loss and top-1 accuracy in percent. */
void pass_totals_mean(const PassTotals *t, double *loss, double *acc);

/* Mean loss and top-1 accuracy (percent) of a whole evaluation pass over ctx->valid with the given
 * selection (the valid loader's epoch-e order: seek(e, 0) first, so no state carries over). */
void search_evaluate(SearchContext *ctx, NetSelection sel, double *loss, double *acc);

/* Architecture parameters alpha (6 x 5) with their Adam optimizer (DARTS, GDAS, SETN). */
typedef struct {
    float alpha[ARCH_N_EDGES * ARCH_N_OPS];
    float grad[ARCH_N_EDGES * ARCH_N_OPS];
    float m[ARCH_N_EDGES * ARCH_N_OPS], v[ARCH_N_EDGES * ARCH_N_OPS];
    uint64_t t;
} ArchParams;

/* alpha = 1e-3 N(0, 1) (REFERENCE 1.6), from the run seed's STREAM_ALPHA_INIT stream. */
void arch_params_init(ArchParams *a, uint64_t seed);
/* One Adam step on alpha with a->grad, with the cfg's arch_* hyper-parameters. */
void arch_params_step(ArchParams *a, const SearchConfig *cfg);
/* argmax per row (none included, lowest index on ties) and softmax(alpha). */
void arch_params_derive(const ArchParams *a, Arch *arch, float probs[ARCH_N_EDGES * ARCH_N_OPS]);
void arch_params_save(const ArchParams *a, CkptWriter *w, const char *prefix);
void arch_params_load(ArchParams *a, const Checkpoint *ck, const char *prefix);

void rng_save(const Rng *r, CkptWriter *w, const char *name);
void rng_load(Rng *r, const Checkpoint *ck, const char *name);

/* RNG stream numbers under cfg->seed; new strategies take new numbers. Also taken: 0x1417, the network's
 * weight initialisation (SUPERNET_STREAM_WEIGHT_INIT, supernet.h). */
enum {
    STREAM_ALPHA_INIT = 101, /* arch_params_init */
    STREAM_GUMBEL = 102,     /* GDAS draws */
    STREAM_RSPS_TRAIN = 201,   /* RSPS: cells of the weight steps */
    STREAM_RSPS_SELECT = 202,  /* RSPS: cells of the valid pass and the candidates */
    STREAM_SETN_TRAIN = 211,   /* SETN: cells of the weight steps */
    STREAM_ENAS_INIT = 221,    /* ENAS: controller initialisation */
    STREAM_ENAS_SAMPLE = 222,  /* ENAS: every controller draw */
    STREAM_ENAS_LOADER = 223,  /* ENAS: the controller's loader over search-valid */
    STREAM_SELECT_COMMON = 231, /* select_common: the candidate draws every selection starts from */
    STREAM_SEARCH_LOADER = 1,
    STREAM_VALID_LOADER = 2,
    STREAM_TRAIN_LOADER = 3, /* supernet train: its training loader */
};

#endif
