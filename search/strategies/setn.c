/*
 * setn.c: SETN (REFERENCE 1.7, 6.4, 12.3).
 *
 * Per batch of the pair loader:
 *   - weight step: one uniform random cell (none included, the same in every cell), a training pass
 *     of (x, y) through it and an SGD step, WITHOUT gradient clipping (configs/setn*.cfg set
 *     grad_clip = 0; search_weight_update skips the clip then);
 *   - arch step: the DARTS joint forward of (xa, ya) with softmax(alpha) edge weights, backward to
 *     alpha, Adam on alpha (arch_* keys).
 * After each epoch: the select_num cells (final_select_num after the last) with the largest
 * sum_e log_softmax(alpha_e)[op_e] over all 15,625 (candidates.h: a stable top-k), each scored on one
 * batch of the valid loader (selection.h); the best is the epoch's cell, and with valid_pass a full
 * valid pass with it gives the logged valid loss / accuracy. The reference's extra selection before
 * the first epoch only feeds its log and is not done. Logged probabilities: softmax(alpha).
 */
#include <string.h>

#include "strategies/candidates.h"
#include "strategies/selection.h"
#include "softmax.h"
#include "strategies/strategy.h"

typedef struct {
    ArchParams arch;
    Rng train_arch;
    BatchStream select;
    Arch chosen;
} Setn;

static void *setn_create(const SearchConfig *cfg, SearchContext *ctx) {
    Setn *s = sn_alloc(sizeof *s);
    arch_params_init(&s->arch, (uint64_t)cfg->seed);
    rng_seed(&s->train_arch, (uint64_t)cfg->seed, STREAM_SETN_TRAIN);
    s->select = batch_stream(ctx->valid, SELECTION_FIRST_EPOCH);
    return s;
}

static void setn_step(void *state, SearchContext *ctx, const Batch *b, StepStats *st) {
    enum { NA = ARCH_N_EDGES * ARCH_N_OPS };
    Setn *s = state;
    Arch a = arch_uniform(&s->train_arch);
    NetSelection sampled = {&a, NULL};
    int hits;
    st->train_loss_sum += supernet_forward(ctx->net, b->x, b->y, b->n, sampled, &hits) * b->n;
    supernet_backward(ctx->net, NULL);
    search_weight_update(ctx);
    st->train_correct += hits, st->train_images += b->n;

    float W[NA], dW[NA];
    softmax_forward(W, s->arch.alpha, ARCH_N_EDGES, ARCH_N_OPS);
    NetSelection joint = {NULL, W};
    st->arch_loss_sum += supernet_forward(ctx->net, b->xa, b->ya, b->n, joint, &hits) * b->n;
    supernet_backward(ctx->net, dW);
    search_sum_grads(ctx->net, 0, dW, NA);
    memset(s->arch.grad, 0, sizeof s->arch.grad);
    softmax_backward(s->arch.grad, dW, W, ARCH_N_EDGES, ARCH_N_OPS);
    arch_params_step(&s->arch, ctx->cfg);
    st->arch_correct += hits, st->arch_images += b->n;
}

static void setn_epoch_end(void *state, SearchContext *ctx, EpochReport *rep) {
    Setn *s = state;
    const SearchConfig *c = ctx->cfg;
    int k = ctx->epoch == c->epochs - 1 ? c->final_select_num : c->select_num;
    Arch *cands = sn_alloc(sizeof(Arch) * (size_t)k);
    setn_top_k(s->arch.alpha, k, cands, NULL);
    SelectionDraws d;
    selection_draws(&d, c->select_common, (uint64_t)c->seed, NULL, &s->select);
    s->chosen = cands[select_best_cell(ctx->net, d.stream, cands, k, NULL)];
    sn_free(cands);
    if (c->valid_pass) {
        NetSelection sel = {&s->chosen, NULL};
        search_evaluate(ctx, sel, &rep->valid_loss, &rep->valid_acc);
    }
}

static int setn_derive(void *state, SearchContext *ctx, Arch *arch, float *probs) {
    Setn *s = state;
    *arch = s->chosen;
    softmax_forward(probs, s->arch.alpha, ARCH_N_EDGES, ARCH_N_OPS);
    return 1;
}

static void setn_save(void *state, CkptWriter *w) {
    Setn *s = state;
    arch_params_save(&s->arch, w, "arch");
    rng_save(&s->train_arch, w, "setn.rng.train");
    batch_stream_save(&s->select, w, "setn.select_next_epoch");
}

static void setn_load(void *state, const Checkpoint *ck) {
    Setn *s = state;
    arch_params_load(&s->arch, ck, "arch");
    rng_load(&s->train_arch, ck, "setn.rng.train");
    batch_stream_load(&s->select, ck, "setn.select_next_epoch");
}

static void setn_free(void *state) { sn_free(state); }

const StrategyIface STRATEGY_SETN = {
    .loader = LOADER_SEARCH_PAIRS, .needs_darts = 1, .needs_valid_loader = 1, .create = setn_create,
    .step = setn_step, .epoch_end = setn_epoch_end, .derive = setn_derive, .save = setn_save,
    .load = setn_load, .free = setn_free,
};
