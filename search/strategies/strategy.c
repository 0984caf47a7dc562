/* strategy.c: the helpers strategies share (see strategy.h). */
#include "strategies/strategy.h"

#include <math.h>
#include <string.h>

#include "dist/dist.h"
#include "optim.h"
#include "softmax.h"

void search_check_shares(const char *key, int batch, int items) {
    int ranks = dist_size(), last = items % batch;
    if (batch % ranks)
        sn_die(SN_EXIT_USAGE, "%s = %d is not divisible by the %d MPI ranks: each rank takes an equal share of every batch",
               key, batch, ranks);
    if (last && last < ranks)
        sn_die(SN_EXIT_USAGE, "%s = %d leaves a last batch of %d of the %d images, fewer than the %d MPI ranks", key, batch,
               last, items, ranks);
}

void search_sum_grads(Supernet *net, int weights, float *extra, size_t n) {
    float *parts[2];
    size_t counts[2];
    int k = 0;
    if (weights) parts[k] = supernet_grads(net), counts[k++] = supernet_weights_floats(net);
    if (extra) parts[k] = extra, counts[k++] = n;
    if (k) dist_sum_f32_parts(parts, counts, k);
}

void search_weight_update(SearchContext *ctx) {
    const SearchConfig *c = ctx->cfg;
    search_sum_grads(ctx->net, 1, NULL, 0);
    float *grads = supernet_grads(ctx->net);
    size_t n = supernet_weights_floats(ctx->net);
    if (c->grad_clip > 0) clip_grad_norm(&grads, &n, 1, c->grad_clip);
    SgdConfig sgd = {.lr = ctx->lr, .momentum = c->momentum, .weight_decay = c->weight_decay, .nesterov = c->nesterov};
    ctx->sgd_steps++;
    sgd_step(supernet_weights(ctx->net), ctx->momentum, grads, n, sgd, (int)ctx->sgd_steps);
}

void pass_totals_add(PassTotals *t, double mean_loss, int hits, int images) {
    t->loss_sum += mean_loss * images, t->correct += hits, t->images += images;
}

void pass_totals_mean(const PassTotals *t, double *loss, double *acc) {
    double sums[3] = {t->loss_sum, t->correct, t->images};
    dist_sum_f64(sums, 3);
    *loss = sums[0] / sums[2];
    *acc = 100.0 * sums[1] / sums[2];
}

void search_evaluate(SearchContext *ctx, NetSelection sel, double *loss, double *acc) {
    SN_ASSERT(ctx->valid, "search_evaluate without a valid loader");
    PassTotals t = {0};
    loader_seek(ctx->valid, ctx->epoch, 0);
    for (int s = 0, steps = loader_steps(ctx->valid); s < steps; s++) {
        const Batch *b = loader_next(ctx->valid);
        int hits = 0;
        double mean_loss = supernet_evaluate(ctx->net, b->x, b->y, b->n, sel, &hits, NULL);
        pass_totals_add(&t, mean_loss, hits, b->n);
    }
    pass_totals_mean(&t, loss, acc);
}

void arch_params_init(ArchParams *a, uint64_t seed) {
    Rng rng;
    rng_seed(&rng, seed, STREAM_ALPHA_INIT);
    memset(a, 0, sizeof *a);
    for (int i = 0; i < ARCH_N_EDGES * ARCH_N_OPS; i++) a->alpha[i] = (float)(1e-3 * rng_normal(&rng));
}

void arch_params_step(ArchParams *a, const SearchConfig *c) {
    AdamConfig adam = {.lr = c->arch_lr, .beta1 = c->arch_beta1, .beta2 = c->arch_beta2, .eps = c->arch_eps,
                       .weight_decay = c->arch_weight_decay};
    a->t++;
    adam_step(a->alpha, a->m, a->v, a->grad, ARCH_N_EDGES * ARCH_N_OPS, adam, (int)a->t);
}

void arch_params_derive(const ArchParams *a, Arch *arch, float probs[ARCH_N_EDGES * ARCH_N_OPS]) {
    for (int e = 0; e < ARCH_N_EDGES; e++) {
        const float *row = a->alpha + e * ARCH_N_OPS;
        int best = 0;
        for (int k = 1; k < ARCH_N_OPS; k++)
            if (row[k] > row[best]) best = k; /* strict: ties keep the lowest index */
        arch->op[e] = (uint8_t)best;
    }
    softmax_forward(probs, a->alpha, ARCH_N_EDGES, ARCH_N_OPS);
}

static void entry_name(char *out, size_t n, const char *prefix, const char *what) { snprintf(out, n, "%s.%s", prefix, what); }

void arch_params_save(const ArchParams *a, CkptWriter *w, const char *prefix) {
    const int dims[2] = {ARCH_N_EDGES, ARCH_N_OPS};
    char name[128];
    entry_name(name, sizeof name, prefix, "alpha"), ckpt_put_f32(w, name, 2, dims, a->alpha);
    entry_name(name, sizeof name, prefix, "adam_m"), ckpt_put_f32(w, name, 2, dims, a->m);
    entry_name(name, sizeof name, prefix, "adam_v"), ckpt_put_f32(w, name, 2, dims, a->v);
    entry_name(name, sizeof name, prefix, "adam_t"), ckpt_put_u64(w, name, 1, &a->t);
}

void arch_params_load(ArchParams *a, const Checkpoint *ck, const char *prefix) {
    const int dims[2] = {ARCH_N_EDGES, ARCH_N_OPS};
    char name[128];
    memset(a->grad, 0, sizeof a->grad);
    entry_name(name, sizeof name, prefix, "alpha"), ckpt_get_f32(ck, name, 2, dims, a->alpha);
    entry_name(name, sizeof name, prefix, "adam_m"), ckpt_get_f32(ck, name, 2, dims, a->m);
    entry_name(name, sizeof name, prefix, "adam_v"), ckpt_get_f32(ck, name, 2, dims, a->v);
    entry_name(name, sizeof name, prefix, "adam_t"), ckpt_get_u64(ck, name, 1, &a->t);
}

void rng_save(const Rng *r, CkptWriter *w, const char *name) { ckpt_put_u64(w, name, 4, r->s); }
void rng_load(Rng *r, const Checkpoint *ck, const char *name) { ckpt_get_u64(ck, name, 4, r->s); }
