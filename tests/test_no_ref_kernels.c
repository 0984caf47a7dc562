/* test_no_ref_kernels.c: every oneDNN primitive the network uses, at every shape it uses, gets a
 * fast (non-`ref:`) implementation. Plan creation itself refuses a `ref:` implementation (exit 1,
 * see test_conv's check), so reaching the end of each loop is the assertion; the checks below
 * also confirm the plans report the shapes the network expects.
 * Shapes: batch 64 (search), 40 (an epoch's last partial batch), 1, 256 and 512 (evaluation); 32x32 inputs (CIFAR, Fashion-MNIST) and 16x16
 * (ImageNet16-120); stage widths C, 2C, 4C for C = 16; Winograd allowed and direct only. */
#include "bn.h"
#include "conv.h"
#include "pool.h"
#include "test_util.h"

static void stage_plans(int batch, int c, int hw, int direct) {
    Shape4 s = {.n = batch, .c = c, .h = hw, .w = hw};
    ConvPlan *c3 = conv_plan_create((ConvShape){.n = batch, .c_in = c, .c_out = c, .h = hw, .w = hw,
                                                .kernel = 3, .stride = 1, .pad = 1, .direct_only = direct});
    ConvPlan *c1 = conv_plan_create((ConvShape){.n = batch, .c_in = c, .c_out = c, .h = hw, .w = hw,
                                                .kernel = 1, .stride = 1, .pad = 0, .direct_only = direct});
    ConvPlan *c3x3edges = conv_plan_create((ConvShape){.n = batch, .c_in = c, .c_out = 3 * c, .h = hw, .w = hw,
                                                       .kernel = 3, .stride = 1, .pad = 1, .direct_only = direct});
    BnPlan *bn = bn_plan_create(s, 0), *bn_affine = bn_plan_create(s, 1);
    PoolPlan *pool = pool_plan_create(s, 3, 1, 1);
    CHECK(conv_out_shape(c3).h == hw && conv_out_shape(c1).c == c && conv_out_shape(c3x3edges).c == 3 * c, "cell conv shapes");
    CHECK(pool_out_shape(pool).h == hw, "cell pool shape");
    conv_plan_free(c3), conv_plan_free(c1), conv_plan_free(c3x3edges);
    bn_plan_free(bn), bn_plan_free(bn_affine), pool_plan_free(pool);
}

static void reduction_plans(int batch, int c, int hw, int direct) {
    ConvPlan *conv_a = conv_plan_create((ConvShape){.n = batch, .c_in = c, .c_out = 2 * c, .h = hw, .w = hw,
                                                    .kernel = 3, .stride = 2, .pad = 1, .direct_only = direct});
    ConvPlan *conv_b = conv_plan_create((ConvShape){.n = batch, .c_in = 2 * c, .c_out = 2 * c, .h = hw / 2, .w = hw / 2,
                                                    .kernel = 3, .stride = 1, .pad = 1, .direct_only = direct});
    PoolPlan *shortcut_pool = pool_plan_create((Shape4){.n = batch, .c = c, .h = hw, .w = hw}, 2, 2, 0);
    ConvPlan *shortcut_conv = conv_plan_create((ConvShape){.n = batch, .c_in = c, .c_out = 2 * c, .h = hw / 2, .w = hw / 2,
                                                           .kernel = 1, .stride = 1, .pad = 0, .direct_only = direct});
    BnPlan *bn = bn_plan_create((Shape4){.n = batch, .c = 2 * c, .h = hw / 2, .w = hw / 2}, 1);
    CHECK(conv_out_shape(conv_a).h == hw / 2 && pool_out_shape(shortcut_pool).h == hw / 2, "reduction block shapes");
    conv_plan_free(conv_a), conv_plan_free(conv_b), conv_plan_free(shortcut_conv);
    pool_plan_free(shortcut_pool), bn_plan_free(bn);
}

static void network_plans(int batch, int hw, int direct) {
    const int channels[] = {3, 1};
    for (int ch = 0; ch < 2; ch++) {
        ConvPlan *stem = conv_plan_create((ConvShape){.n = batch, .c_in = channels[ch], .c_out = 16, .h = hw, .w = hw,
                                                      .kernel = 3, .stride = 1, .pad = 1, .plain_input = 1,
                                                      .direct_only = direct});
        CHECK(conv_out_shape(stem).c == 16, "stem shape");
        conv_plan_free(stem);
    }
    for (int stage = 0; stage < 3; stage++) stage_plans(batch, 16 << stage, hw >> stage, direct);
    for (int stage = 0; stage < 2; stage++) reduction_plans(batch, 16 << stage, hw >> stage, direct);
}

int main(void) {
    const int batches[] = {1, 40, 64, 256, 512}, sizes[] = {32, 16};
    for (int b = 0; b < 5; b++)
        for (int s = 0; s < 2; s++)
            for (int direct = 0; direct <= 1; direct++) network_plans(batches[b], sizes[s], direct);
    TEST_EXIT();
}
