/*
 * supernet.h: the NAS-Bench-201 search network with shared weights (REFERENCE.md section 1).
 *
 *   stem: conv 3x3 -> BN                                  (affine, running statistics)
 *   stage 1: N search cells at C channels, H x W
 *   reduction: ResNet basic block C -> 2C, stride 2        (affine BNs, running statistics)
 *   stage 2: N cells at 2C, H/2;  reduction 2C -> 4C;  stage 3: N cells at 4C, H/4
 *   head: BN -> ReLU -> global average pool -> linear (with bias)
 *
 * A cell has 4 nodes; node i = sum over j < i of edge (i<-j) applied to node j; the output is node 3.
 * Edges are numbered 0..5 = 1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2. Every edge of every cell owns its
 * own 1x1 and 3x3 convolutions (ReLU -> conv -> BN, BN without affine); one set of edge weights
 * (6 x 5, softmax(alpha) or a GDAS one-hot) is shared by all cells.
 *
 * How a forward pass chooses ops (NetSelection):
 *   DARTS      arch == NULL: every edge computes all 5 ops, y_e = sum_k W[e][k] op_k(x).
 *   GDAS       arch and W: only op s = arch->op[e] is computed; y_e = W[e][s] op_s(x) + sum_{k != s} W[e][k].
 *   discrete   arch, W == NULL: y_e = op_s(x). `skip_connect` aliases its input, `none` costs nothing.
 *
 * Training passes normalise every BN with batch statistics and update the running statistics of the
 * tracked BNs. Evaluation passes keep no activations for backward; the stem, reduction and head BNs
 * use their running statistics, the cell BNs batch statistics unless track_running_stats is set.
 *
 * One-cell network (single_cell): the benchmark's evaluation network of one cell (AutoDL-Projects'
 * cell_infers, how the NAS-Bench-201 table was trained): the same skeleton with the cell's op on every
 * edge of every cell, only those ops' weights, and cell BNs that are affine and keep running
 * statistics (used in evaluation). Its passes take that cell only (discrete path); its parameter count
 * is the table's `params` column.
 *
 * Memory: activations are allocated when the network is created, sized for max_batch and for the
 * path it must support (`darts` keeps every op's output, otherwise only the chosen ones); evaluation
 * buffers for max_eval_batch. Nothing is allocated by forward or backward, except the oneDNN plans
 * of a batch size the first time it is seen.
 */
#ifndef SN_SUPERNET_H
#define SN_SUPERNET_H

#include <stddef.h>
#include <stdint.h>

#include "arch.h"

/* The RNG stream of the weight initialisation under SupernetConfig.seed. The search seeds the network
 * with its run seed, which also seeds the strategies' streams (STREAM_* in search/strategies/strategy.h):
 * the numbers must stay distinct. */
enum { SUPERNET_STREAM_WEIGHT_INIT = 0x1417 };

typedef struct {
    int channels;            /* C, a multiple of 16 */
    int cells;               /* N search cells per stage */
    int classes;
    int in_channels;         /* 3, or 1 for Fashion-MNIST */
    int image_size;          /* 32, or 16 for ImageNet16-120 (a multiple of 4) */
    int max_batch;           /* largest training batch */
    int max_eval_batch;      /* largest evaluation batch */
    int darts;               /* support the DARTS path in training (every op's output kept) */
    int track_running_stats; /* the cell BNs keep running statistics and use them in evaluation */
    uint64_t seed;           /* weight initialisation (PyTorch's default init, REFERENCE 1.6) */
    int direct_conv;         /* 1: direct convolutions only; 0: Winograd for the 3x3s of >= 32 channels */
    int bf16;                /* convolutions in bf16 (kernels/conv.h), all but the stem's; weights, optimizer,
                              * BN and every other op stay fp32 */
    int single_cell;         /* 1: the evaluation network of `cell` (above); 0: the supernet */
    Arch cell;
} SupernetConfig;

/* The network's precisions, as the `precision` config key and `bench --precision` spell them. */
#define SUPERNET_PRECISIONS "fp32|bf16"
/* 1 for "bf16", 0 for "fp32", -1 for anything else. */
int supernet_precision_is_bf16(const char *precision);
/* NULL when this CPU runs the precision natively, else why not (one line). */
const char *supernet_precision_unavailable(const char *precision);

typedef struct {
    const Arch *arch;           /* op per edge, or NULL for the DARTS path */
    const float *edge_weights;  /* 6 x 5 weights of the edge sums, or NULL (discrete) */
} NetSelection;

typedef struct Supernet Supernet;

Supernet *supernet_create(const SupernetConfig *cfg);
void supernet_free(Supernet *net);
const SupernetConfig *supernet_config(const Supernet *net); /* as created */
/* Makes a one-cell network the one supernet_create would build for `cell` with the same configuration,
 * without building it again: cell must have its 1x1 and 3x3 convolutions on the same edges as the
 * network's (the same tensors and buffers; the other ops may differ). Weights and running statistics
 * are drawn again from the seed, and the BN modes, momentum and ReLU observer reset. Returns 0, or -1
 * (nothing changed) when the convolutions differ. */
int supernet_reset_for_cell(Supernet *net, const Arch *cell);

/* The weights (every trainable tensor but alpha) as one flat array, and their gradient, same layout. */
size_t supernet_num_weights(const Supernet *net); /* exact parameter count */
float *supernet_weights(Supernet *net);
float *supernet_grads(Supernet *net);
size_t supernet_weights_floats(const Supernet *net); /* length of the flat arrays */
/* The parameter count of the network cfg describes, without creating it (the same tensor table). */
size_t supernet_count_weights(const SupernetConfig *cfg);

/* Training forward: loss (mean cross-entropy) of the batch, *correct = top-1 hits. Keeps what
 * backward needs. images: plain (batch, in_channels, H, W); labels: (batch). */
double supernet_forward(Supernet *net, const float *images, const int32_t *labels, int batch, NetSelection sel,
                        int *correct);

/* Backward of the last training forward: sets supernet_grads() to the gradient of its loss (weights
 * the pass did not use get 0), and d_edge_weights (6 x 5, may be NULL) to dL/dW for DARTS and GDAS. */
void supernet_backward(Supernet *net, float *d_edge_weights);
/* The same from a given dL/dlogits (batch x classes, used as given; NULL: the cross-entropy's), also
 * writing dL/dimages (batch x in_channels x H x W, plain; NULL: not computed). */
void supernet_backward_from(Supernet *net, const float *dlogits, float *d_images, float *d_edge_weights);

/* Called in every forward pass with the input of every ReLU, as a network with one ReLU module per layer
 * would see them (a PyTorch forward hook): a cell node's once for each convolution that reads it, the
 * reduction blocks' two, the head's. x holds batch images of per_image floats each, image after image
 * (the order within an image is the network's own). While an observer is set, every node of every cell
 * is computed, also those that cannot reach the cell's output, and a convolution on an all-`none`
 * node reports that node's zeros. NULL removes it. */
typedef void (*SupernetReluFn)(void *ctx, const float *x, int batch, size_t per_image);
void supernet_set_relu_observer(Supernet *net, SupernetReluFn fn, void *ctx);

/* ---------------------------------------------------------------------------------------------
 * Data-parallel use: several processes each hold a share of every batch. */

/* The batches of the training passes are shares of batches of global_batch images (0, the default:
 * not shared). backward then gives the gradient of the share's summed loss / global_batch, so the
 * shares' gradients add up to the gradient of the whole batch's mean loss. */
void supernet_set_global_batch(Supernet *net, int global_batch);

/* Sums n doubles in place over the processes that share each batch. */
typedef void (*SupernetSumFn)(double *values, size_t n);
/* Synchronised batch norm: every BN that normalises with batch statistics (training, and evaluation
 * where it does) sums its per-channel reductions with `sum` (forward: the sums and sums of squares;
 * backward: the sums of dL/dy and dL/dy * xhat), so the processes compute the function of the whole
 * batch. NULL (the default): each process normalises with its own share's statistics. */
void supernet_set_bn_sum(Supernet *net, SupernetSumFn sum);

/* ---------------------------------------------------------------------------------------------
 * Batch-norm modes and the running statistics. */

/* on = 1: evaluation normalises every BN with the batch's statistics, as training does (default 0:
 * the stem, reduction and head BNs, and tracked cell BNs, use their running statistics). */
void supernet_set_eval_batch_stats(Supernet *net, int on);
/* on = 1 (a network whose BNs all keep running statistics: single_cell or track_running_stats):
 * training passes normalise every BN with its running statistics and leave them unchanged, and backward
 * differentiates through those fixed statistics. At initialisation (mean 0, variance 1, gamma 1,
 * beta 0) every BN is then x / sqrt(1 + eps), SynFlow's network. */
void supernet_set_bn_frozen(Supernet *net, int on);
/* The momentum of the running-statistics update (default 0.1, PyTorch's), and every running mean set to
 * 0 and running variance to 1, their initial values. With momentum 1 / (i + 1) for the i-th of k
 * training passes after the reset, the running statistics become the plain average of the k batches'. */
void supernet_set_bn_momentum(Supernet *net, float momentum);
void supernet_reset_running_stats(Supernet *net);

/* Evaluation forward (no gradients); logits (batch x classes) may be NULL. */
double supernet_evaluate(Supernet *net, const float *images, const int32_t *labels, int batch, NetSelection sel,
                         int *correct, float *logits);

/* The logits of the last forward (training or evaluation), (batch x classes). */
const float *supernet_logits(const Supernet *net);

/* ---------------------------------------------------------------------------------------------
 * Named tensors, for checkpoints and for exchanging weights with other tools. Conv weights are
 * given in PyTorch's (out, in, kh, kw) order whatever the internal layout. */

typedef enum { TENSOR_WEIGHT, TENSOR_RUNNING_STAT } TensorKind;

typedef struct {
    char name[64];    /* "cells.3.edges.2.conv3x3.weight", "stem.bn.running_mean", ... */
    TensorKind kind;
    int ndims;
    int dims[4];
    size_t count;     /* product of dims */
} TensorInfo;

int supernet_num_tensors(const Supernet *net);
const TensorInfo *supernet_tensor(const Supernet *net, int index);
int supernet_find_tensor(const Supernet *net, const char *name); /* index, or -1 */
void supernet_tensor_get(Supernet *net, int index, float *out);       /* count floats, PyTorch order */
void supernet_tensor_set(Supernet *net, int index, const float *in);
void supernet_tensor_get_grad(Supernet *net, int index, float *out); /* a weight's gradient */
/* The same for any flat array laid out like the weights (an optimizer's momentum, say); index must
 * name a weight tensor. */
void supernet_flat_get(Supernet *net, int index, const float *flat, float *out);
void supernet_flat_set(Supernet *net, int index, float *flat, const float *in);

#endif
