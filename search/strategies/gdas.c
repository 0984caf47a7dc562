/*
 * gdas.c: GDAS (REFERENCE 1.7, 6.3). tau is linear from tau_max at epoch 0 to tau_min at
 * the last epoch, set at the start of each epoch. Per batch: a Gumbel draw, the weight step on
 * (x, y) through only the sampled ops; a NEW draw, the arch step on (xa, ya) with the straight-through
 * gradient to alpha. No valid pass: the logged arch loss/accuracy is the arch step's running value.
 */
#include <math.h>
#include <string.h>

#include "softmax.h"
#include "strategies/strategy.h"

typedef struct {
    ArchParams arch;
    Rng gumbel;
    double tau;
} Gdas;

static void *gdas_create(const SearchConfig *cfg, SearchContext *ctx) {
    Gdas *g = sn_alloc(sizeof *g);
    arch_params_init(&g->arch, (uint64_t)cfg->seed);
    rng_seed(&g->gumbel, (uint64_t)cfg->seed, STREAM_GUMBEL);
    g->tau = cfg->tau_max;
    return g;
}

static void gdas_epoch_begin(void *state, SearchContext *ctx, EpochReport *r) {
    Gdas *g = state;
    const SearchConfig *c = ctx->cfg;
    int last = c->epochs - 1;
    g->tau = last > 0 ? c->tau_max - (c->tau_max - c->tau_min) * ctx->epoch / last : c->tau_max;
    r->tau = g->tau;
}

/* One draw and one training forward + backward through the sampled ops; dW (6 x 5) may be NULL. */
static double sampled_pass(Gdas *g, SearchContext *ctx, const float *x, const int32_t *y, int n, float *probs,
                           float *dW, int *hits) {
    enum { NA = ARCH_N_EDGES * ARCH_N_OPS };
    float hard[NA], gumbel[NA];
    int choice[ARCH_N_EDGES];
    gdas_sample(hard, probs, gumbel, choice, g->arch.alpha, ARCH_N_EDGES, ARCH_N_OPS, g->tau, &g->gumbel);
    Arch a;
    for (int e = 0; e < ARCH_N_EDGES; e++) a.op[e] = (uint8_t)choice[e];
    NetSelection sel = {&a, hard};
    double loss = supernet_forward(ctx->net, x, y, n, sel, hits);
    supernet_backward(ctx->net, dW);
    if (dW) search_sum_grads(ctx->net, 0, dW, NA);
    return loss;
}

static void gdas_step(void *state, SearchContext *ctx, const Batch *b, StepStats *st) {
    Gdas *g = state;
    float probs[ARCH_N_EDGES * ARCH_N_OPS], dW[ARCH_N_EDGES * ARCH_N_OPS];
    int hits;
    st->train_loss_sum += sampled_pass(g, ctx, b->x, b->y, b->n, probs, NULL, &hits) * b->n;
    st->train_correct += hits, st->train_images += b->n;
    search_weight_update(ctx);

    st->arch_loss_sum += sampled_pass(g, ctx, b->xa, b->ya, b->n, probs, dW, &hits) * b->n;
    st->arch_correct += hits, st->arch_images += b->n;
    memset(g->arch.grad, 0, sizeof g->arch.grad);
    gumbel_softmax_backward(g->arch.grad, dW, probs, g->arch.alpha, ARCH_N_EDGES, ARCH_N_OPS, g->tau);
    arch_params_step(&g->arch, ctx->cfg);
}

static int gdas_derive(void *state, SearchContext *ctx, Arch *arch, float *probs) {
    arch_params_derive(&((Gdas *)state)->arch, arch, probs);
    return 1;
}

static void gdas_save(void *state, CkptWriter *w) {
    Gdas *g = state;
    arch_params_save(&g->arch, w, "arch");
    rng_save(&g->gumbel, w, "rng.gumbel");
}

static void gdas_load(void *state, const Checkpoint *ck) {
    Gdas *g = state;
    arch_params_load(&g->arch, ck, "arch");
    rng_load(&g->gumbel, ck, "rng.gumbel");
}

static void gdas_free(void *state) { sn_free(state); }

const StrategyIface STRATEGY_GDAS = {
    .loader = LOADER_SEARCH_PAIRS, .create = gdas_create, .epoch_begin = gdas_epoch_begin,
    .step = gdas_step, .derive = gdas_derive, .save = gdas_save, .load = gdas_load, .free = gdas_free,
};
