/*
 * test_supernet_dead_nodes.c: on the selected path (discrete and GDAS), the ops of a node whose value
 * cannot reach the cell output are not run. The result must not change: the same network with cell
 * running statistics on (which runs every op, since each op's forward updates its statistics) gives a
 * bit-identical loss, weight gradient and dL/dW for cells with dead nodes, on a tiny configuration.
 */
#include <string.h>

#include "common.h"
#include "supernet.h"
#include "test_util.h"
#include "testlib.h"

#define BATCH 4

static Supernet *make_net(int track_running_stats) {
    SupernetConfig cfg = {.channels = 16, .cells = 1, .classes = 10, .in_channels = 3, .image_size = 8, .max_batch = BATCH,
                          .max_eval_batch = BATCH, .darts = 0, .track_running_stats = track_running_stats, .seed = 3,
                          .direct_conv = 0};
    return supernet_create(&cfg);
}

/* One training step's loss, gradient (into grads) and dL/dW. */
static double step(Supernet *net, const float *images, const int32_t *labels, NetSelection sel, float *grads,
                   float *d_edge) {
    double loss = supernet_forward(net, images, labels, BATCH, sel, NULL);
    supernet_backward(net, d_edge);
    memcpy(grads, supernet_grads(net), supernet_weights_floats(net) * sizeof(float));
    return loss;
}

static void check_same(Supernet *skipping, Supernet *running, const float *images, const int32_t *labels,
                       const Arch *arch, const float *edge_weights, const char *what) {
    size_t n = supernet_weights_floats(skipping);
    float *ga = sn_alloc(n * sizeof(float)), *gb = sn_alloc(n * sizeof(float)), da[30] = {0}, db[30] = {0};
    NetSelection sel = {arch, edge_weights};
    double la = step(skipping, images, labels, sel, ga, edge_weights ? da : NULL);
    double lb = step(running, images, labels, sel, gb, edge_weights ? db : NULL);
    CHECK(la == lb, "%s: loss %.9g with dead nodes skipped, %.9g with every op run", what, la, lb);
    CHECK(memcmp(ga, gb, n * sizeof(float)) == 0, "%s: weight gradients differ", what);
    CHECK(memcmp(da, db, sizeof da) == 0, "%s: dL/dW differs", what);
    sn_free(ga), sn_free(gb);
}

int main(void) {
    Supernet *skipping = make_net(0), *running = make_net(1);
    CHECK(supernet_weights_floats(skipping) == supernet_weights_floats(running), "weight layouts differ");
    memcpy(supernet_weights(running), supernet_weights(skipping), supernet_weights_floats(skipping) * sizeof(float));
    Rng rng;
    rng_seed(&rng, 17, 0);
    float *images = random_array((size_t)BATCH * 3 * 8 * 8, &rng, -2, 2);
    int32_t labels[BATCH] = {3, 0, 7, 3};
    const Arch archs[] = {
        {{OP_CONV3, OP_CONV1, OP_CONV3, OP_CONV3, OP_SKIP, OP_NONE}}, /* node 2 dead */
        {{OP_CONV3, OP_POOL, OP_POOL, OP_CONV1, OP_NONE, OP_NONE}},   /* node 2 dead, so node 1 too */
        {{OP_CONV3, OP_CONV3, OP_CONV1, OP_SKIP, OP_NONE, OP_NONE}},  /* nodes 1 and 2 dead */
        {{OP_CONV1, OP_CONV3, OP_NONE, OP_NONE, OP_CONV3, OP_POOL}},  /* none dead (control) */
    };
    for (size_t a = 0; a < sizeof archs / sizeof archs[0]; a++) {
        char what[64];
        snprintf(what, sizeof what, "discrete arch %zu", a);
        check_same(skipping, running, images, labels, &archs[a], NULL, what);
        float hard[30] = {0};
        for (int e = 0; e < 6; e++) hard[e * 5 + archs[a].op[e]] = 1.0f;
        snprintf(what, sizeof what, "gdas arch %zu", a);
        check_same(skipping, running, images, labels, &archs[a], hard, what);
    }
    sn_free(images);
    supernet_free(skipping), supernet_free(running);
    TEST_EXIT();
}
