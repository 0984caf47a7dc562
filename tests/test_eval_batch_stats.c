/*
 * test_eval_batch_stats.c: supernet_set_eval_batch_stats (config key eval_bn_batch_stats). With it, an
 * evaluation pass normalises every BN (stem, reduction blocks, head and tracked cell BNs) with the
 * batch's statistics, so after training steps that moved the running statistics it gives the same
 * logits as a training forward of that batch, and it leaves the running statistics alone. Without it,
 * evaluation uses the running statistics and the logits differ.
 */
#include <string.h>

#include "common.h"
#include "supernet.h"
#include "test_util.h"
#include "testlib.h"

#define BATCH 4
#define CLASSES 10

/* The largest |a - b| (NaN counts as the largest). */
static double max_diff(const float *a, const float *b, size_t n) {
    size_t worst;
    return compare_arrays(a, b, n, 1.0, 0.0, &worst);
}

static void check(int track_running_stats) {
    SupernetConfig cfg = {.channels = 16, .cells = 1, .classes = CLASSES, .in_channels = 3, .image_size = 8,
                          .max_batch = BATCH, .max_eval_batch = BATCH, .darts = 0,
                          .track_running_stats = track_running_stats, .seed = 5, .direct_conv = 1};
    Supernet *net = supernet_create(&cfg);
    Rng rng;
    rng_seed(&rng, 11, 0);
    float images[BATCH * 3 * 8 * 8], train_logits[BATCH * CLASSES], eval_logits[BATCH * CLASSES];
    for (size_t i = 0; i < sizeof images / sizeof images[0]; i++) images[i] = (float)rng_normal(&rng);
    int32_t labels[BATCH] = {1, 4, 4, 9};
    Arch arch = {{3, 2, 4, 1, 3, 2}};
    NetSelection sel = {&arch, NULL};
    for (int k = 0; k < 3; k++) supernet_forward(net, images, labels, BATCH, sel, NULL); /* moves running stats */
    memcpy(train_logits, supernet_logits(net), sizeof train_logits);

    supernet_evaluate(net, images, labels, BATCH, sel, NULL, eval_logits);
    double running = max_diff(eval_logits, train_logits, BATCH * CLASSES);
    CHECK(running > 1e-3, "track %d: evaluation with running statistics matches training (%.3g)", track_running_stats, running);

    supernet_set_eval_batch_stats(net, 1);
    for (int k = 0; k < 2; k++) { /* twice: evaluation must not move the running statistics */
        supernet_evaluate(net, images, labels, BATCH, sel, NULL, eval_logits);
        double d = max_diff(eval_logits, train_logits, BATCH * CLASSES);
        CHECK(d <= 1e-5, "track %d: evaluation with batch statistics differs from training by %.3g", track_running_stats, d);
    }
    supernet_set_eval_batch_stats(net, 0);
    supernet_evaluate(net, images, labels, BATCH, sel, NULL, eval_logits);
    CHECK(max_diff(eval_logits, train_logits, BATCH * CLASSES) == running, "track %d: switching back changed the result",
          track_running_stats);
    supernet_free(net);
}

int main(void) {
    check(0);
    check(1);
    TEST_EXIT();
}
