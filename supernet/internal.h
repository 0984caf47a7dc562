/*
 * internal.h: the supernet's private structures, shared by its .c files only.
 *
 *   params.c    the tensor table, initialisation, named access
 *   plans.c     oneDNN plans per batch size
 *   storage.c   activation and scratch buffers, sized once at creation
 *   cell.c      search-cell forward and backward (DARTS and selected paths)
 *   network.c   stem, reduction blocks, head; the public forward/backward
 */
#ifndef SN_SUPERNET_INTERNAL_H
#define SN_SUPERNET_INTERNAL_H

#include "bn.h"
#include "conv.h"
#include "pool.h"
#include "supernet.h"

#define N_STAGES 3
#define N_REDUCE 2
#define MAX_PLAN_SETS 8

/* A NetSelection copied and checked: which path, which ops, which edge weights. */
typedef struct {
    int darts;                 /* every op of every edge */
    uint8_t ops[ARCH_N_EDGES];     /* selected path: op per edge */
    int has_w;                 /* edge weights given (DARTS always; GDAS) */
    float w[ARCH_N_EDGES][ARCH_N_OPS];
} Selection;

/* oneDNN plans for one batch size; shared by every layer of the same shape. */
typedef struct {
    int batch;
    ConvPlan *stem;
    BnPlan *stem_bn;
    struct {
        ConvPlan *conv[2]; /* [0] 1x1, [1] 3x3 */
        BnPlan *bn;
    } stage[N_STAGES];
    struct {
        ConvPlan *conv_a, *conv_b, *shortcut;
        BnPlan *bn;
        PoolPlan *pool;
    } reduce[N_REDUCE];
    BnPlan *head_bn;
} PlanSet;

typedef struct {
    float *gamma, *beta;  /* in the weights; NULL without affine */
    float *mean, *var;    /* running statistics, in the stats; NULL when not tracked */
} BnParams;

typedef struct {
    float *conv[ARCH_N_EDGES][2]; /* [edge][0] 1x1, [1] 3x3 */
    BnParams bn[ARCH_N_EDGES][2];
} CellParams;

typedef struct {
    float *conv_a, *conv_b, *shortcut;
    BnParams bn_a, bn_b;
} ReduceParams;

/* One named tensor: where it lives and which plan knows its blocked layout (conv weights). */
typedef enum { INIT_ZERO, INIT_ONE, INIT_UNIFORM } InitKind;

typedef struct {
    TensorInfo info;
    float *data;
    ConvPlan *layout; /* NULL: stored plainly in PyTorch order */
    InitKind init;
    double bound;     /* INIT_UNIFORM: U(-bound, bound) */
} Tensor;

/* A cell's activations. Training storage has one per cell; evaluation storage one per stage. */
typedef struct {
    float *node[3];            /* buffers for nodes 1..3 */
    float *relu[3];            /* of nodes 0..2 (fp32 networks) */
    bfloat16 *relu_bf16[3];      /* the same in bf16 (bf16 networks: what their convolutions read) */
    float *conv[ARCH_N_EDGES][2];                         /* conv output per edge and op (BN'd in the node sums) */
    float *mean[ARCH_N_EDGES][2], *var[ARCH_N_EDGES][2];  /* batch statistics (channels floats) */
    const float *x[4];         /* what nodes 0..3 were in the last forward (buffers or aliases) */
    int have_relu[3];
} CellActs;

typedef struct {
    float *relu_in, *a, *a_bn, *relu_a, *b, *b_bn, *pooled, *shortcut, *out;
    float *mean_a, *var_a, *mean_b, *var_b;
} ReduceActs;

typedef struct {
    float *conv, *out, *mean, *var;
} StemActs;

typedef struct {
    float *bn, *relu, *pooled, *logits, *mean, *var;
} HeadActs;

typedef struct {
    CellActs *cells;           /* N_STAGES * cells_per_stage */
    int cells_per_stage;       /* cfg.cells (training) or 1 (evaluation) */
    float *cell_out[N_STAGES][2]; /* evaluation: cell outputs alternate between two buffers */
    ReduceActs reduce[N_REDUCE];
    StemActs stem;
    HeadActs head;
} ActStore;

/* Backward scratch, per stage: node gradients and op temporaries. */
typedef struct {
    float *dnode[N_STAGES][4];
    float *dconv[N_STAGES];
    /* per edge and conv (1x1, 3x3): the gradient at the ReLU's output, kept until its source node's
     * gradient is summed; without the DARTS path an edge runs one conv, and [e][1] is [e][0] */
    float *drelu[N_STAGES][ARCH_N_EDGES][2];
    float *dreduce[N_REDUCE][3]; /* at the block's output size */
    float *dhead_relu, *dhead_bn, *dpooled, *dlogits;
} GradStore;

struct Supernet {
    SupernetConfig cfg;
    int eval_batch_stats; /* supernet_set_eval_batch_stats */
    int bn_frozen;        /* supernet_set_bn_frozen */
    float bn_momentum;    /* of the running-statistics update */
    SupernetReluFn relu_fn; /* supernet_set_relu_observer, or NULL */
    void *relu_ctx;
    int stage_channels[N_STAGES], stage_size[N_STAGES];

    float *weights, *grads, *stats;   /* flat arrays (weights and grads share a layout) */
    size_t weights_floats, stats_floats, num_weights;
    Tensor *tensors;
    int num_tensors;

    /* parameter views */
    float *stem_conv;
    BnParams stem_bn;
    CellParams *cells;  /* N_STAGES * cfg.cells */
    ReduceParams reduce[N_REDUCE];
    BnParams head_bn;
    float *fc_w, *fc_b;

    PlanSet plans[MAX_PLAN_SETS];
    int num_plan_sets;

    void *memory;        /* every activation and scratch buffer, one allocation */
    ActStore train, eval;
    GradStore grad;
    float *zero[N_STAGES]; /* an all-zero tensor per stage: the value of a node whose edges are all `none` */
    float *bn_gamma, *bn_beta, *bn_dgamma, *bn_dbeta; /* the cell BNs' constant 1 and 0, and their gradients */
    int global_batch;     /* supernet_set_global_batch, 0: batches are not shared */
    SupernetSumFn bn_sum; /* supernet_set_bn_sum, or NULL */
    double *bn_sums;      /* with bn_sum: 2 x widest C + 1, the reductions one BN sums */

    /* the last training forward, for backward */
    Selection train_sel;
    int train_batch, have_forward;
    const float *train_images;
    const float *stage_out[N_STAGES];      /* the last cell's output of each stage */
    const float *logits;                   /* of the last forward, training or evaluation */
    double d_edge[ARCH_N_EDGES][ARCH_N_OPS];       /* dL/dW accumulated over the cells by backward */
};

/* Whether the cells hold the convolution of slot k (0 the 1x1, 1 the 3x3) on edge e: the supernet's
 * every one, a one-cell network's where its cell has that op (params.c lays them out, storage.c carves
 * their buffers). */
static inline int cell_has_conv(const SupernetConfig *cfg, int e, int k) {
    return !cfg->single_cell || cfg->cell.op[e] == (k ? OP_CONV3 : OP_CONV1);
}

/* params.c */
void params_build(Supernet *net);
/* The weights params_build would lay out for net's config and shape (nothing else of net is read). */
size_t params_count(Supernet *net);
void params_init(Supernet *net);
static inline float *grad_of(Supernet *net, const float *w) { return net->grads + (w - net->weights); }
/* Whether a BN normalises with the batch's statistics: in training always, in evaluation with
 * eval_bn_batch_stats (as NATS-Bench does during search: running statistics gathered over many
 * sampled cells fit none of them, AutoDL-Projects#115). */
static inline int bn_uses_batch_stats(const Supernet *net, int train) {
    return !net->bn_frozen && (train || net->eval_batch_stats);
}
/* The ReLU observer's call for a ReLU whose input is x (shape s). */
static inline void observe_relu(const Supernet *net, const float *x, Shape4 s) {
    if (net->relu_fn) net->relu_fn(net->relu_ctx, x, s.n, shape_padded_size(s) / (size_t)s.n);
}

/* bn_layer.c: the BN steps every layer shares, over this process's batch or the whole shared one. A
 * frozen network's training forward leaves the running statistics it normalised with in the batch
 * statistics' buffers (mean, var), which backward then differentiates through. */
size_t bn_layer_stats(const Supernet *net, BnPlan *plan, float *mean, float *var, const float *in, Shape4 s);
void bn_layer_backward(const Supernet *net, BnPlan *plan, float *din, float *dgamma, float *dbeta,
                       const float *dout, const float *in, const float *mean, const float *var,
                       const float *gamma, const float *beta, Shape4 s);
/* Frozen training forward: the running statistics of p into the buffers backward reads (C floats each). */
void bn_layer_keep_running(float *mean, float *var, const BnParams *p, int c);

/* plans.c */
const PlanSet *plans_for_batch(Supernet *net, int batch);
void plans_free(Supernet *net);

/* storage.c */
void storage_build(Supernet *net);

/* cell.c */
/* Runs one cell on x0; returns its output (out_buffer, or an alias of a node when the output is a
 * single skip or all-`none`). */
const float *cell_forward(Supernet *net, const PlanSet *ps, int stage, const CellParams *cp, CellActs *a,
                          const float *x0, float *out_buffer, const Selection *sel, int batch, int train);
/* From dx3 = dL/d(cell output) of the last training forward, writes dx0 = dL/d(cell input), the
 * cell's weight gradients, and adds dL/dW into net->d_edge. */
void cell_backward(Supernet *net, const PlanSet *ps, int stage, const CellParams *cp, CellActs *a, float *dx0,
                   const float *dx3, const Selection *sel, int batch);

#endif
