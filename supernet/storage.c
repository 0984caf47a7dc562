/* storage.c: every activation and scratch buffer of the network, carved from one allocation that is
 * sized by a counting pass over the same code (see supernet.h, "Memory"). A one-cell network gets
 * convolution buffers only on its cell's convolution edges. */
#include <string.h>

#include "common.h"
#include "internal.h"

typedef struct {
    char *base; /* NULL while counting */
    size_t used;
} Carver;

static void *carve_bytes(Carver *cv, size_t bytes) {
    void *p = cv->base ? cv->base + cv->used : NULL;
    cv->used += (bytes + 63) / 64 * 64;
    return p;
}

static float *carve(Carver *cv, size_t floats) { return carve_bytes(cv, floats * sizeof(float)); }

static size_t stage_floats(const Supernet *net, int stage, int batch) {
    int hw = net->stage_size[stage];
    return shape_padded_size((Shape4){.n = batch, .c = net->stage_channels[stage], .h = hw, .w = hw});
}

/* Whether edge e can run a convolution (cell_has_conv of either slot). */
static int edge_has_conv(const Supernet *net, int e) { return cell_has_conv(&net->cfg, e, 0) || cell_has_conv(&net->cfg, e, 1); }

/* Whether a convolution can read node i's ReLU. */
static int node_feeds_conv(const Supernet *net, int i) {
    for (int e = 0; e < ARCH_N_EDGES; e++)
        if (arch_edge_from(e) == i && edge_has_conv(net, e)) return 1;
    return 0;
}

static void carve_cell(Carver *cv, const Supernet *net, CellActs *a, int stage, int batch) {
    size_t t = stage_floats(net, stage, batch);
    int c = net->stage_channels[stage], ops = net->cfg.darts ? 2 : 1;
    memset(a, 0, sizeof *a);
    for (int i = 0; i < 3; i++) {
        a->node[i] = carve(cv, t);
        if (!node_feeds_conv(net, i)) continue;
        if (net->cfg.bf16) a->relu_bf16[i] = carve_bytes(cv, t * sizeof(bfloat16));
        else a->relu[i] = carve(cv, t);
    }
    for (int e = 0; e < ARCH_N_EDGES; e++)
        for (int k = 0; k < 2 && edge_has_conv(net, e); k++) {
            int fresh = k < ops; /* without DARTS an edge computes one op: both slots share buffers */
            a->conv[e][k] = fresh ? carve(cv, t) : a->conv[e][0];
            a->mean[e][k] = fresh ? carve(cv, (size_t)c) : a->mean[e][0];
            a->var[e][k] = fresh ? carve(cv, (size_t)c) : a->var[e][0];
        }
}

static void carve_reduce(Carver *cv, const Supernet *net, ReduceActs *a, int r, int batch) {
    size_t in = stage_floats(net, r, batch), out = stage_floats(net, r + 1, batch);
    int c = net->stage_channels[r + 1];
    a->relu_in = carve(cv, in);
    a->a = carve(cv, out), a->a_bn = carve(cv, out), a->relu_a = carve(cv, out);
    a->b = carve(cv, out), a->b_bn = carve(cv, out);
    a->pooled = carve(cv, in / 4), a->shortcut = carve(cv, out), a->out = carve(cv, out);
    a->mean_a = carve(cv, (size_t)c), a->var_a = carve(cv, (size_t)c);
    a->mean_b = carve(cv, (size_t)c), a->var_b = carve(cv, (size_t)c);
}

static void carve_acts(Carver *cv, const Supernet *net, ActStore *st, int batch, int cells_per_stage) {
    int last = N_STAGES - 1, c0 = net->stage_channels[0], cl = net->stage_channels[last];
    for (int s = 0; s < N_STAGES; s++)
        for (int i = 0; i < cells_per_stage; i++) carve_cell(cv, net, &st->cells[s * cells_per_stage + i], s, batch);
    if (cells_per_stage == 1)
        for (int s = 0; s < N_STAGES; s++)
            st->cell_out[s][0] = carve(cv, stage_floats(net, s, batch)), st->cell_out[s][1] = carve(cv, stage_floats(net, s, batch));
    for (int r = 0; r < N_REDUCE; r++) carve_reduce(cv, net, &st->reduce[r], r, batch);
    st->stem.conv = carve(cv, stage_floats(net, 0, batch));
    st->stem.out = carve(cv, stage_floats(net, 0, batch));
    st->stem.mean = carve(cv, (size_t)c0), st->stem.var = carve(cv, (size_t)c0);
    st->head.bn = carve(cv, stage_floats(net, last, batch));
    st->head.relu = carve(cv, stage_floats(net, last, batch));
    st->head.pooled = carve(cv, (size_t)batch * cl);
    st->head.logits = carve(cv, (size_t)batch * net->cfg.classes);
    st->head.mean = carve(cv, (size_t)cl), st->head.var = carve(cv, (size_t)cl);
}

static void carve_grads(Carver *cv, const Supernet *net, GradStore *g, int batch) {
    int last = N_STAGES - 1;
    for (int s = 0; s < N_STAGES; s++) {
        size_t t = stage_floats(net, s, batch);
        for (int i = 0; i < 4; i++) g->dnode[s][i] = carve(cv, t);
        g->dconv[s] = carve(cv, t);
        for (int e = 0; e < ARCH_N_EDGES; e++) {
            g->drelu[s][e][0] = carve(cv, t); /* also the reduction blocks' scratch (network.c) */
            g->drelu[s][e][1] = net->cfg.darts ? carve(cv, t) : g->drelu[s][e][0];
        }
    }
    for (int r = 0; r < N_REDUCE; r++)
        for (int i = 0; i < 3; i++) g->dreduce[r][i] = carve(cv, stage_floats(net, r + 1, batch));
    g->dhead_relu = carve(cv, stage_floats(net, last, batch));
    g->dhead_bn = carve(cv, stage_floats(net, last, batch));
    g->dpooled = carve(cv, (size_t)batch * net->stage_channels[last]);
    g->dlogits = carve(cv, (size_t)batch * net->cfg.classes);
}

static void carve_all(Carver *cv, Supernet *net) {
    const SupernetConfig *cfg = &net->cfg;
    int widest = cfg->max_batch > cfg->max_eval_batch ? cfg->max_batch : cfg->max_eval_batch;
    carve_acts(cv, net, &net->train, cfg->max_batch, cfg->cells);
    carve_acts(cv, net, &net->eval, cfg->max_eval_batch, 1);
    carve_grads(cv, net, &net->grad, cfg->max_batch);
    for (int s = 0; s < N_STAGES; s++) net->zero[s] = carve(cv, stage_floats(net, s, widest));
    size_t widest_c = (size_t)net->stage_channels[N_STAGES - 1];
    net->bn_gamma = carve(cv, widest_c), net->bn_beta = carve(cv, widest_c);
    net->bn_dgamma = carve(cv, widest_c), net->bn_dbeta = carve(cv, widest_c);
}

void storage_build(Supernet *net) {
    net->train.cells_per_stage = net->cfg.cells;
    net->train.cells = sn_alloc(sizeof(CellActs) * N_STAGES * (size_t)net->cfg.cells);
    net->eval.cells_per_stage = 1;
    net->eval.cells = sn_alloc(sizeof(CellActs) * N_STAGES);
    Carver cv = {NULL, 0};
    carve_all(&cv, net);
    net->memory = sn_alloc(cv.used); /* zero-filled: the zero tensors stay zero, nothing writes them */
    cv = (Carver){net->memory, 0};
    carve_all(&cv, net);
    for (int c = 0; c < net->stage_channels[N_STAGES - 1]; c++) net->bn_gamma[c] = 1.0f;
}
