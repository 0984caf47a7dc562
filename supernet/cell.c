/*
 * cell.c: one search cell, forward and backward, on the DARTS path (every op of every edge) or the
 * selected path (one op per edge: GDAS, discrete). REFERENCE.md 1.2, 1.3, 1.7.
 *
 * A node's value is one fused pass over its terms (kernels/node_pass.h): skip terms, the convolutions'
 * outputs batch-normalised inside the pass from their statistics, and pooling computed inside the pass
 * from the pooled node. Its gradient is one pass too, once every edge leaving it is done: skip terms,
 * transposed pooling, and the conv terms behind the ReLU, whose gate is the node. The ReLU in front of
 * a node's convs is computed once per node. A node that is a single skip with weight 1 is its source
 * (no copy); a node whose edges are all `none` is the stage's zero tensor.
 */
#include <string.h>

#include "common.h"
#include "elementwise.h"
#include "internal.h"
#include "node_pass.h"

static Shape4 stage_shape(const Supernet *net, int stage, int batch) {
    int hw = net->stage_size[stage];
    return (Shape4){.n = batch, .c = net->stage_channels[stage], .h = hw, .w = hw};
}

static int conv_slot(int op) { return op == OP_CONV3; }

/* Weight of op k on edge e in the node sum. */
static float edge_weight(const Selection *sel, int e, int op) { return sel->has_w ? sel->w[e][op] : 1.0f; }

/* ---------------------------------------------------------------------------------------------
 * Forward */

typedef struct {
    Supernet *net;
    const PlanSet *ps;
    int stage, batch, train;
    const CellParams *cp;
    CellActs *a;
    size_t n; /* floats in one activation */
} CellRun;

/* Computes node j's ReLU, once for every convolution that reads it: in bf16 for a bf16 network. */
static void node_relu(CellRun *r, int j) {
    CellActs *a = r->a;
    if (a->have_relu[j]) return;
    if (r->net->cfg.bf16) relu_forward_bf16(a->relu_bf16[j], a->x[j], r->n);
    else relu_forward(a->relu[j], a->x[j], r->n);
    a->have_relu[j] = 1;
}

/* The terms of a node's value: `plain` enter the sum as they are (or batch-normalised), `pooled` are
 * pooled inside it. */
typedef struct {
    TermList plain, pooled;
} NodeTerms;

/* ReLU -> conv -> BN of edge e on node j (slot 0 the 1x1, slot 1 the 3x3), added with weight w: the conv
 * runs here, its BN inside the node sum, with the batch's statistics (or the running ones in
 * evaluation when the cell BNs keep them), and its affine parameters when it has them. */
static void add_conv_op(CellRun *r, int e, int j, int slot, float w, NodeTerms *to) {
    CellActs *a = r->a;
    const BnParams *bp = &r->cp->bn[e][slot];
    float *out = a->conv[e][slot];
    ConvPlan *conv = r->ps->stage[r->stage].conv[slot];
    observe_relu(r->net, a->x[j], stage_shape(r->net, r->stage, r->batch));
    node_relu(r, j);
    if (r->net->cfg.bf16) conv_forward_bf16(conv, out, a->relu_bf16[j], r->cp->conv[e][slot]);
    else conv_forward(conv, out, a->relu[j], r->cp->conv[e][slot]);
    if (bp->mean && !bn_uses_batch_stats(r->net, r->train)) {
        if (r->train) bn_layer_keep_running(a->mean[e][slot], a->var[e][slot], bp, r->net->stage_channels[r->stage]);
        terms_add_bn(&to->plain, out, w, bp->mean, bp->var, bp->gamma, bp->beta);
        return;
    }
    Shape4 s = stage_shape(r->net, r->stage, r->batch);
    size_t count = bn_layer_stats(r->net, r->ps->stage[r->stage].bn, a->mean[e][slot], a->var[e][slot], out, s);
    terms_add_bn(&to->plain, out, w, a->mean[e][slot], a->var[e][slot], bp->gamma, bp->beta);
    if (r->train && bp->mean)
        bn_update_running(bp->mean, bp->var, a->mean[e][slot], a->var[e][slot], s.c, count, r->net->bn_momentum);
}

/* Adds op's term of edge e (from node j) with weight w, running the op if it is a convolution. */
static void add_op(CellRun *r, int e, int j, int op, float w, NodeTerms *to) {
    switch (op) {
    case OP_SKIP: terms_add(&to->plain, r->a->x[j], w); break;
    case OP_POOL: terms_add(&to->pooled, r->a->x[j], w); break;
    case OP_CONV1:
    case OP_CONV3: add_conv_op(r, e, j, conv_slot(op), w, to); break;
    default: SN_ASSERT(0, "op %d has no output", op);
    }
}

static int is_zero_node(const CellRun *r, int j) { return r->a->x[j] == r->net->zero[r->stage]; }

/* A convolution of edge e on an all-`none` node j adds nothing, but the ReLU observer sees its zeros. */
static void observe_zero_node(CellRun *r, const Selection *sel, int e, int j) {
    for (int op = OP_CONV1; op <= OP_CONV3; op++)
        if (sel->darts || sel->ops[e] == op) observe_relu(r->net, r->a->x[j], stage_shape(r->net, r->stage, r->batch));
}

static void edge_forward(CellRun *r, const Selection *sel, int e, int j, NodeTerms *to) {
    if (is_zero_node(r, j)) {
        observe_zero_node(r, sel, e, j);
        return;
    }
    if (sel->darts) {
        for (int op = OP_SKIP; op < ARCH_N_OPS; op++) add_op(r, e, j, op, sel->w[e][op], to);
        return;
    }
    int op = sel->ops[e];
    if (op != OP_NONE) add_op(r, e, j, op, edge_weight(sel, e, op), to);
}

/* GDAS's scalar terms: the weights of the edges' unselected ops, each added as a constant. They are 0
 * in value (a hard one-hot), but are added whenever they are not, so the forward matches the gradient. */
static float scalar_terms(const Selection *sel, int i) {
    float c = 0.0f;
    if (sel->darts || !sel->has_w) return c;
    for (int e = i * (i - 1) / 2; e < i * (i + 1) / 2; e++)
        for (int op = 0; op < ARCH_N_OPS; op++)
            if (op != sel->ops[e]) c += sel->w[e][op];
    return c;
}

static const float *node_value(CellRun *r, const NodeTerms *t, float constant, float *buffer) {
    int terms = t->plain.k + t->pooled.k;
    if (constant == 0.0f && terms == 0) return r->net->zero[r->stage];
    if (constant == 0.0f && terms == 1 && t->plain.k == 1 && t->plain.w[0] == 1.0f && !t->plain.mean[0])
        return t->plain.x[0];
    if (terms == 0) {
        vec_fill(buffer, constant, r->n);
        return buffer;
    }
    node_sum(buffer, &t->plain, &t->pooled, stage_shape(r->net, r->stage, r->batch));
    if (constant != 0.0f) vec_add_scalar(buffer, constant, r->n);
    return buffer;
}

/* Whether node i's value can reach the cell output: on the selected path, a node whose outgoing edges
 * are all `none` (or lead only to such nodes) is not needed. Its ops still run when the supernet's cell
 * BNs keep running statistics, which every op's forward updates (a one-cell network never uses the
 * statistics of an op that does not reach its output), and for a ReLU observer. */
static int node_needed(const CellRun *r, const Selection *sel, int i) {
    const SupernetConfig *cfg = &r->net->cfg;
    if (i == 3 || sel->darts || (cfg->track_running_stats && !cfg->single_cell) || r->net->relu_fn) return 1;
    for (int k = i + 1; k < 4; k++)
        if (sel->ops[k * (k - 1) / 2 + i] != OP_NONE && node_needed(r, sel, k)) return 1;
    return 0;
}

const float *cell_forward(Supernet *net, const PlanSet *ps, int stage, const CellParams *cp, CellActs *a,
                          const float *x0, float *out_buffer, const Selection *sel, int batch, int train) {
    CellRun r = {.net = net, .ps = ps, .stage = stage, .batch = batch, .train = train, .cp = cp, .a = a,
                 .n = shape_padded_size(stage_shape(net, stage, batch))};
    memset(a->have_relu, 0, sizeof a->have_relu);
    a->x[0] = x0;
    for (int i = 1; i < 4; i++) {
        if (!node_needed(&r, sel, i)) {
            a->x[i] = net->zero[stage]; /* never read: as zero, no edge leaving it runs */
            continue;
        }
        NodeTerms terms = {{.k = 0}, {.k = 0}};
        for (int j = 0, first = i * (i - 1) / 2; j < i; j++) edge_forward(&r, sel, first + j, j, &terms);
        a->x[i] = node_value(&r, &terms, scalar_terms(sel, i), i == 3 && out_buffer ? out_buffer : a->node[i - 1]);
    }
    if (out_buffer && a->x[3] != out_buffer) memcpy(out_buffer, a->x[3], r.n * sizeof(float));
    return out_buffer ? out_buffer : a->x[3];
}

/* ---------------------------------------------------------------------------------------------
 * Backward */

/* GDAS's scalar terms are summed into every node: their dL/dW is the sum of the node's gradient. */
static int has_scalar_terms(const Selection *sel) { return sel->has_w && !sel->darts; }

/* Every unselected op of the edges entering node i gets dL/dW = dy_sum, the sum of node i's gradient.
 * (The selected ops' come from BN backward for convolutions and from the node gradient passes for skip
 * and pooling.) */
static void scalar_term_grads(CellRun *r, const Selection *sel, int i, double sum) {
    for (int e = i * (i - 1) / 2; e < i * (i + 1) / 2; e++)
        for (int op = 0; op < ARCH_N_OPS; op++)
            if (op != sel->ops[e]) r->net->d_edge[e][op] += sum;
}

/* Backward of ReLU -> conv -> BN of edge e (from node j) whose output entered the sum with weight w:
 * the conv's weight gradient, in drelu the gradient at the ReLU's output, the BN's affine gradients when
 * it has them, and (with edge weights, which only the supernet's BNs without affine take)
 * dL/dW[e][op] = sum(dy * BN output) = sum over channels of the BN's d gamma. */
static void conv_op_backward(CellRun *r, const Selection *sel, int e, int j, int op, const float *dy, float w,
                             float *drelu) {
    CellActs *a = r->a;
    Supernet *net = r->net;
    int slot = conv_slot(op);
    ConvPlan *conv = r->ps->stage[r->stage].conv[slot];
    float *dconv = net->grad.dconv[r->stage], *dweight = grad_of(net, r->cp->conv[e][slot]);
    const BnParams *bp = &r->cp->bn[e][slot];
    const float *gamma = bp->gamma ? bp->gamma : net->bn_gamma, *beta = bp->beta ? bp->beta : net->bn_beta;
    float *dgamma = bp->gamma ? grad_of(net, bp->gamma) : net->bn_dgamma;
    float *dbeta = bp->beta ? grad_of(net, bp->beta) : net->bn_dbeta;
    /* BN backward is linear in dy, so w scales its results instead of a copy of dy */
    bn_layer_backward(net, r->ps->stage[r->stage].bn, dconv, dgamma, dbeta, dy, a->conv[e][slot], a->mean[e][slot],
                      a->var[e][slot], gamma, beta, stage_shape(net, r->stage, r->batch));
    if (sel->has_w) {
        double sum = 0;
        for (int c = 0; c < net->stage_channels[r->stage]; c++) sum += net->bn_dgamma[c];
        net->d_edge[e][op] += sum;
    }
    if (net->cfg.bf16) {
        conv_backward_bf16(conv, drelu, dweight, a->relu_bf16[j], dconv, r->cp->conv[e][slot]);
    } else {
        conv_backward_weights(conv, dweight, a->relu[j], dconv);
        conv_backward_data(conv, drelu, dconv, r->cp->conv[e][slot]);
    }
    if (w != 1.0f) vec_scale(dweight, w, conv_weight_floats(conv));
}

static int uses_op(const Selection *sel, int e, int op) { return sel->darts || sel->ops[e] == op; }

/* Whether edge e (from node j) computed op in the forward pass. */
static int ran_op(const CellRun *r, const Selection *sel, int e, int j, int op) {
    return uses_op(sel, e, op) && !is_zero_node(r, j);
}

/* Whether the gradient flows back through op (skip or pooling) of edge e into node j. A zero node's
 * value is 0, but with scalar terms its gradient is not: skip and pooling pass it on (a conv's ReLU
 * at 0 does not), and its sum is dL/dW of the unselected ops of the edges entering it, as in PyTorch. */
static int passes_grad(const CellRun *r, const Selection *sel, int e, int j, int op) {
    return ran_op(r, sel, e, j, op) || (uses_op(sel, e, op) && has_scalar_terms(sel));
}

/* The terms of a node's gradient, gathered from the edges leaving it and summed in one pass once the
 * last of them is known: `direct` reach the node as they are (skip), `pooled` through the transposed
 * pooling, `gated` through the ReLU. Each direct and pooled term's sum with the node's value is dL/dW of
 * its edge and op (target_edge / target_op, direct terms first). */
typedef struct {
    TermList direct, pooled, gated;
    int target_edge[2 * SN_TERMS_MAX], target_op[2 * SN_TERMS_MAX];
} NodeGrad;

/* Runs the backward of the ops of edge e (from node j) and adds their terms to node j's gradient. */
static void edge_backward(CellRun *r, const Selection *sel, int e, int j, const float *dy, NodeGrad *to) {
    if (passes_grad(r, sel, e, j, OP_SKIP)) {
        to->target_edge[to->direct.k] = e, to->target_op[to->direct.k] = OP_SKIP;
        terms_add(&to->direct, dy, edge_weight(sel, e, OP_SKIP));
    }
    if (passes_grad(r, sel, e, j, OP_POOL)) {
        to->target_edge[SN_TERMS_MAX + to->pooled.k] = e, to->target_op[SN_TERMS_MAX + to->pooled.k] = OP_POOL;
        terms_add(&to->pooled, dy, edge_weight(sel, e, OP_POOL));
    }
    for (int op = OP_CONV1; op <= OP_CONV3; op++)
        if (ran_op(r, sel, e, j, op)) {
            float w = edge_weight(sel, e, op), *drelu = r->net->grad.drelu[r->stage][e][conv_slot(op)];
            conv_op_backward(r, sel, e, j, op, dy, w, drelu);
            terms_add(&to->gated, drelu, w);
        }
}

/* Node j's gradient: buffer, or (may_alias, no edge weights) the one term it is, or NULL when nothing
 * reached the node (its outgoing edges are all `none`). With edge weights, the pass also yields dL/dW of
 * the skip and pooling terms, and with scalar terms the gradient's sum (*sum). */
static const float *node_gradient(CellRun *r, const Selection *sel, int j, const NodeGrad *t, float *buffer,
                                  int may_alias, double *sum) {
    int nd = t->direct.k, np = t->pooled.k;
    if (nd + np + t->gated.k == 0) return NULL;
    if (may_alias && !sel->has_w && nd == 1 && np + t->gated.k == 0 && t->direct.w[0] == 1.0f) return t->direct.x[0];
    double dots[2 * SN_TERMS_MAX] = {0};
    node_grad(buffer, sel->has_w ? dots : NULL, has_scalar_terms(sel) ? sum : NULL, &t->direct, &t->pooled,
              r->a->x[j], &t->gated, stage_shape(r->net, r->stage, r->batch));
    for (int q = 0; sel->has_w && q < nd + np; q++) {
        int slot = q < nd ? q : SN_TERMS_MAX + q - nd;
        r->net->d_edge[t->target_edge[slot]][t->target_op[slot]] += dots[q];
    }
    return buffer;
}

static void node_backward(CellRun *r, const Selection *sel, int i, const float *dy, double dy_sum, NodeGrad *grads) {
    int first = i * (i - 1) / 2;
    if (has_scalar_terms(sel)) scalar_term_grads(r, sel, i, dy_sum);
    for (int e = first; e < first + i; e++) edge_backward(r, sel, e, e - first, dy, &grads[e - first]);
}

void cell_backward(Supernet *net, const PlanSet *ps, int stage, const CellParams *cp, CellActs *a, float *dx0,
                   const float *dx3, const Selection *sel, int batch) {
    CellRun r = {.net = net, .ps = ps, .stage = stage, .batch = batch, .train = 1, .cp = cp, .a = a,
                 .n = shape_padded_size(stage_shape(net, stage, batch))};
    NodeGrad grads[3] = {0};
    node_backward(&r, sel, 3, dx3, has_scalar_terms(sel) ? vec_sum(dx3, r.n) : 0.0, grads);
    for (int i = 2; i >= 1; i--) {
        double dy_sum = 0.0;
        const float *dy = node_gradient(&r, sel, i, &grads[i], net->grad.dnode[stage][i], 1, &dy_sum);
        if (dy) node_backward(&r, sel, i, dy, dy_sum, grads);
    }
    if (!node_gradient(&r, sel, 0, &grads[0], dx0, 0, NULL)) vec_fill(dx0, 0.0f, r.n);
}
