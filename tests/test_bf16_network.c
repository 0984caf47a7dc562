/*
 * test_bf16_network.c: the supernet with bf16 convolutions (precision = bf16) against the same
 * network in fp32, on a realistic step: one cell per stage, C = 16, a batch of 32 CIFAR-sized images
 * (seeded noise), the DARTS pass (every op) and a discrete pass. Compared per tensor: logits, loss,
 * dL/dW of the DARTS pass and every weight gradient, by relative error ||bf16 - fp32|| / ||fp32|| and
 * by cosine. The float64 fixture (test_supernet_reference) also runs in bf16, but its batch of four
 * 8x8 images is so ill-conditioned (fp32 already sits 1.4e-5 of a tensor's scale from float64 there,
 * 240 times its unit roundoff) that bf16 moves single gradient entries by up to their whole scale:
 * this realistic batch is where bf16's gradients are held to tight bounds (kernels/README.md).
 * Skipped, saying why, on a CPU without bf16.
 */
#include <math.h>
#include <string.h>

#include "common.h"
#include "softmax.h"
#include "supernet.h"
#include "test_util.h"

enum { BATCH = 32, IMAGE = 32, CLASSES = 10 };
/* Measured on AMD EPYC (avx512_bf16): worst gradient relative error 0.24 and cosine 0.972, both in
 * the discrete pass's first layers (the stem and cell 0: the longest chain of bf16-rounded output
 * gradients behind them); logits and dL/dW well inside. The bounds leave about 2x margin; a layout or
 * pass mix-up gives cosines near 0. */
#define LOGIT_REL_TOL 2e-2
#define GRAD_REL_TOL 0.5
#define GRAD_MIN_COS 0.9

static Supernet *make_net(int bf16) {
    SupernetConfig cfg = {.channels = 16, .cells = 1, .classes = CLASSES, .in_channels = 3, .image_size = IMAGE,
                          .max_batch = BATCH, .max_eval_batch = BATCH, .darts = 1, .track_running_stats = 0, .seed = 3,
                          .direct_conv = 0, .bf16 = bf16};
    return supernet_create(&cfg);
}

typedef struct {
    double rel, cos;
} Agreement;

static Agreement agreement(const float *got, const float *want, size_t n) {
    double dd = 0, ww = 0, gg = 0, gw = 0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)got[i] - want[i];
        dd += d * d, ww += (double)want[i] * want[i], gg += (double)got[i] * got[i], gw += (double)got[i] * want[i];
    }
    return (Agreement){sqrt(dd / (ww + 1e-300)), gw / sqrt(gg * ww + 1e-300)};
}

static double worst_rel, worst_cos = 1;

static void expect_agree(const char *what, const float *got, const float *want, size_t n, double rel_tol, double min_cos) {
    Agreement a = agreement(got, want, n);
    worst_rel = fmax(worst_rel, a.rel), worst_cos = fmin(worst_cos, a.cos);
    CHECK(a.rel <= rel_tol && a.cos >= min_cos, "%s: bf16 relative error %.3g (bound %.3g), cosine %.5f (bound %.3g)", what,
          a.rel, rel_tol, a.cos, min_cos);
}

/* One forward + backward of `net` on the batch with `sel`; dw gets dL/dW. Returns the loss. */
static double step(Supernet *net, const float *images, const int32_t *labels, NetSelection sel, float *dw) {
    double loss = supernet_forward(net, images, labels, BATCH, sel, NULL);
    supernet_backward(net, dw);
    return loss;
}

static void compare_nets(Supernet *fp, Supernet *bf, const char *pass) {
    char name[200];
    snprintf(name, sizeof name, "%s logits", pass);
    expect_agree(name, supernet_logits(bf), supernet_logits(fp), (size_t)BATCH * CLASSES, LOGIT_REL_TOL, 0.999);
    for (int i = 0; i < supernet_num_tensors(fp); i++) {
        const TensorInfo *info = supernet_tensor(fp, i);
        if (info->kind != TENSOR_WEIGHT) continue;
        float *a = sn_alloc(info->count * sizeof(float)), *b = sn_alloc(info->count * sizeof(float));
        supernet_tensor_get_grad(fp, i, a);
        supernet_tensor_get_grad(bf, i, b);
        double norm = 0;
        for (size_t k = 0; k < info->count; k++) norm += (double)a[k] * a[k];
        snprintf(name, sizeof name, "%s grad %s", pass, info->name);
        if (norm > 0) expect_agree(name, b, a, info->count, GRAD_REL_TOL, GRAD_MIN_COS); /* 0: an op the pass skips */
        sn_free(a), sn_free(b);
    }
}

int main(void) {
    const char *why = supernet_precision_unavailable("bf16");
    if (why) {
        printf("test_bf16_network: skipped: %s\n", why);
        return 0;
    }
    Rng rng;
    rng_seed(&rng, 11, 0);
    size_t n_pixels = (size_t)BATCH * 3 * IMAGE * IMAGE;
    float *images = sn_alloc(n_pixels * sizeof(float));
    int32_t labels[BATCH];
    for (size_t i = 0; i < n_pixels; i++) images[i] = (float)(2 * rng_uniform(&rng) - 1);
    for (int i = 0; i < BATCH; i++) labels[i] = (int32_t)rng_below(&rng, CLASSES);
    Supernet *fp = make_net(0), *bf = make_net(1);

    float alpha[30], w[30], dw_fp[30], dw_bf[30];
    for (int i = 0; i < 30; i++) alpha[i] = (float)(1e-3 * (2 * rng_uniform(&rng) - 1));
    softmax_forward(w, alpha, 6, 5);
    double loss_fp = step(fp, images, labels, (NetSelection){NULL, w}, dw_fp);
    double loss_bf = step(bf, images, labels, (NetSelection){NULL, w}, dw_bf);
    CHECK_CLOSE(loss_bf, loss_fp, 0, 1e-2, "DARTS loss");
    compare_nets(fp, bf, "DARTS");
    expect_agree("DARTS dL/dW", dw_bf, dw_fp, 30, GRAD_REL_TOL, GRAD_MIN_COS);

    Arch arch;
    const uint8_t ops[6] = {2, 4, 3, 1, 4, 2}; /* every op but none on the input edges, every node reached */
    memcpy(arch.op, ops, sizeof ops);
    loss_fp = step(fp, images, labels, (NetSelection){&arch, NULL}, NULL);
    loss_bf = step(bf, images, labels, (NetSelection){&arch, NULL}, NULL);
    CHECK_CLOSE(loss_bf, loss_fp, 0, 1e-2, "discrete loss");
    compare_nets(fp, bf, "discrete");
    printf("bf16 against fp32: worst relative error %.3g, worst cosine %.5f over all tensors\n", worst_rel, worst_cos);

    supernet_free(fp), supernet_free(bf), sn_free(images);
    TEST_EXIT();
}
