/*
 * loader.h: the batch iterator. It turns a Subset of a Dataset into float32 batches in the network's
 * input layout, plain NCHW (see kernels/tensor.h: the input image batch is the one plain tensor), and
 * int32 labels.
 *
 * The reference's loaders (REFERENCE.md 2.4) map onto configurations as follows:
 *
 *   search loader (DARTS, GDAS, SETN, RSPS)  LOADER_SEARCH_PAIRS, items = search_train,
 *                                            partners = search_valid, shuffle
 *   valid_loader                             LOADER_EVAL, items = search_valid, shuffle
 *   train_loader (ENAS)                      LOADER_TRAIN, items = search_train, shuffle
 *   test set                                 LOADER_EVAL, items = eval_test, no shuffle
 *
 * An epoch visits every item once, in a fresh order per epoch when shuffling, in ceil(n / batch)
 * steps; the last batch keeps the remainder (25,000 at 64: 391 steps, the last of 40). In
 * LOADER_SEARCH_PAIRS each item is paired with a partner drawn uniformly with replacement, and both
 * get the training augmentation.
 *
 * Determinism: every random choice for the sample at position p of epoch e comes from its own Rng
 * seeded with (seed, e, p), and the epoch's order from one seeded with (seed, e). No stream is shared
 * between threads, so a batch depends only on (seed, epoch, step), never on the thread count, and a
 * run resumes exactly with loader_seek(epoch, step). Give different loaders different seeds.
 *
 * Prefetch: loader_next hands out the batch filled in the background while the caller computed on the
 * previous one, then starts the next fill. The filler is a POSIX thread, not an OpenMP task: the
 * engine's compute opens its own OpenMP parallel regions on the main thread, and a task could only
 * run concurrently with them from inside an enclosing parallel region that the training loop does not
 * have. The fill itself is an OpenMP loop over the batch's samples on `threads` threads (1 is enough
 * for training: it costs a few percent of a training step; the benchmark times more).
 */
#ifndef SN_LOADER_H
#define SN_LOADER_H

#include <stdint.h>

#include "dataset.h"

typedef enum { LOADER_SEARCH_PAIRS, LOADER_TRAIN, LOADER_EVAL } LoaderMode;

typedef struct {
    LoaderMode mode;
    const Subset *items;    /* iterated over: one epoch = every item once */
    const Subset *partners; /* LOADER_SEARCH_PAIRS only */
    int batch;              /* images per batch */
    int shuffle;            /* new random order every epoch; else subset order */
    uint64_t seed;
    int threads;  /* OpenMP threads filling one batch */
    int prefetch; /* fill the next batch on a background thread */
    /* Data-parallel runs: this process's contiguous share `share` of `shares` of every batch
     * (0 of 1, the default when both are 0: whole batches); the steps and orders stay the whole loader's. */
    int share, shares;
} LoaderConfig;

typedef struct {
    int n;                 /* images in this batch (the last of an epoch may be partial) */
    int whole_n;           /* images of the whole batch, of which this is a share (= n without shares) */
    int epoch, step;       /* where in the iteration it was drawn */
    float *x;              /* (n, C, H, W) */
    int32_t *y;            /* (n) */
    float *xa;             /* LOADER_SEARCH_PAIRS: the arch-step partners, (n, C, H, W); else NULL */
    int32_t *ya;           /* (n) or NULL */
} Batch;

typedef struct Loader Loader;

Loader *loader_create(const Dataset *d, const LoaderConfig *cfg);
void loader_free(Loader *L);
int loader_steps(const Loader *L); /* batches per epoch */

/* The next batch; after the last step of an epoch it continues with step 0 of the next. The batch
 * stays valid until the following loader_next, loader_seek or loader_free. */
const Batch *loader_next(Loader *L);
/* Position of the batch the next loader_next returns; loader_seek sets it (for resuming a run). */
void loader_tell(const Loader *L, int *epoch, int *step);
void loader_seek(Loader *L, int epoch, int step);

/* Synchronous fill of the batch at (epoch, step) into a caller-owned batch (tests, benchmark). */
Batch *batch_create(const Loader *L);
void batch_free(Batch *b);
void loader_fill(Loader *L, Batch *out, int epoch, int step);

#endif
