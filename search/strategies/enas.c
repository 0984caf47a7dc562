/*
 * enas.c: ENAS (REFERENCE 1.7, 6.6, 12.4) with the LSTM controller of enas_controller.h.
 *
 * Shared-CNN epoch (the driver's training loader over search-train, batch_size 128): per batch, a cell
 * drawn from the controller (no gradient), a training pass through it, the clipped SGD step (lr 0.05,
 * cosine with t_max 10, weight decay 2.5e-4: configs/enas.cfg).
 * Controller epoch (epoch_end): controller_train_steps x controller_num_aggregate samples, each scored
 * (evaluation mode) on the next batch of the controller's own loader: search-valid WITH the training
 * augmentation and batch_size images per batch, a fresh shuffled pass per call that wraps as needed
 * (selection.h), as the reference's valid loader with its transform replaced. Each sample's accuracy
 * (a fraction) goes to enas_controller_feedback; the stored baseline is updated at the end.
 * Selection: select_num controller samples (final_select_num after the last epoch), each on one batch
 * of the same loader; the best is the epoch's cell, and with valid_pass a full pass of that loader with
 * it gives the logged valid loss / accuracy. Logged probabilities: the controller's softmax along its
 * greedy path (enas_controller_greedy).
 * One Rng (STREAM_ENAS_SAMPLE) feeds every controller draw, as the reference's single torch generator.
 */
#include <string.h>

#include "dist/dist.h"
#include "strategies/enas_controller.h"
#include "strategies/selection.h"
#include "strategies/strategy.h"

typedef struct {
    EnasController *ctl;
    Rng sample;
    Subset valid_items; /* search-valid, cut to valid_images */
    Loader *loader;     /* LOADER_TRAIN over valid_items: training augmentation */
    BatchStream stream;
    Arch chosen;
} Enas;

static EnasConfig controller_config(const SearchConfig *c) {
    EnasConfig e = enas_config_default();
    e.temperature = c->controller_temperature, e.tanh_constant = c->controller_tanh_constant;
    e.entropy_weight = c->controller_entropy_weight, e.baseline_decay = c->controller_bl_dec;
    e.num_aggregate = c->controller_num_aggregate, e.grad_clip = c->controller_grad_clip;
    e.adam = (AdamConfig){.lr = c->controller_lr, .beta1 = c->controller_beta1, .beta2 = c->controller_beta2,
                          .eps = c->controller_eps, .weight_decay = 0.0};
    e.baseline_mode = c->controller_canonical_baseline ? ENAS_BASELINE_CANONICAL : ENAS_BASELINE_REFERENCE;
    return e;
}

static void *enas_create(const SearchConfig *cfg, SearchContext *ctx) {
    if (cfg->valid_batch < cfg->batch_size)
        sn_die(SN_EXIT_USAGE, "enas: valid_batch (%d) must be at least batch_size (%d), the controller's batch",
               cfg->valid_batch, cfg->batch_size);
    Enas *s = sn_alloc(sizeof *s);
    EnasConfig ec = controller_config(cfg);
    s->ctl = enas_controller_create(&ec, rng_stream_seed((uint64_t)cfg->seed, STREAM_ENAS_INIT));
    rng_seed(&s->sample, (uint64_t)cfg->seed, STREAM_ENAS_SAMPLE);
    s->valid_items = ctx->data->search_valid;
    if (cfg->valid_images && cfg->valid_images < s->valid_items.n) s->valid_items.n = cfg->valid_images;
    LoaderConfig lc = {.mode = LOADER_TRAIN, .items = &s->valid_items, .batch = cfg->batch_size, .shuffle = 1,
                       .seed = rng_stream_seed((uint64_t)cfg->seed, STREAM_ENAS_LOADER), .threads = cfg->loader_threads,
                       .prefetch = 1, .share = dist_rank(), .shares = dist_size()};
    search_check_shares("batch_size", cfg->batch_size, s->valid_items.n);
    s->loader = loader_create(ctx->data, &lc);
    s->stream = batch_stream(s->loader, 0);
    return s;
}

static void enas_step(void *state, SearchContext *ctx, const Batch *b, StepStats *st) {
    Enas *s = state;
    EnasSample smp;
    enas_controller_sample(s->ctl, &s->sample, &smp);
    NetSelection sel = {&smp.arch, NULL};
    int hits;
    st->train_loss_sum += supernet_forward(ctx->net, b->x, b->y, b->n, sel, &hits) * b->n;
    supernet_backward(ctx->net, NULL);
    search_weight_update(ctx);
    st->train_correct += hits, st->train_images += b->n;
}

/* REFERENCE 6.6 "Controller epoch": every sample on the next batch of one fresh wrapping pass. */
static void train_controller(Enas *s, SearchContext *ctx) {
    const SearchConfig *c = ctx->cfg;
    EnasSample smp;
    batch_stream_restart(&s->stream);
    for (int i = 0; i < c->controller_train_steps * c->controller_num_aggregate; i++) {
        enas_controller_sample(s->ctl, &s->sample, &smp);
        enas_controller_feedback(s->ctl, &smp, stream_batch_hit_rate(ctx->net, &s->stream, &smp.arch));
    }
    enas_controller_end_epoch(s->ctl);
}

static void enas_epoch_end(void *state, SearchContext *ctx, EpochReport *rep) {
    Enas *s = state;
    const SearchConfig *c = ctx->cfg;
    train_controller(s, ctx);
    int k = ctx->epoch == c->epochs - 1 ? c->final_select_num : c->select_num;
    Arch *cands = sn_alloc(sizeof(Arch) * (size_t)k);
    EnasSample smp;
    SelectionDraws d;
    selection_draws(&d, c->select_common, (uint64_t)c->seed, &s->sample, &s->stream);
    for (int i = 0; i < k; i++) {
        enas_controller_sample(s->ctl, d.rng, &smp);
        cands[i] = smp.arch;
    }
    s->chosen = cands[select_best_cell(ctx->net, d.stream, cands, k, NULL)];
    sn_free(cands);
    if (c->valid_pass) stream_evaluate(ctx->net, &s->stream, &s->chosen, &rep->valid_loss, &rep->valid_acc);
}

static int enas_derive(void *state, SearchContext *ctx, Arch *arch, float *probs) {
    Enas *s = state;
    Arch greedy;
    *arch = s->chosen;
    enas_controller_greedy(s->ctl, &greedy, (float(*)[ARCH_N_OPS])probs);
    return 1;
}

static void enas_save(void *state, CkptWriter *w) {
    Enas *s = state;
    float *buf = sn_alloc(enas_controller_num_params() * sizeof(float));
    for (int i = 0; i < enas_controller_num_arrays(); i++) {
        EnasArrayInfo info = enas_controller_array_info(i);
        int dims[1] = {(int)info.count};
        enas_controller_array_get(s->ctl, i, buf);
        ckpt_put_f32(w, info.name, 1, dims, buf);
    }
    sn_free(buf);
    rng_save(&s->sample, w, "enas.rng.sample");
    batch_stream_save(&s->stream, w, "enas.loader_next_epoch");
}

static void enas_load(void *state, const Checkpoint *ck) {
    Enas *s = state;
    float *buf = sn_alloc(enas_controller_num_params() * sizeof(float));
    for (int i = 0; i < enas_controller_num_arrays(); i++) {
        EnasArrayInfo info = enas_controller_array_info(i);
        int dims[1] = {(int)info.count};
        ckpt_get_f32(ck, info.name, 1, dims, buf);
        if (enas_controller_array_set(s->ctl, i, buf) != 0)
            sn_die(SN_EXIT_USAGE, "checkpoint entry %s does not hold a valid controller state", info.name);
    }
    sn_free(buf);
    rng_load(&s->sample, ck, "enas.rng.sample");
    batch_stream_load(&s->stream, ck, "enas.loader_next_epoch");
}

static void enas_free(void *state) {
    Enas *s = state;
    enas_controller_free(s->ctl);
    loader_free(s->loader);
    sn_free(s);
}

const StrategyIface STRATEGY_ENAS = {
    .loader = LOADER_TRAIN, .needs_valid_loader = 1, .create = enas_create, .step = enas_step,
    .epoch_end = enas_epoch_end, .derive = enas_derive, .save = enas_save, .load = enas_load,
    .free = enas_free,
};
