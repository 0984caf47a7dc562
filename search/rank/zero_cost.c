/* zero_cost.c: the zero-cost proxies (see zero_cost.h). */
#include "rank/zero_cost.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "stats/matrix.h"

static const char *const NAMES[ZC_COUNT] = {"synflow", "snip", "grad_norm", "jacob_cov", "naswot"};

int zero_cost_find(const char *name) {
    for (int k = 0; k < ZC_COUNT; k++)
        if (strcmp(NAMES[k], name) == 0) return k;
    return -1;
}

static NetSelection own_cell(const Supernet *net) { return (NetSelection){&supernet_config(net)->cell, NULL}; }

/* The layers the proxies sum over: convolutions (4-d weights) and the classifier (2-d). */
static int is_scored_layer(const TensorInfo *t) { return t->kind == TENSOR_WEIGHT && (t->ndims == 4 || t->ndims == 2); }

static size_t largest_tensor(const Supernet *net) {
    size_t n = 1;
    for (int i = 0; i < supernet_num_tensors(net); i++)
        if (supernet_tensor(net, i)->count > n) n = supernet_tensor(net, i)->count;
    return n;
}

/* Sum over the scored layers of per_layer(w, dL/dw, count), after a backward. */
static double sum_over_layers(Supernet *net, double (*per_layer)(const float *w, const float *g, size_t n)) {
    size_t cap = largest_tensor(net);
    float *w = sn_alloc(cap * sizeof(float)), *g = sn_alloc(cap * sizeof(float));
    double total = 0;
    for (int i = 0; i < supernet_num_tensors(net); i++) {
        const TensorInfo *t = supernet_tensor(net, i);
        if (!is_scored_layer(t)) continue;
        supernet_tensor_get(net, i, w);
        supernet_tensor_get_grad(net, i, g);
        total += per_layer(w, g, t->count);
    }
    sn_free(w), sn_free(g);
    return total;
}

static double grad_l2(const float *w, const float *g, size_t n) {
    (void)w;
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (double)g[i] * g[i];
    return sqrt(s);
}

static double saliency(const float *w, const float *g, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += fabs((double)w[i] * g[i]);
    return s;
}

static double loss_gradient_score(Supernet *net, const float *images, const int32_t *labels, int batch,
                                  double (*per_layer)(const float *, const float *, size_t)) {
    supernet_forward(net, images, labels, batch, own_cell(net), NULL);
    supernet_backward(net, NULL);
    return sum_over_layers(net, per_layer);
}

/* ---------------------------------------------------------------------------------------------
 * synflow */

/* The sum of the logits for one input image of constant value `scale`; with a gradient scale, also the
 * backward of that sum times it. */
static double ones_pass(Supernet *net, float scale, float grad_scale) {
    const SupernetConfig *c = supernet_config(net);
    size_t n = (size_t)c->in_channels * c->image_size * c->image_size;
    float *image = sn_alloc(n * sizeof(float)), *dlogits = sn_alloc((size_t)c->classes * sizeof(float));
    for (size_t i = 0; i < n; i++) image[i] = scale;
    const int32_t label = 0;
    supernet_forward(net, image, &label, 1, own_cell(net), NULL);
    double r = 0;
    for (int k = 0; k < c->classes; k++) r += supernet_logits(net)[k], dlogits[k] = grad_scale;
    if (grad_scale != 0.0f) supernet_backward_from(net, dlogits, NULL, NULL);
    sn_free(image), sn_free(dlogits);
    return r;
}

static double synflow(Supernet *net) {
    float *w = supernet_weights(net);
    for (size_t i = 0; i < supernet_weights_floats(net); i++) w[i] = fabsf(w[i]);
    int bias = supernet_find_tensor(net, "classifier.bias"); /* no path through it: R without it, same score */
    float *zeros = calloc((size_t)supernet_tensor(net, bias)->count, sizeof(float));
    supernet_tensor_set(net, bias, zeros);
    free(zeros);
    supernet_set_bn_frozen(net, 1);
    const double probe = 1e-25;
    double r = ones_pass(net, (float)probe, 0.0f) / probe;
    if (!(r > 0)) return 0.0; /* no path from the input to the output (an all-none cell) */
    float scale = (float)(1.0 / sqrt(r));
    ones_pass(net, scale, scale);
    return sum_over_layers(net, saliency) * r; /* the gradients carry scale^2 = 1 / r */
}

/* ---------------------------------------------------------------------------------------------
 * jacob_cov */

static double jacob_cov(Supernet *net, const float *images, const int32_t *labels, int batch) {
    const SupernetConfig *c = supernet_config(net);
    size_t per_image = (size_t)c->in_channels * c->image_size * c->image_size;
    float *d_images = sn_alloc(per_image * (size_t)batch * sizeof(float));
    float *ones = sn_alloc((size_t)batch * c->classes * sizeof(float));
    for (size_t i = 0; i < (size_t)batch * c->classes; i++) ones[i] = 1.0f;
    supernet_forward(net, images, labels, batch, own_cell(net), NULL);
    supernet_backward_from(net, ones, d_images, NULL);
    double *corr = sn_alloc(sizeof(double) * (size_t)batch * batch), *eig = sn_alloc(sizeof(double) * (size_t)batch);
    corrcoef_rows(corr, d_images, batch, per_image);
    symmetric_eigenvalues(eig, corr, batch);
    const double k = 1e-5;
    double score = 0;
    for (int i = 0; i < batch; i++) score -= log(eig[i] + k) + 1.0 / (eig[i] + k);
    sn_free(d_images), sn_free(ones), sn_free(corr), sn_free(eig);
    return score;
}

/* ---------------------------------------------------------------------------------------------
 * naswot */

void naswot_accumulate(double *k, const float *x, int batch, size_t per_image) {
    size_t words = (per_image + 63) / 64;
    uint64_t *codes = calloc(words * (size_t)batch, sizeof(uint64_t));
    SN_ASSERT(codes, "out of memory for %d activation codes", batch);
    for (int i = 0; i < batch; i++)
        for (size_t j = 0; j < per_image; j++)
            if (x[(size_t)i * per_image + j] > 0.0f) codes[(size_t)i * words + j / 64] |= 1ull << (j % 64);
#pragma omp parallel for schedule(dynamic)
    for (int i = 0; i < batch; i++)
        for (int j = i; j < batch; j++) {
            size_t differ = 0;
            for (size_t w = 0; w < words; w++)
                differ += (size_t)__builtin_popcountll(codes[(size_t)i * words + w] ^ codes[(size_t)j * words + w]);
            double agree = (double)(per_image - differ);
            k[i * batch + j] += agree;
            if (j != i) k[j * batch + i] += agree;
        }
    free(codes);
}

typedef struct {
    double *k;
    int batch;
} NaswotKernel;

static void observe(void *ctx, const float *x, int batch, size_t per_image) {
    NaswotKernel *kk = ctx;
    SN_ASSERT(batch == kk->batch, "a ReLU saw %d images of a batch of %d", batch, kk->batch);
    naswot_accumulate(kk->k, x, batch, per_image);
}

static double naswot(Supernet *net, const float *images, const int32_t *labels, int batch) {
    NaswotKernel kk = {.k = calloc((size_t)batch * batch, sizeof(double)), .batch = batch};
    SN_ASSERT(kk.k, "out of memory for a %d x %d kernel", batch, batch);
    supernet_set_relu_observer(net, observe, &kk);
    supernet_forward(net, images, labels, batch, own_cell(net), NULL);
    supernet_set_relu_observer(net, NULL, NULL);
    double score = log_abs_det(kk.k, batch);
    free(kk.k);
    return score;
}

double zero_cost_score(ZeroCost kind, Supernet *net, const float *images, const int32_t *labels, int batch) {
    SN_ASSERT(supernet_config(net)->single_cell, "the zero-cost proxies score a one-cell network");
    switch (kind) {
    case ZC_SYNFLOW: return synflow(net);
    case ZC_SNIP: return loss_gradient_score(net, images, labels, batch, saliency);
    case ZC_GRAD_NORM: return loss_gradient_score(net, images, labels, batch, grad_l2);
    case ZC_JACOB_COV: return jacob_cov(net, images, labels, batch);
    case ZC_NASWOT: return naswot(net, images, labels, batch);
    default: SN_ASSERT(0, "zero-cost proxy %d", kind);
    }
    return NAN;
}
