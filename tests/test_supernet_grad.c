/*
 * test_supernet_grad.c: the whole network's gradients against finite differences of its own loss, in
 * every training mode, on a tiny configuration (C = 16, one cell per stage, 8x8 inputs, batch 4).
 *
 * Why the integral form: the loss is only piecewise smooth (ReLU kinks everywhere, amplified by
 * batch-statistics BN on tiny batches): along a line its slope wanders by 10-30 % within 1e-3, in
 * this engine and equally in a float64 PyTorch model of the same network. A pointwise central
 * difference is therefore no sharper than that. Instead each check compares the exact finite
 * difference of the loss over a segment, L(x + eps v) - L(x - eps v), with the trapezoid integral
 * of the analytic directional derivative <grad L(x + t v), v> over t in [-eps, eps] (33 points).
 * The two agree for any piecewise-smooth loss up to O(h^2) and float32 noise in the loss (~1e-6):
 * |dL - integral| <= 2e-2 |dL| + 4e-6.
 *
 * Checked: weights along random directions (all of them, and per group: stem, a cell conv,
 * reduction, head) on the DARTS, GDAS and discrete paths; every alpha entry through softmax on the
 * DARTS path; every edge weight W (6 x 5) on the GDAS path, the scalar terms of unselected ops
 * included (GDAS's loss is piecewise constant in alpha itself: straight-through is not a derivative);
 * and the one-cell network of the discrete path's cell (single_cell: affine cell BNs), weights along
 * random directions, all and per group (its cell BNs' gamma and beta among them). The same one-cell
 * network with frozen BNs (running statistics made unequal to the initial ones first), and the input
 * images' gradient (supernet_backward_from) with the cross-entropy and with a given dL/dlogits (the loss
 * then sum(logits * r)), on the discrete path and the frozen one-cell network.
 */
#include <math.h>
#include <string.h>

#include "common.h"
#include "softmax.h"
#include "supernet.h"
#include "test_util.h"
#include "testlib.h"

#define BATCH 4
#define POINTS 33

typedef struct Problem Problem;
struct Problem {
    Supernet *net;
    float *images;
    const int32_t *labels;
    const Arch *arch;
    float *edge_w;   /* GDAS: the hard weights; DARTS: softmax(alpha), recomputed */
    float *alpha;    /* DARTS */
    const float *r;  /* NULL: the loss is the cross-entropy; else sum(logits * r), r batch x 10 */
    float *x;        /* what the check moves */
    const float *v;  /* the direction */
    size_t n;
    /* the directional derivative of the loss at the current x (after a forward) */
    double (*slope)(Problem *p);
};

static double forward(Problem *p) {
    if (p->alpha) softmax_forward(p->edge_w, p->alpha, 6, 5);
    double loss = supernet_forward(p->net, p->images, p->labels, BATCH, (NetSelection){p->arch, p->edge_w}, NULL);
    return p->r ? dot_double(supernet_logits(p->net), p->r, BATCH * 10) : loss;
}

static double slope_weights(Problem *p) {
    supernet_backward_from(p->net, p->r, NULL, NULL);
    return dot_double(supernet_grads(p->net) + (p->x - supernet_weights(p->net)), p->v, p->n);
}

static double slope_images(Problem *p) {
    float d_images[BATCH * 3 * 8 * 8];
    supernet_backward_from(p->net, p->r, d_images, NULL);
    return dot_double(d_images, p->v, p->n);
}

static double slope_alpha(Problem *p) {
    float dw[30], dalpha[30] = {0};
    supernet_backward(p->net, dw);
    softmax_backward(dalpha, dw, p->edge_w, 6, 5);
    return dot_double(dalpha, p->v, p->n);
}

static double slope_edge_weights(Problem *p) {
    float dw[30];
    supernet_backward(p->net, dw);
    return dot_double(dw, p->v, p->n);
}

/* Moves x to x0 + t v. */
static void place(Problem *p, const float *x0, double t) {
    for (size_t i = 0; i < p->n; i++) p->x[i] = (float)(x0[i] + t * p->v[i]);
}

static void check_segment(Problem *p, double eps, const char *what) {
    float *x0 = sn_alloc(p->n * sizeof(float));
    memcpy(x0, p->x, p->n * sizeof(float));
    double integral = 0, first = 0, last = 0;
    for (int k = 0; k < POINTS; k++) {
        double t = -eps + 2 * eps * k / (POINTS - 1);
        place(p, x0, t);
        double loss = forward(p);
        if (k == 0) first = loss;
        if (k == POINTS - 1) last = loss;
        integral += (k == 0 || k == POINTS - 1 ? 0.5 : 1.0) * p->slope(p);
    }
    integral *= 2 * eps / (POINTS - 1);
    memcpy(p->x, x0, p->n * sizeof(float));
    double dl = last - first;
    CHECK(fabs(dl - integral) <= 2e-2 * fabs(dl) + 4e-6, "%s: loss difference %.8g, integrated gradient %.8g", what, dl,
          integral);
    sn_free(x0);
}

/* Weights along a random direction, restricted to the tensors from `from` up to (not including) `to`
 * in the flat array (NULL: the end). */
static void check_weights(Problem *p, Rng *rng, const char *from, const char *to, const char *path) {
    Supernet *net = p->net;
    float *w = supernet_weights(net);
    size_t lo = 0, hi = supernet_weights_floats(net);
    float *probe = sn_alloc(hi * sizeof(float)), one[64 * 64 * 9];
    for (size_t i = 0; i < sizeof one / sizeof one[0]; i++) one[i] = 1.0f;
    if (from) { /* locate a tensor in the flat layout by writing ones through the named-tensor API */
        supernet_flat_set(net, supernet_find_tensor(net, from), probe, one);
        while (probe[lo] == 0.0f) lo++;
        if (to) {
            memset(probe, 0, hi * sizeof(float));
            supernet_flat_set(net, supernet_find_tensor(net, to), probe, one);
            for (hi = 0; probe[hi] == 0.0f;) hi++;
        }
    }
    sn_free(probe);
    float *v = random_array(hi - lo, rng, -1, 1);
    p->x = w + lo, p->v = v, p->n = hi - lo, p->slope = slope_weights;
    char what[128];
    snprintf(what, sizeof what, "%s: weights %s", path, from ? from : "(all)");
    check_segment(p, 2e-3 / sqrt((double)p->n / 1000.0 + 1.0), what);
    sn_free(v);
}

static void check_each_entry(Problem *p, float *x, double (*slope)(Problem *), const char *path) {
    float v[30];
    for (int i = 0; i < 30; i++) {
        memset(v, 0, sizeof v);
        v[i] = 1.0f;
        p->x = x, p->v = v, p->n = 30, p->slope = slope;
        char what[64];
        snprintf(what, sizeof what, "%s: entry [%d][%d]", path, i / 5, i % 5);
        check_segment(p, 5e-3, what);
    }
}

/* The input images along a random direction, with the cross-entropy loss and with sum(logits * r). */
static void check_images(Problem *p, Rng *rng, const char *path) {
    size_t n = (size_t)BATCH * 3 * 8 * 8;
    float *v = random_array(n, rng, -1, 1), *r = random_array(BATCH * 10, rng, -1, 1);
    char what[128];
    for (int seeded = 0; seeded < 2; seeded++) {
        p->x = p->images, p->v = v, p->n = n, p->slope = slope_images, p->r = seeded ? r : NULL;
        snprintf(what, sizeof what, "%s: d images (%s)", path, seeded ? "given dL/dlogits" : "cross-entropy");
        check_segment(p, 2e-3, what);
    }
    p->r = NULL;
    sn_free(v), sn_free(r);
}

static void check_path(Problem *p, Rng *rng, const char *path) {
    check_weights(p, rng, NULL, NULL, path);
    check_weights(p, rng, "stem.conv.weight", "cells.0.edges.0.conv1x1.weight", path);
    check_weights(p, rng, "cells.0.edges.3.conv3x3.weight", "cells.0.edges.4.conv1x1.weight", path);
    check_weights(p, rng, "reduce.1.conv_a.weight", "cells.2.edges.0.conv1x1.weight", path);
    check_weights(p, rng, "head.bn.weight", NULL, path);
}

int main(void) {
    SupernetConfig cfg = {.channels = 16, .cells = 1, .classes = 10, .in_channels = 3, .image_size = 8, .max_batch = BATCH,
                          .max_eval_batch = BATCH, .darts = 1, .track_running_stats = 0, .seed = 11, .direct_conv = 0};
    Supernet *net = supernet_create(&cfg);
    Rng rng;
    rng_seed(&rng, 99, 0);
    float *images = random_array((size_t)BATCH * 3 * 8 * 8, &rng, -2, 2);
    int32_t labels[BATCH] = {1, 4, 9, 2};
    float alpha[30], edge_w[30];
    for (int i = 0; i < 30; i++) alpha[i] = (float)rng_normal(&rng);

    Problem darts = {.net = net, .images = images, .labels = labels, .edge_w = edge_w, .alpha = alpha};
    check_path(&darts, &rng, "darts");
    check_each_entry(&darts, alpha, slope_alpha, "darts d alpha");

    Arch arch = {{OP_CONV3, OP_SKIP, OP_POOL, OP_CONV1, OP_NONE, OP_CONV3}};
    float hard[30] = {0};
    for (int e = 0; e < 6; e++) hard[e * 5 + arch.op[e]] = 1.0f;
    Problem gdas = {.net = net, .images = images, .labels = labels, .arch = &arch, .edge_w = hard};
    check_path(&gdas, &rng, "gdas");
    check_each_entry(&gdas, hard, slope_edge_weights, "gdas dW");

    Problem discrete = {.net = net, .images = images, .labels = labels, .arch = &arch};
    check_path(&discrete, &rng, "discrete");
    check_images(&discrete, &rng, "discrete");

    /* the one-cell network of the same cell: only its ops' weights, affine cell BNs */
    SupernetConfig one_cfg = cfg;
    one_cfg.darts = 0, one_cfg.single_cell = 1, one_cfg.cell = arch;
    Supernet *one = supernet_create(&one_cfg);
    Problem one_cell = {.net = one, .images = images, .labels = labels, .arch = &arch};
    check_weights(&one_cell, &rng, NULL, NULL, "one cell");
    check_weights(&one_cell, &rng, "stem.conv.weight", "cells.0.edges.0.conv3x3.weight", "one cell");
    check_weights(&one_cell, &rng, "cells.0.edges.0.conv3x3.weight", "cells.0.edges.3.conv1x1.weight", "one cell");
    check_weights(&one_cell, &rng, "cells.0.edges.0.conv3x3_bn.weight", "cells.0.edges.3.conv1x1.weight", "one cell");
    check_weights(&one_cell, &rng, "cells.2.edges.5.conv3x3_bn.weight", "head.bn.weight", "one cell");
    check_weights(&one_cell, &rng, "head.bn.weight", NULL, "one cell");

    /* frozen: the running statistics after three training passes, then fixed */
    for (int i = 0; i < 3; i++) forward(&one_cell);
    supernet_set_bn_frozen(one, 1);
    float *stats_before = sn_alloc(supernet_weights_floats(one) * sizeof(float));
    int mean = supernet_find_tensor(one, "head.bn.running_mean");
    supernet_tensor_get(one, mean, stats_before);
    check_weights(&one_cell, &rng, NULL, NULL, "frozen one cell");
    check_weights(&one_cell, &rng, "stem.conv.weight", "cells.0.edges.0.conv3x3.weight", "frozen one cell");
    check_weights(&one_cell, &rng, "cells.0.edges.0.conv3x3_bn.weight", "cells.0.edges.3.conv1x1.weight", "frozen one cell");
    check_weights(&one_cell, &rng, "head.bn.weight", NULL, "frozen one cell");
    check_images(&one_cell, &rng, "frozen one cell");
    float *stats_after = sn_alloc(supernet_weights_floats(one) * sizeof(float));
    supernet_tensor_get(one, mean, stats_after);
    CHECK(memcmp(stats_before, stats_after, supernet_tensor(one, mean)->count * sizeof(float)) == 0,
          "frozen training passes changed the running statistics");
    sn_free(stats_before), sn_free(stats_after);
    supernet_free(one);

    sn_free(images);
    supernet_free(net);
    TEST_EXIT();
}
