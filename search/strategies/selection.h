/*
 * selection.h: the per-epoch cell selection shared by RSPS, SETN and ENAS (REFERENCE.md 6.4-6.6):
 * score each candidate cell on ONE batch of a loader, each candidate on the next batch, and keep the
 * best.
 *
 * The reference creates a fresh iterator over its (shuffled) loader at every selection, and a new one
 * again whenever the iterator runs out (after 49 batches of 512 on 25,000 images). A BatchStream does
 * the same on our loaders: batch_stream_restart marks the next batch as the first of a fresh pass, and
 * every fresh pass is a loader epoch number that has not been used before (next_epoch, counted up), so
 * every pass has its own order and the stream resumes exactly from next_epoch alone.
 */
#ifndef SN_SELECTION_H
#define SN_SELECTION_H

#include <stdint.h>

#include "arch.h"
#include "common.h"
#include "loader.h"
#include "run/checkpoint.h"
#include "supernet.h"

/* First loader epoch of the selection streams over the driver's valid loader, far above the search
 * epochs that search_evaluate uses for its passes, so the two never share an order; the common
 * selection pass (below) sits just under it. */
enum { SELECTION_FIRST_EPOCH = 1000000, SELECTION_COMMON_EPOCH = SELECTION_FIRST_EPOCH - 1 };

typedef struct {
    Loader *loader;
    int next_epoch; /* loader epoch of the next fresh pass (checkpointed) */
    int left;       /* batches left in the current pass */
    int same_batch; /* every batch is the first of the pass (select_common) */
    const Batch *held; /* same_batch: that batch, loaded once per pass (nothing else reads the loader meanwhile) */
} BatchStream;

/* A stream whose first pass will be loader epoch first_epoch. */
BatchStream batch_stream(Loader *loader, int first_epoch);
/* The next batch comes from a fresh pass (the reference's `iter(loader)`). */
void batch_stream_restart(BatchStream *s);
/* The next batch of the current pass; a fresh pass when it is exhausted. */
const Batch *batch_stream_next(BatchStream *s);
/* A stream's checkpoint entry (its next_epoch; a checkpoint is taken between passes). */
void batch_stream_save(const BatchStream *s, CkptWriter *w, const char *name);
void batch_stream_load(BatchStream *s, const Checkpoint *ck, const char *name);

/* The fraction of the stream's next batch that arch classifies right (evaluation mode, discrete path),
 * over the whole batch when the ranks share it. */
double stream_batch_hit_rate(Supernet *net, BatchStream *s, const Arch *arch);

/*
 * What one epoch's selection draws its candidates and batches from. By default (the reference) the
 * strategy's own Rng and stream, which move on from selection to selection. With select_common = 1
 * (a deviation the quick profiles use) every selection draws the same: candidates from an Rng
 * seeded anew (cfg seed, STREAM_SELECT_COMMON), and every candidate is scored on one and the same
 * batch (the first of loader epoch SELECTION_COMMON_EPOCH). Common random numbers: the epoch's cell
 * then changes only when the supernet (or ENAS's policy) does, not with the draw or the batch.
 * Nothing of it needs checkpointing.
 */
typedef struct {
    Rng *rng;            /* the candidates' draws (NULL when the strategy has none) */
    BatchStream *stream; /* the scoring batches */
    Rng common_rng;
    BatchStream common_stream;
} SelectionDraws;

void selection_draws(SelectionDraws *d, int select_common, uint64_t seed, Rng *own_rng, BatchStream *own_stream);

/*
 * Scores cands[0..k-1] in order, candidate i on the i-th next batch of the stream (evaluation mode,
 * discrete path), by top-1 accuracy in percent; returns the index of the best, the first on ties, and
 * its accuracy in *best_acc (may be NULL).
 */
int select_best_cell(Supernet *net, BatchStream *s, const Arch *cands, int k, double *best_acc);

/* Mean loss and top-1 accuracy (percent) of a fresh full pass of the stream's loader with one cell. */
void stream_evaluate(Supernet *net, BatchStream *s, const Arch *arch, double *loss, double *acc);

#endif
