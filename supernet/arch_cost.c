/*
 * arch_cost.c: parameters and multiply-accumulates of the full NAS-Bench-201 network for one cell
 * (REFERENCE 1.4): stem 3x3 conv 3->16 + BN; three stages of 5 cells at C = 16, 32, 64 (spatial size
 * halved per stage); between stages a residual block (3x3 stride-2 ReLUConvBN, 3x3 ReLUConvBN, and a
 * 2x2 avg-pool + 1x1 conv shortcut); a final BN; global pooling; a linear classifier with bias.
 * Convolutions have no bias; every BN has affine weight and bias (2 parameters per channel).
 * Pooling, skip and none cost nothing. This matches how the benchmark counts (README "Cost").
 */
#include "arch.h"

enum { STEM_CHANNELS = 16, CELLS_PER_STAGE = 5, N_STAGES = 3, IMAGE_CHANNELS = 3 };

static void add_conv(ArchCost *c, int64_t k, int64_t c_in, int64_t c_out, int64_t pixels, int with_bn) {
    int64_t weights = k * k * c_in * c_out;
    c->params += weights + (with_bn ? 2 * c_out : 0);
    c->macs += weights * pixels;
}

static void add_cell(ArchCost *c, const Arch *a, int64_t channels, int64_t pixels) {
    for (int e = 0; e < ARCH_N_EDGES; e++) {
        if (a->op[e] == OP_CONV3) add_conv(c, 3, channels, channels, pixels, 1);
        if (a->op[e] == OP_CONV1) add_conv(c, 1, channels, channels, pixels, 1);
    }
}

static void add_residual_block(ArchCost *c, int64_t c_in, int64_t c_out, int64_t pixels) {
    add_conv(c, 3, c_in, c_out, pixels, 1);  /* conv_a, stride 2 */
    add_conv(c, 3, c_out, c_out, pixels, 1); /* conv_b */
    add_conv(c, 1, c_in, c_out, pixels, 0);  /* shortcut after 2x2 avg-pool */
}

ArchCost arch_cost(const Arch *a, int n_classes, int image_size) {
    ArchCost c = {0, 0};
    int64_t channels = STEM_CHANNELS, side = image_size;
    add_conv(&c, 3, IMAGE_CHANNELS, channels, side * side, 1);
    for (int stage = 0; stage < N_STAGES; stage++) {
        if (stage > 0) {
            side /= 2;
            add_residual_block(&c, channels, 2 * channels, side * side);
            channels *= 2;
        }
        for (int cell = 0; cell < CELLS_PER_STAGE; cell++) add_cell(&c, a, channels, side * side);
    }
    c.params += 2 * channels; /* final BN before pooling */
    c.params += channels * n_classes + n_classes;
    c.macs += channels * n_classes + n_classes;
    return c;
}
