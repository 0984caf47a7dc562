/*
 * node_pass.h: the fused passes that form a search-cell node's value and its gradient, on nChw16c
 * tensors (tensor.h) of one shape.
 *
 * A node is a weighted sum of its incoming ops' outputs. The convolutions' batch normalisation is applied
 * inside the sum from the statistics, instead of writing the normalised tensor out. Average pooling (3x3, stride 1, padding 1,
 * padding excluded from the divisor: the cell's avg_pool_3x3) is computed inside the sum from the
 * pooled node, instead of being written out and read back: for a memory-bound pass that saves a write
 * and a read per pooled term. Going backward, the transposed pooling is folded into the node's gradient
 * the same way.
 *
 * Reductions (the dots) are summed in double over a fixed split of the tensor that depends only on its
 * shape, so they are bit-identical for any number of threads. Nothing here allocates.
 */
#ifndef SN_NODE_PASS_H
#define SN_NODE_PASS_H

#include "tensor.h"

/* Most terms of one list: a DARTS node sums 3 edges x 4 non-zero ops. */
#define SN_TERMS_MAX 16

/* sum_q w[q] * x[q], where a term with statistics is batch-normalised first:
 * w[q] * (gamma[q][c] (x[q] - mean[q][c]) / sqrt(var[q][c] + SN_BN_EPS) + beta[q][c]) in channel c,
 * gamma 1 and beta 0 without affine parameters. */
typedef struct {
    const float *x[SN_TERMS_MAX];
    float w[SN_TERMS_MAX];
    const float *mean[SN_TERMS_MAX], *var[SN_TERMS_MAX];   /* (C), or NULL: x as it is */
    const float *gamma[SN_TERMS_MAX], *beta[SN_TERMS_MAX]; /* (C), or NULL: no affine parameters */
    int k;
} TermList;

void terms_add(TermList *t, const float *x, float w);
void terms_add_normalized(TermList *t, const float *x, float w, const float *mean, const float *var);
void terms_add_bn(TermList *t, const float *x, float w, const float *mean, const float *var, const float *gamma,
                  const float *beta);

/*
 * y = sum_q plain.w[q] * plain.x[q] + sum_r pooled.w[r] * avgpool3x3(pooled.x[r])
 * At least one term; y must not alias an input; pooled terms are not normalised.
 */
void node_sum(float *y, const TermList *plain, const TermList *pooled, Shape4 s);

/*
 * dx = sum_q direct.w[q] * direct.x[q] + sum_r pooled.w[r] * avgpool3x3^T(pooled.x[r])
 *      + [gate > 0] * sum_t gated.w[t] * gated.x[t]
 * and, unless dots is NULL,
 *   dots[q]            += sum(direct.x[q] * gate)
 *   dots[direct.k + r] += sum(avgpool3x3^T(pooled.x[r]) * gate)
 * and, unless dx_sum is NULL, *dx_sum = sum(dx) (GDAS's scalar terms' gradient).
 * gate is the node's value (the input of the ReLU the gated terms passed); with edge weights, the dots
 * are dL/dW of skip (sum dy * x) and pooling (sum dy * pool(x) = sum pool^T(dy) * x). At least one
 * term; gate is not read when gated.k = 0 and dots is NULL; dx must not alias an input; no term is
 * normalised.
 */
void node_grad(float *dx, double *dots, double *dx_sum, const TermList *direct, const TermList *pooled,
               const float *gate, const TermList *gated, Shape4 s);

#endif
