/*
 * rank_zero_cost.c: the zero-cost scorers over a set of cells (see rank.h): one batch of M search-train
 * images (a seeded draw, normalised, not augmented), the same for every cell; each cell's one-cell
 * network at initialisation with the --seed, scored (zero_cost.h). Building a network touches a few
 * hundred MB, which took most of the time: cells with their convolutions on the same edges share one
 * network, re-initialised for each (supernet_reset_for_cell), so they are scored in that order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "dataset.h"
#include "rank/rank.h"
#include "rank/zero_cost.h"
#include "table.h"

/* The data's network must be the table column's: its classes and image size. */
static void check_data(const Dataset *d, int column) {
    int classes, image_size;
    rank_table_network(column, &classes, &image_size);
    if (!rank_data_fits_column(d, column))
        sn_die(SN_EXIT_USAGE, "--dataset %s is scored on its own data (%d classes, %dx%d), but the data is %s (%s); give --data",
               TABLE_COLUMNS[column].dataset, classes, image_size, image_size, d->spec->name, d->source);
}

static RankImages draw_batch(const Dataset *d, int images, int seed) {
    if (images < 2 || images > d->search_train.n)
        sn_die(SN_EXIT_USAGE, "--images %d: the zero-cost scorers take 2 to %d images (search-train of %s)", images,
               d->search_train.n, d->spec->name);
    return rank_draw_images(d, &d->search_train, images, seed, RANK_STREAM_IMAGES);
}

/* Which convolution (none, 1x1, 3x3) each edge holds, as one number: the cells of one network. */
static int conv_pattern(const Arch *a) {
    int key = 0;
    for (int e = 0; e < ARCH_N_EDGES; e++) key = 3 * key + (a->op[e] == OP_CONV1 ? 1 : a->op[e] == OP_CONV3 ? 2 : 0);
    return key;
}

static const Arch *sort_cells;
static int by_pattern(const void *x, const void *y) {
    int i = *(const int *)x, j = *(const int *)y, pi = conv_pattern(&sort_cells[i]), pj = conv_pattern(&sort_cells[j]);
    return pi != pj ? pi - pj : i - j;
}

/* A one-cell network of cell: net itself re-initialised when it can be, else a new one. */
static Supernet *network_for(Supernet *net, const Arch *cell, const Dataset *d, int batch, int seed) {
    if (net && supernet_reset_for_cell(net, cell) == 0) return net;
    supernet_free(net);
    const DatasetSpec *spec = d->spec;
    SupernetConfig nc = {.channels = 16, .cells = 5, .classes = spec->n_classes, .in_channels = spec->channels,
                         .image_size = spec->height, .max_batch = batch, .max_eval_batch = 1, .seed = (uint64_t)seed,
                         .single_cell = 1, .cell = *cell};
    return supernet_create(&nc);
}

void rank_zero_cost_scores(const RankArgs *a, int column, const Arch *cells, int n, double *score) {
    int kind = zero_cost_find(a->scorer);
    SN_ASSERT(kind >= 0, "%s is not a zero-cost scorer", a->scorer);
    Dataset *d = a->data ? dataset_open(a->data, NULL, DATASET_SPLIT_SEED) : dataset_open_default();
    check_data(d, column);
    RankImages b = draw_batch(d, a->images, a->seed);
    int *order = sn_alloc(sizeof(int) * (size_t)n);
    for (int i = 0; i < n; i++) order[i] = i;
    sort_cells = cells;
    qsort(order, (size_t)n, sizeof(int), by_pattern);
    Supernet *net = NULL;
    double t0 = sn_now();
    for (int k = 0; k < n; k++) {
        int i = order[k];
        net = network_for(net, &cells[i], d, b.n, a->seed);
        score[i] = zero_cost_score((ZeroCost)kind, net, b.x, b.y, b.n);
        rank_progress(k + 1, n, t0);
    }
    supernet_free(net);
    sn_free(order), sn_free(b.x), sn_free(b.y);
    dataset_free(d);
}

void rank_progress(int done, int n, double t0) {
    static double last;
    if (!isatty(STDERR_FILENO)) return;
    double now = sn_now();
    if (done < n && now - last < 0.5) return;
    last = now;
    double rate = done / (now - t0 + 1e-9);
    fprintf(stderr, "\r\033[K  %d / %d cells, %.1f cells/s, %.0f s left", done, n, rate, (n - done) / rate);
    if (done == n) fprintf(stderr, "\r\033[K");
}
