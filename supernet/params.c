/* params.c: the supernet's tensor table (names, shapes, where each lives), PyTorch's default
 * initialisation, and named access in PyTorch's layout (see supernet.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "internal.h"

/* Tensors are laid out twice: a counting pass that sizes the flat arrays, then the real one. The
 * counting pass needs no plans (ps NULL) when only the parameter count is asked for. */
typedef struct {
    Supernet *net;
    const PlanSet *ps;
    size_t weight_floats, stat_floats, weights;
    int tensors;
    int counting;
} Builder;

static float *add_tensor(Builder *b, TensorKind kind, ConvPlan *layout, InitKind init, double bound, int ndims,
                         const int *dims, const char *fmt, ...) {
    size_t count = 1;
    for (int d = 0; d < ndims; d++) count *= (size_t)dims[d];
    size_t storage = layout ? conv_weight_floats(layout) : count;
    if (kind == TENSOR_WEIGHT) b->weights += count;
    size_t *used = kind == TENSOR_WEIGHT ? &b->weight_floats : &b->stat_floats;
    float *p = NULL;
    b->tensors++;
    if (!b->counting) {
        Supernet *net = b->net;
        p = (kind == TENSOR_WEIGHT ? net->weights : net->stats) + *used;
        Tensor *t = &net->tensors[net->num_tensors++];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(t->info.name, sizeof t->info.name, fmt, ap);
        va_end(ap);
        t->info.kind = kind;
        t->info.ndims = ndims;
        memcpy(t->info.dims, dims, sizeof(int) * (size_t)ndims);
        t->info.count = count;
        t->data = p;
        t->layout = layout;
        t->init = init;
        t->bound = bound;
    }
    *used += (storage + 15) / 16 * 16; /* every tensor starts on a 64-byte line */
    return p;
}

static float *add_conv(Builder *b, ConvPlan *layout, int cout, int cin, int k, const char *name) {
    int dims[4] = {cout, cin, k, k};
    return add_tensor(b, TENSOR_WEIGHT, layout, INIT_UNIFORM, 1.0 / sqrt((double)cin * k * k), 4, dims, "%s.weight", name);
}

static BnParams add_bn(Builder *b, int c, int affine, int tracked, const char *name) {
    BnParams p = {0}; /* no affine parameters, no running statistics */
    if (affine) {
        p.gamma = add_tensor(b, TENSOR_WEIGHT, NULL, INIT_ONE, 0, 1, &c, "%s.weight", name);
        p.beta = add_tensor(b, TENSOR_WEIGHT, NULL, INIT_ZERO, 0, 1, &c, "%s.bias", name);
    }
    if (tracked) {
        p.mean = add_tensor(b, TENSOR_RUNNING_STAT, NULL, INIT_ZERO, 0, 1, &c, "%s.running_mean", name);
        p.var = add_tensor(b, TENSOR_RUNNING_STAT, NULL, INIT_ONE, 0, 1, &c, "%s.running_var", name);
    }
    return p;
}

/* The supernet's cell BNs have no affine parameters and keep running statistics when asked; a one-cell
 * network's are affine and keep them, as the benchmark trained them. */
static void add_cell(Builder *b, int stage, int index, CellParams *cp) {
    const SupernetConfig *cfg = &b->net->cfg;
    int c = b->net->stage_channels[stage], one = cfg->single_cell, track = cfg->track_running_stats || one;
    static const char *op_names[2] = {"conv1x1", "conv3x3"};
    memset(cp, 0, sizeof *cp);
    for (int e = 0; e < ARCH_N_EDGES; e++)
        for (int k = 0; k < 2; k++) {
            if (!cell_has_conv(cfg, e, k)) continue;
            char name[48];
            snprintf(name, sizeof name, "cells.%d.edges.%d.%s", index, e, op_names[k]);
            cp->conv[e][k] = add_conv(b, b->ps ? b->ps->stage[stage].conv[k] : NULL, c, c, k ? 3 : 1, name);
            snprintf(name, sizeof name, "cells.%d.edges.%d.%s_bn", index, e, op_names[k]);
            cp->bn[e][k] = add_bn(b, c, one, track, name);
        }
}

static void add_reduce(Builder *b, int r, ReduceParams *rp) {
    int c = b->net->stage_channels[r];
    const PlanSet *ps = b->ps;
    char name[32];
    ReduceParams p;
    snprintf(name, sizeof name, "reduce.%d.conv_a", r);
    p.conv_a = add_conv(b, ps ? ps->reduce[r].conv_a : NULL, 2 * c, c, 3, name);
    snprintf(name, sizeof name, "reduce.%d.bn_a", r);
    p.bn_a = add_bn(b, 2 * c, 1, 1, name);
    snprintf(name, sizeof name, "reduce.%d.conv_b", r);
    p.conv_b = add_conv(b, ps ? ps->reduce[r].conv_b : NULL, 2 * c, 2 * c, 3, name);
    snprintf(name, sizeof name, "reduce.%d.bn_b", r);
    p.bn_b = add_bn(b, 2 * c, 1, 1, name);
    snprintf(name, sizeof name, "reduce.%d.shortcut", r);
    p.shortcut = add_conv(b, ps ? ps->reduce[r].shortcut : NULL, 2 * c, c, 1, name);
    *rp = p;
}

static void lay_out(Builder *b) {
    Supernet *net = b->net;
    const SupernetConfig *cfg = &net->cfg;
    int c0 = net->stage_channels[0], c_last = net->stage_channels[N_STAGES - 1];
    net->stem_conv = add_conv(b, b->ps ? b->ps->stem : NULL, c0, cfg->in_channels, 3, "stem.conv");
    net->stem_bn = add_bn(b, c0, 1, 1, "stem.bn");
    for (int stage = 0, cell = 0; stage < N_STAGES; stage++) {
        if (stage > 0) add_reduce(b, stage - 1, &net->reduce[stage - 1]);
        for (int i = 0; i < cfg->cells; i++, cell++) add_cell(b, stage, cell, &net->cells[cell]);
    }
    net->head_bn = add_bn(b, c_last, 1, 1, "head.bn");
    int fc_dims[2] = {cfg->classes, c_last};
    double fc_bound = 1.0 / sqrt((double)c_last);
    net->fc_w = add_tensor(b, TENSOR_WEIGHT, NULL, INIT_UNIFORM, fc_bound, 2, fc_dims, "classifier.weight");
    net->fc_b = add_tensor(b, TENSOR_WEIGHT, NULL, INIT_UNIFORM, fc_bound, 1, &cfg->classes, "classifier.bias");
}

size_t params_count(Supernet *net) {
    Builder b = {.net = net, .counting = 1};
    net->cells = sn_alloc(sizeof(CellParams) * N_STAGES * (size_t)net->cfg.cells);
    lay_out(&b);
    sn_free(net->cells);
    net->cells = NULL;
    return b.weights;
}

void params_build(Supernet *net) {
    const PlanSet *ps = plans_for_batch(net, net->cfg.max_batch);
    Builder b = {.net = net, .ps = ps, .counting = 1};
    net->cells = sn_alloc(sizeof(CellParams) * N_STAGES * (size_t)net->cfg.cells);
    lay_out(&b);
    net->weights_floats = b.weight_floats;
    net->stats_floats = b.stat_floats;
    net->weights = sn_alloc(b.weight_floats * sizeof(float));
    net->grads = sn_alloc(b.weight_floats * sizeof(float));
    net->stats = sn_alloc((b.stat_floats ? b.stat_floats : 1) * sizeof(float));
    net->tensors = sn_alloc(sizeof(Tensor) * (size_t)b.tensors);
    b = (Builder){.net = net, .ps = ps, .counting = 0};
    lay_out(&b);
    net->num_weights = b.weights;
}

/* PyTorch's defaults (REFERENCE 1.6): conv and linear U(+-1/sqrt(fan_in)), BN gamma 1, beta 0,
 * running mean 0, running variance 1. Values are drawn in table order, each tensor in PyTorch order. */
void params_init(Supernet *net) {
    Rng rng;
    rng_seed(&rng, net->cfg.seed, SUPERNET_STREAM_WEIGHT_INIT);
    size_t largest = 1;
    for (int i = 0; i < net->num_tensors; i++)
        if (net->tensors[i].info.count > largest) largest = net->tensors[i].info.count;
    float *plain = sn_alloc(largest * sizeof(float));
    for (int i = 0; i < net->num_tensors; i++) {
        const Tensor *t = &net->tensors[i];
        for (size_t j = 0; j < t->info.count; j++)
            plain[j] = t->init == INIT_UNIFORM ? (float)(t->bound * (2.0 * rng_uniform(&rng) - 1.0))
                     : t->init == INIT_ONE     ? 1.0f
                                               : 0.0f;
        supernet_tensor_set(net, i, plain);
    }
    sn_free(plain);
}

void supernet_reset_running_stats(Supernet *net) {
    for (int i = 0; i < net->num_tensors; i++) {
        const Tensor *t = &net->tensors[i];
        if (t->info.kind != TENSOR_RUNNING_STAT) continue; /* plain, contiguous: set in place */
        for (size_t j = 0; j < t->info.count; j++) t->data[j] = t->init == INIT_ONE ? 1.0f : 0.0f;
    }
}

int supernet_num_tensors(const Supernet *net) { return net->num_tensors; }

const TensorInfo *supernet_tensor(const Supernet *net, int index) {
    SN_ASSERT(index >= 0 && index < net->num_tensors, "tensor index %d out of range", index);
    return &net->tensors[index].info;
}

int supernet_find_tensor(const Supernet *net, const char *name) {
    for (int i = 0; i < net->num_tensors; i++)
        if (strcmp(net->tensors[i].info.name, name) == 0) return i;
    return -1;
}

/* Where tensor `index` lives in `flat` (an array laid out like the weights, or the stats). */
static float *locate(Supernet *net, int index, const float *flat) {
    const Tensor *t = &net->tensors[index];
    if (!flat) return t->data;
    SN_ASSERT(t->info.kind == TENSOR_WEIGHT, "%s is not laid out like the weights", t->info.name);
    return (float *)flat + (t->data - net->weights);
}

static void export_tensor(Supernet *net, int index, const float *src, float *out) {
    const Tensor *t = &net->tensors[index];
    if (t->layout) conv_weight_export(t->layout, out, src);
    else memcpy(out, src, t->info.count * sizeof(float));
}

static void import_tensor(Supernet *net, int index, float *dst, const float *in) {
    const Tensor *t = &net->tensors[index];
    if (t->layout) conv_weight_import(t->layout, dst, in);
    else memcpy(dst, in, t->info.count * sizeof(float));
}

void supernet_tensor_get(Supernet *net, int index, float *out) { export_tensor(net, index, locate(net, index, NULL), out); }
void supernet_tensor_set(Supernet *net, int index, const float *in) { import_tensor(net, index, locate(net, index, NULL), in); }
void supernet_tensor_get_grad(Supernet *net, int index, float *out) { supernet_flat_get(net, index, net->grads, out); }

void supernet_flat_get(Supernet *net, int index, const float *flat, float *out) {
    export_tensor(net, index, locate(net, index, flat), out);
}

void supernet_flat_set(Supernet *net, int index, float *flat, const float *in) {
    import_tensor(net, index, locate(net, index, flat), in);
}
