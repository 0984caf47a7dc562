/*
 * darts.c: DARTS-V1 (first order) and DARTS-V2 (second order, unrolled), REFERENCE 6.1-6.2.
 *
 *   V1, per batch: weight step on (x, y) with softmax(alpha), then arch step on (xa, ya) with the
 *                  updated weights.
 *   V2, per batch: arch step first with the unrolled gradient (darts.h), then the same weight step.
 * After each epoch (valid_pass = 1) a full pass over the valid loader in evaluation mode, DARTS
 * forward. The derived cell is argmax alpha per edge.
 */
#include <math.h>
#include <string.h>

#include "strategies/darts.h"
#include "elementwise.h"
#include "softmax.h"
#include "strategies/strategy.h"

typedef struct {
    int second_order;
    ArchParams arch;
    DartsScratch scratch; /* V2 only */
} Darts;

/* ---------------------------------------------------------------------------------------------
 * Running statistics and the unrolled gradient */

size_t supernet_running_stats_count(Supernet *net) {
    size_t n = 0;
    for (int i = 0; i < supernet_num_tensors(net); i++)
        if (supernet_tensor(net, i)->kind == TENSOR_RUNNING_STAT) n += supernet_tensor(net, i)->count;
    return n;
}

static void stats_copy(Supernet *net, float *stats, int to_net) {
    for (int i = 0; i < supernet_num_tensors(net); i++) {
        const TensorInfo *t = supernet_tensor(net, i);
        if (t->kind != TENSOR_RUNNING_STAT) continue;
        if (to_net) supernet_tensor_set(net, i, stats);
        else supernet_tensor_get(net, i, stats);
        stats += t->count;
    }
}

void supernet_running_stats_get(Supernet *net, float *stats) { stats_copy(net, stats, 0); }
void supernet_running_stats_set(Supernet *net, const float *stats) { stats_copy(net, (float *)stats, 1); }

DartsScratch darts_scratch_create(Supernet *net) {
    size_t n = supernet_weights_floats(net);
    DartsScratch s = {.saved_w = sn_alloc(n * sizeof(float)), .v = sn_alloc(n * sizeof(float)),
                      .n_stats = supernet_running_stats_count(net)};
    s.stats = sn_alloc((s.n_stats ? s.n_stats : 1) * sizeof(float));
    return s;
}

void darts_scratch_free(DartsScratch *s) {
    sn_free(s->saved_w), sn_free(s->v), sn_free(s->stats);
    memset(s, 0, sizeof *s);
}

/* Train-mode forward + backward of (x, y) with edge weights W; adds dL/dalpha into dalpha (unless NULL).
 * The gradients summed over the ranks: dL/dW for dalpha, and the weights' when with_weights is set. */
static double loss_and_alpha_grad(Supernet *net, const float *x, const int32_t *y, int n, const float *W,
                                  float *dalpha, int with_weights, int *correct) {
    float dW[ARCH_N_EDGES * ARCH_N_OPS];
    NetSelection sel = {NULL, W};
    double loss = supernet_forward(net, x, y, n, sel, correct);
    supernet_backward(net, dalpha ? dW : NULL);
    search_sum_grads(net, with_weights, dalpha ? dW : NULL, ARCH_N_EDGES * ARCH_N_OPS);
    if (dalpha) softmax_backward(dalpha, dW, W, ARCH_N_EDGES, ARCH_N_OPS);
    return loss;
}

double darts_v2_arch_grad(Supernet *net, const float *alpha, const Batch *b, double lr, double mu, double wd,
                          const float *momentum, double r, DartsScratch *s, float *dalpha, int *correct) {
    enum { NA = ARCH_N_EDGES * ARCH_N_OPS };
    float W[NA], gplus[NA] = {0}, gminus[NA] = {0};
    size_t n = supernet_weights_floats(net);
    float *w = supernet_weights(net), *g = supernet_grads(net);
    int hits;
    softmax_forward(W, alpha, ARCH_N_EDGES, ARCH_N_OPS);
    loss_and_alpha_grad(net, b->x, b->y, b->n, W, NULL, 1, &hits); /* g_w */
    memcpy(s->saved_w, w, n * sizeof(float));
    for (size_t i = 0; i < n; i++) w[i] -= (float)(lr * ((momentum ? mu * momentum[i] : 0.0) + g[i] + wd * w[i]));
    supernet_running_stats_get(net, s->stats); /* the w' forward belongs to a throw-away copy */
    memset(dalpha, 0, NA * sizeof(float));
    double val_loss = loss_and_alpha_grad(net, b->xa, b->ya, b->n, W, dalpha, 1, correct); /* dalpha and v */
    supernet_running_stats_set(net, s->stats);
    memcpy(s->v, g, n * sizeof(float));
    double R = r / sqrt(vec_dot(s->v, s->v, n));
    for (int sign = 1; sign >= -1; sign -= 2) {
        for (size_t i = 0; i < n; i++) w[i] = s->saved_w[i] + (float)(sign * R) * s->v[i];
        loss_and_alpha_grad(net, b->x, b->y, b->n, W, sign > 0 ? gplus : gminus, 0, &hits);
    }
    memcpy(w, s->saved_w, n * sizeof(float));
    for (int k = 0; k < NA; k++) dalpha[k] -= (float)(lr * ((double)gplus[k] - gminus[k]) / (2 * R));
    return val_loss;
}

/* ---------------------------------------------------------------------------------------------
 * The strategy */

static void *darts_create(const SearchConfig *cfg, SearchContext *ctx, int second_order) {
    Darts *d = sn_alloc(sizeof *d);
    arch_params_init(&d->arch, (uint64_t)cfg->seed);
    d->second_order = second_order;
    if (second_order) d->scratch = darts_scratch_create(ctx->net);
    return d;
}

static void *darts_v1_create(const SearchConfig *cfg, SearchContext *ctx) { return darts_create(cfg, ctx, 0); }
static void *darts_v2_create(const SearchConfig *cfg, SearchContext *ctx) { return darts_create(cfg, ctx, 1); }

static void weight_step(Darts *d, SearchContext *ctx, const Batch *b, StepStats *st) {
    float W[ARCH_N_EDGES * ARCH_N_OPS];
    int hits;
    softmax_forward(W, d->arch.alpha, ARCH_N_EDGES, ARCH_N_OPS);
    NetSelection sel = {NULL, W};
    st->train_loss_sum += supernet_forward(ctx->net, b->x, b->y, b->n, sel, &hits) * b->n;
    supernet_backward(ctx->net, NULL);
    search_weight_update(ctx);
    st->train_correct += hits, st->train_images += b->n;
}

static void first_order_arch_step(Darts *d, SearchContext *ctx, const Batch *b, StepStats *st) {
    float W[ARCH_N_EDGES * ARCH_N_OPS];
    int hits;
    softmax_forward(W, d->arch.alpha, ARCH_N_EDGES, ARCH_N_OPS);
    memset(d->arch.grad, 0, sizeof d->arch.grad);
    st->arch_loss_sum += loss_and_alpha_grad(ctx->net, b->xa, b->ya, b->n, W, d->arch.grad, 0, &hits) * b->n;
    arch_params_step(&d->arch, ctx->cfg);
    st->arch_correct += hits, st->arch_images += b->n;
}

static void darts_step(void *state, SearchContext *ctx, const Batch *b, StepStats *st) {
    Darts *d = state;
    const SearchConfig *c = ctx->cfg;
    if (!d->second_order) {
        weight_step(d, ctx, b, st);
        first_order_arch_step(d, ctx, b, st);
        return;
    }
    int hits;
    const float *buf = ctx->sgd_steps ? ctx->momentum : NULL;
    double loss = darts_v2_arch_grad(ctx->net, d->arch.alpha, b, ctx->lr, c->momentum, c->weight_decay, buf, DARTS_HVP_R,
                                     &d->scratch, d->arch.grad, &hits);
    arch_params_step(&d->arch, c);
    st->arch_loss_sum += loss * b->n, st->arch_correct += hits, st->arch_images += b->n;
    weight_step(d, ctx, b, st);
}

static void darts_epoch_end(void *state, SearchContext *ctx, EpochReport *r) {
    Darts *d = state;
    if (!ctx->cfg->valid_pass) return;
    float W[ARCH_N_EDGES * ARCH_N_OPS];
    softmax_forward(W, d->arch.alpha, ARCH_N_EDGES, ARCH_N_OPS);
    NetSelection sel = {NULL, W};
    search_evaluate(ctx, sel, &r->valid_loss, &r->valid_acc);
}

static int darts_derive(void *state, SearchContext *ctx, Arch *arch, float *probs) {
    arch_params_derive(&((Darts *)state)->arch, arch, probs);
    return 1;
}

static void darts_save(void *state, CkptWriter *w) { arch_params_save(&((Darts *)state)->arch, w, "arch"); }
static void darts_load(void *state, const Checkpoint *ck) { arch_params_load(&((Darts *)state)->arch, ck, "arch"); }

static void darts_free(void *state) {
    Darts *d = state;
    if (d->second_order) darts_scratch_free(&d->scratch);
    sn_free(d);
}

const StrategyIface STRATEGY_DARTS_V1 = {
    .loader = LOADER_SEARCH_PAIRS, .needs_darts = 1, .needs_valid_loader = 1, .create = darts_v1_create,
    .step = darts_step, .epoch_end = darts_epoch_end, .derive = darts_derive, .save = darts_save,
    .load = darts_load, .free = darts_free,
};

const StrategyIface STRATEGY_DARTS_V2 = {
    .loader = LOADER_SEARCH_PAIRS, .needs_darts = 1, .needs_valid_loader = 1, .create = darts_v2_create,
    .step = darts_step, .epoch_end = darts_epoch_end, .derive = darts_derive, .save = darts_save,
    .load = darts_load, .free = darts_free,
};
