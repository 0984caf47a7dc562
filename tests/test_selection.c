/*
 * test_selection.c: batch streams and one-batch-per-candidate selection (search/strategies/selection.c), on the
 * first 10 search-valid images of the embedded data (batches of 4: 3 steps per pass) and a tiny
 * supernet (C = 16, N = 1).
 * - a stream's passes are fresh loader epochs counted from its first epoch: after a restart the next
 *   batch is step 0 of a new epoch, and a pass that runs out continues with the next epoch;
 * - select_best_cell scores candidate i on the i-th batch of a fresh pass (checked against
 *   supernet_evaluate on loader_fill of that position) and returns the first best, with its accuracy;
 * - stream_evaluate is the mean over one fresh full pass;
 * - selection_draws: by default the strategy's own Rng and stream; with select_common every selection
 *   draws the same candidates and scores every one on the same batch (two selections in a row agree)
 *   and leaves the own ones alone.
 */
#include <string.h>

#include "dataset.h"
#include "loader.h"
#include "strategies/selection.h"
#include "supernet.h"
#include "test_util.h"

static void check_selection_draws(Loader *L) {
    Rng own;
    rng_seed(&own, 9, 1);
    BatchStream own_stream = batch_stream(L, 100);
    SelectionDraws d;
    selection_draws(&d, 0, 3, &own, &own_stream);
    CHECK(d.rng == &own && d.stream == &own_stream, "select_common = 0: the strategy's own draws");
    uint64_t draws[2][3];
    int epochs[2][3];
    for (int k = 0; k < 2; k++) {
        selection_draws(&d, 1, 3, &own, &own_stream);
        CHECK(d.rng != &own && d.stream != &own_stream, "select_common = 1: fresh draws");
        for (int i = 0; i < 3; i++) {
            const Batch *b = batch_stream_next(d.stream);
            draws[k][i] = rng_u64(d.rng), epochs[k][i] = b->step == 0 ? b->epoch : -1;
        }
    }
    CHECK(memcmp(draws[0], draws[1], sizeof draws[0]) == 0, "select_common: two selections draw different candidates");
    for (int i = 0; i < 3; i++) CHECK(epochs[0][i] == SELECTION_COMMON_EPOCH && epochs[1][i] == SELECTION_COMMON_EPOCH, "select_common: batch %d is not the first of epoch %d (%d, %d)", i, SELECTION_COMMON_EPOCH, epochs[0][i], epochs[1][i]);
    selection_draws(&d, 1, 3, NULL, &own_stream);
    CHECK(d.rng == NULL, "select_common without own draws: no Rng");
    CHECK(own_stream.next_epoch == 100, "the own stream moved: %d", own_stream.next_epoch);
}

static double batch_acc(Supernet *net, Loader *L, Batch *b, int epoch, int step, const Arch *a, double *loss) {
    loader_fill(L, b, epoch, step);
    int hits = 0;
    NetSelection sel = {a, NULL};
    double l = supernet_evaluate(net, b->x, b->y, b->n, sel, &hits, NULL);
    if (loss) *loss = l;
    return 100.0 * hits / b->n;
}

int main(void) {
    Dataset *d = dataset_open_default();
    Subset items = d->search_valid;
    items.n = 10;
    LoaderConfig lc = {.mode = LOADER_EVAL, .items = &items, .batch = 4, .shuffle = 1, .seed = 77, .threads = 1,
                       .prefetch = 1};
    Loader *L = loader_create(d, &lc);
    SupernetConfig nc = {.channels = 16, .cells = 1, .classes = 10, .in_channels = 3, .image_size = 32, .max_batch = 4,
                         .max_eval_batch = 4, .darts = 0, .track_running_stats = 0, .seed = 5, .direct_conv = 0};
    Supernet *net = supernet_create(&nc);

    check_selection_draws(L);
    BatchStream s = batch_stream(L, 100);
    batch_stream_restart(&s);
    const int want[7][2] = {{100, 0}, {100, 1}, {100, 2}, {101, 0}, {101, 1}, {101, 2}, {102, 0}};
    for (int i = 0; i < 7; i++) {
        const Batch *b = batch_stream_next(&s);
        CHECK(b->epoch == want[i][0] && b->step == want[i][1], "batch %d at (%d, %d)", i, b->epoch, b->step);
    }
    batch_stream_restart(&s);
    const Batch *b = batch_stream_next(&s);
    CHECK(b->epoch == 103 && b->step == 0 && s.next_epoch == 104, "restart: a fresh epoch (%d, %d)", b->epoch, b->step);

    Arch cands[5] = {{{0, 0, 0, 0, 0, 0}}, {{3, 3, 3, 3, 3, 3}}, {{1, 2, 3, 4, 0, 1}}, {{4, 4, 4, 4, 4, 4}},
                     {{3, 3, 3, 3, 3, 3}}};
    Batch *fill = batch_create(L);
    int best = 0;
    double top = -1.0, got_acc;
    for (int i = 0; i < 5; i++) { /* a fresh pass: epoch 104 steps 0-2, then epoch 105 */
        double acc = batch_acc(net, L, fill, 104 + i / 3, i % 3, &cands[i], NULL);
        if (acc > top) top = acc, best = i;
    }
    int got = select_best_cell(net, &s, cands, 5, &got_acc);
    CHECK(got == best && got_acc == top, "select_best_cell: %d (%.2f%%), expected %d (%.2f%%)", got, got_acc, best, top);

    double loss_sum = 0.0, correct = 0.0, loss, acc, l;
    for (int step = 0; step < 3; step++) { /* the next fresh pass: epoch 106 */
        double a = batch_acc(net, L, fill, 106, step, &cands[2], &l);
        loss_sum += l * fill->n, correct += a * fill->n;
    }
    stream_evaluate(net, &s, &cands[2], &loss, &acc);
    CHECK_CLOSE(loss, loss_sum / 10, 1e-12, 1e-9, "stream_evaluate loss");
    CHECK_CLOSE(acc, correct / 10, 1e-9, 1e-9, "stream_evaluate accuracy");

    batch_free(fill);
    supernet_free(net);
    loader_free(L);
    dataset_free(d);
    TEST_EXIT();
}
