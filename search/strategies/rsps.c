/*
 * rsps.c: RSPS, random search with parameter sharing (REFERENCE 1.7, 6.5).
 *
 * Per batch: one uniform random cell (each edge uniform over the five ops, none included; the same in
 * every cell of the network), a training forward and backward of the weight batch through it, the
 * clipped SGD step (search_weight_update). The arch half of the reference's pair loader is unused, so
 * this strategy iterates the training loader alone.
 * After each epoch:
 *   - with valid_pass, a full pass over the valid loader (evaluation mode) with a new random cell per
 *     batch, a measure of the supernet as a whole (the logged valid loss / accuracy);
 *   - select_num uniform random candidates (final_select_num after the last epoch), each scored on one
 *     batch of the valid loader (selection.h); the best is the epoch's cell.
 * No architecture parameters: nothing is logged as probabilities.
 */
#include <math.h>
#include <string.h>

#include "strategies/candidates.h"
#include "strategies/selection.h"
#include "strategies/strategy.h"

typedef struct {
    Rng train_arch;  /* cells of the weight steps */
    Rng select_arch; /* cells of the valid pass and the candidates */
    BatchStream select;
    Arch chosen;
} Rsps;

static void *rsps_create(const SearchConfig *cfg, SearchContext *ctx) {
    Rsps *r = sn_alloc(sizeof *r);
    rng_seed(&r->train_arch, (uint64_t)cfg->seed, STREAM_RSPS_TRAIN);
    rng_seed(&r->select_arch, (uint64_t)cfg->seed, STREAM_RSPS_SELECT);
    r->select = batch_stream(ctx->valid, SELECTION_FIRST_EPOCH);
    return r;
}

static void rsps_step(void *state, SearchContext *ctx, const Batch *b, StepStats *st) {
    Rsps *r = state;
    Arch a = arch_uniform(&r->train_arch);
    NetSelection sel = {&a, NULL};
    int hits;
    st->train_loss_sum += supernet_forward(ctx->net, b->x, b->y, b->n, sel, &hits) * b->n;
    supernet_backward(ctx->net, NULL);
    search_weight_update(ctx);
    st->train_correct += hits, st->train_images += b->n;
}

/* The valid loader's epoch-e pass with a fresh uniform cell for every batch. */
static void random_cell_pass(Rsps *r, SearchContext *ctx, double *loss, double *acc) {
    PassTotals t = {0};
    loader_seek(ctx->valid, ctx->epoch, 0);
    for (int s = 0, steps = loader_steps(ctx->valid); s < steps; s++) {
        const Batch *b = loader_next(ctx->valid);
        Arch a = arch_uniform(&r->select_arch);
        NetSelection sel = {&a, NULL};
        int hits = 0;
        double mean_loss = supernet_evaluate(ctx->net, b->x, b->y, b->n, sel, &hits, NULL);
        pass_totals_add(&t, mean_loss, hits, b->n);
    }
    pass_totals_mean(&t, loss, acc);
}

static void rsps_epoch_end(void *state, SearchContext *ctx, EpochReport *rep) {
    Rsps *r = state;
    const SearchConfig *c = ctx->cfg;
    if (c->valid_pass) random_cell_pass(r, ctx, &rep->valid_loss, &rep->valid_acc);
    int k = ctx->epoch == c->epochs - 1 ? c->final_select_num : c->select_num;
    Arch *cands = sn_alloc(sizeof(Arch) * (size_t)k);
    SelectionDraws d;
    selection_draws(&d, c->select_common, (uint64_t)c->seed, &r->select_arch, &r->select);
    rsps_candidates(d.rng, k, cands);
    r->chosen = cands[select_best_cell(ctx->net, d.stream, cands, k, NULL)];
    sn_free(cands);
}

static int rsps_derive(void *state, SearchContext *ctx, Arch *arch, float *probs) {
    *arch = ((Rsps *)state)->chosen;
    return 0;
}

static void rsps_save(void *state, CkptWriter *w) {
    Rsps *r = state;
    rng_save(&r->train_arch, w, "rsps.rng.train");
    rng_save(&r->select_arch, w, "rsps.rng.select");
    batch_stream_save(&r->select, w, "rsps.select_next_epoch");
}

static void rsps_load(void *state, const Checkpoint *ck) {
    Rsps *r = state;
    rng_load(&r->train_arch, ck, "rsps.rng.train");
    rng_load(&r->select_arch, ck, "rsps.rng.select");
    batch_stream_load(&r->select, ck, "rsps.select_next_epoch");
}

static void rsps_free(void *state) { sn_free(state); }

const StrategyIface STRATEGY_RSPS = {
    .loader = LOADER_TRAIN, .needs_valid_loader = 1, .create = rsps_create, .step = rsps_step,
    .epoch_end = rsps_epoch_end, .derive = rsps_derive, .save = rsps_save, .load = rsps_load,
    .free = rsps_free,
};
