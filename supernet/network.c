/* network.c: the whole supernet: creation, the stem, the reduction blocks, the head, and the
 * public forward, backward and evaluation passes (see supernet.h). */
#include <string.h>

#include "common.h"
#include "elementwise.h"
#include "gap.h"
#include "internal.h"
#include "linear.h"
#include "node_pass.h"
#include "xent.h"

#define BN_DEFAULT_MOMENTUM 0.1f /* PyTorch's */

static void check_config(const SupernetConfig *c) {
    if (c->channels < 16 || c->channels % 16)
        sn_die(SN_EXIT_USAGE, "supernet channels must be a positive multiple of 16 (oneDNN's fast layout), got %d", c->channels);
    if (c->cells < 1) sn_die(SN_EXIT_USAGE, "supernet cells per stage must be at least 1, got %d", c->cells);
    if (c->classes < 2) sn_die(SN_EXIT_USAGE, "a classifier needs at least 2 classes, got %d", c->classes);
    if (c->in_channels < 1 || c->in_channels > 4) sn_die(SN_EXIT_USAGE, "input channels must be 1..4, got %d", c->in_channels);
    if (c->image_size < 4 || c->image_size % 4)
        sn_die(SN_EXIT_USAGE, "image size must be a positive multiple of 4, got %d", c->image_size);
    if (c->single_cell && c->darts) sn_die(SN_EXIT_USAGE, "a one-cell network has no DARTS path");
    for (int e = 0; c->single_cell && e < ARCH_N_EDGES; e++)
        if (c->cell.op[e] >= ARCH_N_OPS) sn_die(SN_EXIT_USAGE, "op %d on edge %d of the cell", c->cell.op[e], e);
    if (c->max_batch < 1 || c->max_eval_batch < 1)
        sn_die(SN_EXIT_USAGE, "batch sizes must be at least 1, got %d and %d", c->max_batch, c->max_eval_batch);
}

int supernet_precision_is_bf16(const char *precision) {
    return strcmp(precision, "bf16") == 0 ? 1 : strcmp(precision, "fp32") == 0 ? 0 : -1;
}

const char *supernet_precision_unavailable(const char *precision) {
    if (supernet_precision_is_bf16(precision) == 1 && !conv_bf16_supported())
        return "precision = bf16 needs a CPU with AVX-512 BF16 or AMX for oneDNN's bf16 convolutions, and this one has neither";
    return NULL;
}

static void set_shape(Supernet *net, const SupernetConfig *cfg) {
    check_config(cfg);
    net->cfg = *cfg;
    for (int s = 0; s < N_STAGES; s++) net->stage_channels[s] = cfg->channels << s, net->stage_size[s] = cfg->image_size >> s;
}

size_t supernet_count_weights(const SupernetConfig *cfg) {
    Supernet shape = {0};
    set_shape(&shape, cfg);
    return params_count(&shape);
}

Supernet *supernet_create(const SupernetConfig *cfg) {
    Supernet *net = sn_alloc(sizeof *net);
    set_shape(net, cfg);
    net->bn_momentum = BN_DEFAULT_MOMENTUM;
    params_build(net);
    params_init(net);
    storage_build(net);
    return net;
}

void supernet_free(Supernet *net) {
    if (!net) return;
    plans_free(net);
    sn_free(net->weights), sn_free(net->grads), sn_free(net->stats), sn_free(net->cells), sn_free(net->tensors);
    sn_free(net->train.cells), sn_free(net->eval.cells), sn_free(net->memory), sn_free(net->bn_sums);
    sn_free(net);
}

const SupernetConfig *supernet_config(const Supernet *net) { return &net->cfg; }

int supernet_reset_for_cell(Supernet *net, const Arch *cell) {
    SN_ASSERT(net->cfg.single_cell, "supernet_reset_for_cell on a supernet");
    SupernetConfig next = net->cfg;
    next.cell = *cell;
    for (int e = 0; e < ARCH_N_EDGES; e++)
        for (int k = 0; k < 2; k++)
            if (cell_has_conv(&next, e, k) != cell_has_conv(&net->cfg, e, k)) return -1;
    net->cfg = next;
    net->eval_batch_stats = 0, net->bn_frozen = 0, net->bn_momentum = BN_DEFAULT_MOMENTUM;
    net->relu_fn = NULL, net->relu_ctx = NULL, net->have_forward = 0;
    params_init(net);
    return 0;
}
size_t supernet_num_weights(const Supernet *net) { return net->num_weights; }
size_t supernet_weights_floats(const Supernet *net) { return net->weights_floats; }
float *supernet_weights(Supernet *net) { return net->weights; }
float *supernet_grads(Supernet *net) { return net->grads; }
const float *supernet_logits(const Supernet *net) { return net->logits; }

static Shape4 stage_shape(const Supernet *net, int stage, int batch) {
    int hw = net->stage_size[stage];
    return (Shape4){.n = batch, .c = net->stage_channels[stage], .h = hw, .w = hw};
}

/* ---------------------------------------------------------------------------------------------
 * Stem, reduction blocks, head: always-affine BNs with running statistics (REFERENCE 1.5) */

void supernet_set_eval_batch_stats(Supernet *net, int on) { net->eval_batch_stats = on; }

void supernet_set_relu_observer(Supernet *net, SupernetReluFn fn, void *ctx) { net->relu_fn = fn, net->relu_ctx = ctx; }

static void bn_layer_forward(const Supernet *net, BnPlan *plan, float *out, float *mean, float *var, const float *in,
                             const BnParams *p, Shape4 s, int train) {
    if (!bn_uses_batch_stats(net, train)) {
        if (train) bn_layer_keep_running(mean, var, p, s.c);
        bn_forward_eval(plan, out, in, p->mean, p->var, p->gamma, p->beta);
        return;
    }
    size_t count = (size_t)s.n * s.h * s.w;
    if (net->bn_sum) { /* the whole shared batch's statistics, applied as given ones */
        count = bn_layer_stats(net, plan, mean, var, in, s);
        bn_forward_eval(plan, out, in, mean, var, p->gamma, p->beta);
    } else
        bn_forward_train(plan, out, mean, var, in, p->gamma, p->beta);
    if (train) bn_update_running(p->mean, p->var, mean, var, s.c, count, net->bn_momentum);
}

static const float *stem_forward(Supernet *net, const PlanSet *ps, StemActs *a, const float *images, int batch, int train) {
    conv_forward(ps->stem, a->conv, images, net->stem_conv);
    bn_layer_forward(net, ps->stem_bn, a->out, a->mean, a->var, a->conv, &net->stem_bn, stage_shape(net, 0, batch),
                     train);
    return a->out;
}

static const float *reduce_forward(Supernet *net, const PlanSet *ps, int r, ReduceActs *a, const float *x, int batch,
                                   int train) {
    const ReduceParams *p = &net->reduce[r];
    Shape4 in = stage_shape(net, r, batch), out = stage_shape(net, r + 1, batch);
    size_t n_out = shape_padded_size(out);
    observe_relu(net, x, in);
    relu_forward(a->relu_in, x, shape_padded_size(in));
    conv_forward(ps->reduce[r].conv_a, a->a, a->relu_in, p->conv_a);
    bn_layer_forward(net, ps->reduce[r].bn, a->a_bn, a->mean_a, a->var_a, a->a, &p->bn_a, out, train);
    observe_relu(net, a->a_bn, out);
    relu_forward(a->relu_a, a->a_bn, n_out);
    conv_forward(ps->reduce[r].conv_b, a->b, a->relu_a, p->conv_b);
    bn_layer_forward(net, ps->reduce[r].bn, a->b_bn, a->mean_b, a->var_b, a->b, &p->bn_b, out, train);
    pool_forward(ps->reduce[r].pool, a->pooled, x);
    conv_forward(ps->reduce[r].shortcut, a->shortcut, a->pooled, p->shortcut);
    vec_add(a->out, a->shortcut, a->b_bn, n_out);
    return a->out;
}

static double head_forward(Supernet *net, const PlanSet *ps, HeadActs *a, const float *x, const int32_t *labels,
                           int batch, int train, int *correct) {
    Shape4 s = stage_shape(net, N_STAGES - 1, batch);
    bn_layer_forward(net, ps->head_bn, a->bn, a->mean, a->var, x, &net->head_bn, s, train);
    observe_relu(net, a->bn, s);
    relu_forward(a->relu, a->bn, shape_padded_size(s));
    gap_forward(a->pooled, a->relu, s);
    linear_forward(a->logits, a->pooled, net->fc_w, net->fc_b, batch, s.c, net->cfg.classes);
    net->logits = a->logits;
    float *dlogits = NULL;
    if (train) {
        dlogits = net->grad.dlogits;
        vec_fill(dlogits, 0.0f, (size_t)batch * net->cfg.classes);
    }
    int hits = 0;
    double loss = xent_forward_backward(dlogits, &hits, a->logits, (const int *)labels, batch, net->cfg.classes);
    if (train && net->global_batch && net->global_batch != batch)
        vec_scale(dlogits, (float)batch / (float)net->global_batch, (size_t)batch * net->cfg.classes);
    if (correct) *correct = hits;
    return loss;
}

/* ---------------------------------------------------------------------------------------------
 * Forward passes */

static Selection make_selection(const Supernet *net, NetSelection ns, int train) {
    Selection s;
    memset(&s, 0, sizeof s);
    s.darts = ns.arch == NULL;
    SN_ASSERT(!s.darts || ns.edge_weights, "the DARTS path needs edge weights");
    SN_ASSERT(!(s.darts && train) || net->cfg.darts, "DARTS training on a network created without darts storage");
    for (int e = 0; e < ARCH_N_EDGES && !s.darts; e++) {
        SN_ASSERT(ns.arch->op[e] < ARCH_N_OPS, "op %d on edge %d", ns.arch->op[e], e);
        s.ops[e] = ns.arch->op[e];
    }
    if (ns.edge_weights) s.has_w = 1, memcpy(s.w, ns.edge_weights, sizeof s.w);
    SN_ASSERT(!net->cfg.single_cell || (!s.darts && !s.has_w && memcmp(s.ops, net->cfg.cell.op, sizeof s.ops) == 0),
              "a one-cell network runs its own cell, on the discrete path");
    return s;
}

static double run_forward(Supernet *net, ActStore *st, const float *images, const int32_t *labels, int batch,
                          const Selection *sel, int train, int *correct) {
    int cap = train ? net->cfg.max_batch : net->cfg.max_eval_batch;
    SN_ASSERT(batch >= 1 && batch <= cap, "batch %d outside 1..%d", batch, cap);
    const PlanSet *ps = plans_for_batch(net, batch);
    const float *x = stem_forward(net, ps, &st->stem, images, batch, train);
    for (int stage = 0; stage < N_STAGES; stage++) {
        if (stage > 0) x = reduce_forward(net, ps, stage - 1, &st->reduce[stage - 1], x, batch, train);
        for (int c = 0; c < net->cfg.cells; c++) {
            int index = stage * net->cfg.cells + c;
            CellActs *a = &st->cells[train ? index : stage];
            float *out = train ? NULL : st->cell_out[stage][c % 2];
            x = cell_forward(net, ps, stage, &net->cells[index], a, x, out, sel, batch, train);
        }
        net->stage_out[stage] = x;
    }
    return head_forward(net, ps, &st->head, x, labels, batch, train, correct);
}

double supernet_forward(Supernet *net, const float *images, const int32_t *labels, int batch, NetSelection sel,
                        int *correct) {
    net->train_sel = make_selection(net, sel, 1);
    double loss = run_forward(net, &net->train, images, labels, batch, &net->train_sel, 1, correct);
    net->train_batch = batch;
    net->train_images = images;
    net->have_forward = 1;
    return loss;
}

double supernet_evaluate(Supernet *net, const float *images, const int32_t *labels, int batch, NetSelection sel,
                         int *correct, float *logits) {
    Selection s = make_selection(net, sel, 0);
    net->have_forward = 0; /* evaluation reuses buffers a training backward would need */
    double loss = run_forward(net, &net->eval, images, labels, batch, &s, 0, correct);
    if (logits) memcpy(logits, net->logits, sizeof(float) * (size_t)batch * net->cfg.classes);
    return loss;
}

/* ---------------------------------------------------------------------------------------------
 * Backward */

/* dx = direct (unless NULL) + [gate > 0] * gated: the gradient through a ReLU whose input is gate. */
static void relu_gradient(float *dx, const float *direct, const float *gate, const float *gated, Shape4 s) {
    TermList d = {.k = 0}, none = {.k = 0}, g = {.k = 0};
    if (direct) terms_add(&d, direct, 1.0f);
    terms_add(&g, gated, 1.0f);
    node_grad(dx, NULL, NULL, &d, &none, gate, &g, s);
}

static float *head_backward(Supernet *net, const PlanSet *ps, int batch) {
    HeadActs *a = &net->train.head;
    GradStore *g = &net->grad;
    Shape4 s = stage_shape(net, N_STAGES - 1, batch);
    int classes = net->cfg.classes;
    float *dx = g->dnode[N_STAGES - 1][3];
    vec_fill(g->dpooled, 0.0f, (size_t)batch * s.c);
    linear_backward(g->dpooled, grad_of(net, net->fc_w), grad_of(net, net->fc_b), g->dlogits, a->pooled, net->fc_w,
                    batch, s.c, classes);
    vec_fill(g->dhead_relu, 0.0f, shape_padded_size(s));
    gap_backward(g->dhead_relu, g->dpooled, s);
    relu_gradient(g->dhead_bn, NULL, a->bn, g->dhead_relu, s);
    bn_layer_backward(net, ps->head_bn, dx, grad_of(net, net->head_bn.gamma), grad_of(net, net->head_bn.beta),
                      g->dhead_bn, net->stage_out[N_STAGES - 1], a->mean, a->var, net->head_bn.gamma,
                      net->head_bn.beta, s);
    return dx;
}

/* From dy = dL/d(block output), the block's weight gradients and dL/d(block input) in dnode[r][3]. */
static float *reduce_backward(Supernet *net, const PlanSet *ps, int r, const float *dy, int batch) {
    const ReduceParams *p = &net->reduce[r];
    ReduceActs *a = &net->train.reduce[r];
    GradStore *g = &net->grad;
    float *t0 = g->dreduce[r][0], *t1 = g->dreduce[r][1], *t2 = g->dreduce[r][2];
    float *dx_pool = g->drelu[r][0][0], *drelu_in = g->drelu[r][1][0], *dx = g->dnode[r][3];
    const float *x = net->stage_out[r];
    /* shortcut: avg pool 2x2 -> conv 1x1 */
    conv_backward_weights(ps->reduce[r].shortcut, grad_of(net, p->shortcut), a->pooled, dy);
    conv_backward_data(ps->reduce[r].shortcut, t0, dy, p->shortcut);
    pool_backward(ps->reduce[r].pool, dx_pool, t0);
    /* main branch: ReLU -> conv_a -> BN -> ReLU -> conv_b -> BN */
    Shape4 out = stage_shape(net, r + 1, batch);
    bn_layer_backward(net, ps->reduce[r].bn, t1, grad_of(net, p->bn_b.gamma), grad_of(net, p->bn_b.beta), dy, a->b,
                      a->mean_b, a->var_b, p->bn_b.gamma, p->bn_b.beta, out);
    conv_backward_weights(ps->reduce[r].conv_b, grad_of(net, p->conv_b), a->relu_a, t1);
    conv_backward_data(ps->reduce[r].conv_b, t2, t1, p->conv_b);
    relu_gradient(t1, NULL, a->a_bn, t2, out);
    bn_layer_backward(net, ps->reduce[r].bn, t2, grad_of(net, p->bn_a.gamma), grad_of(net, p->bn_a.beta), t1, a->a,
                      a->mean_a, a->var_a, p->bn_a.gamma, p->bn_a.beta, out);
    conv_backward_weights(ps->reduce[r].conv_a, grad_of(net, p->conv_a), a->relu_in, t2);
    conv_backward_data(ps->reduce[r].conv_a, drelu_in, t2, p->conv_a);
    relu_gradient(dx, dx_pool, x, drelu_in, stage_shape(net, r, batch));
    return dx;
}

static void stem_backward(Supernet *net, const PlanSet *ps, const float *dy, float *d_images) {
    StemActs *a = &net->train.stem;
    float *dconv = net->grad.dconv[0];
    bn_layer_backward(net, ps->stem_bn, dconv, grad_of(net, net->stem_bn.gamma), grad_of(net, net->stem_bn.beta), dy,
                      a->conv, a->mean, a->var, net->stem_bn.gamma, net->stem_bn.beta,
                      stage_shape(net, 0, net->train_batch));
    conv_backward_weights(ps->stem, grad_of(net, net->stem_conv), net->train_images, dconv);
    if (d_images) conv_backward_data(ps->stem, d_images, dconv, net->stem_conv);
}

/* Runs the cells of one stage backwards; returns dL/d(stage input). */
static float *stage_backward(Supernet *net, const PlanSet *ps, int stage, float *dx) {
    int batch = net->train_batch;
    for (int c = net->cfg.cells - 1; c >= 0; c--) {
        int index = stage * net->cfg.cells + c;
        float *din = dx == net->grad.dnode[stage][3] ? net->grad.dnode[stage][0] : net->grad.dnode[stage][3];
        cell_backward(net, ps, stage, &net->cells[index], &net->train.cells[index], din, dx, &net->train_sel, batch);
        dx = din;
    }
    return dx;
}

void supernet_backward(Supernet *net, float *d_edge_weights) { supernet_backward_from(net, NULL, NULL, d_edge_weights); }

void supernet_backward_from(Supernet *net, const float *dlogits, float *d_images, float *d_edge_weights) {
    SN_ASSERT(net->have_forward, "supernet_backward without a training forward before it");
    const PlanSet *ps = plans_for_batch(net, net->train_batch);
    if (dlogits) memcpy(net->grad.dlogits, dlogits, sizeof(float) * (size_t)net->train_batch * net->cfg.classes);
    vec_fill(net->grads, 0.0f, net->weights_floats);
    memset(net->d_edge, 0, sizeof net->d_edge);
    float *dx = head_backward(net, ps, net->train_batch);
    for (int stage = N_STAGES - 1; stage >= 0; stage--) {
        dx = stage_backward(net, ps, stage, dx);
        if (stage > 0) dx = reduce_backward(net, ps, stage - 1, dx, net->train_batch);
    }
    stem_backward(net, ps, dx, d_images);
    if (d_edge_weights)
        for (int e = 0; e < ARCH_N_EDGES; e++)
            for (int k = 0; k < ARCH_N_OPS; k++) d_edge_weights[e * ARCH_N_OPS + k] = (float)net->d_edge[e][k];
}
