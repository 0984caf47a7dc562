/* bench_data.c: `supernet bench --mode data`: the input pipeline's throughput for the search pairing
 * (each training image with a uniformly drawn validation partner, both train-augmented), in pairs per
 * second, filled synchronously on --threads OpenMP threads. One pair counts as one image, the unit of
 * the supernet's training throughput it is compared with. */
#include <stdio.h>

#include "bench/bench.h"
#include "common.h"
#include "dataset.h"
#include "loader.h"

void bench_data(const BenchArgs *args) {
    Dataset *d = args->data ? dataset_open(args->data, NULL, DATASET_SPLIT_SEED) : dataset_open_default();
    LoaderConfig cfg = {.mode = LOADER_SEARCH_PAIRS, .items = &d->search_train, .partners = &d->search_valid,
                        .batch = args->batch, .shuffle = 1, .seed = 1, .threads = args->threads, .prefetch = 0};
    Loader *L = loader_create(d, &cfg);
    Batch *b = batch_create(L);
    int steps = loader_steps(L);
    long images = 0;
    loader_fill(L, b, 0, 0); /* warm-up: first touch of the buffers and the epoch order */
    double t0 = sn_now();
    for (int s = 0; s < args->steps; s++) {
        loader_fill(L, b, 1 + s / steps, s % steps);
        images += b->n;
    }
    double sec = sn_now() - t0;
    if (args->json)
        printf("{\"mode\":\"data\",\"dataset\":\"%s\",\"threads\":%d,\"batch\":%d,\"pairs_per_s\":%.1f}\n", d->spec->name,
               args->threads, args->batch, (double)images / sec);
    else
        printf("%-40s %10.0f pairs/s %9.3f ms/batch  (%s, batch %d, %d threads)\n", "search pairing (train+valid, augmented)",
               (double)images / sec, sec * 1e3 / args->steps, d->spec->name, args->batch, args->threads);
    batch_free(b);
    loader_free(L);
    dataset_free(d);
}
