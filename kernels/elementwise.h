/*
 * elementwise.h: pointwise ops and deterministic reductions on flat float arrays.
 *
 * Activations are nChw16c blocked tensors (tensor.h) whose padded channels are zero, so every op here
 * runs over the whole padded buffer, n = shape_padded_size(shape), without knowing the layout: a
 * pointwise op maps 0 to 0 (relu, scale, axpy and sums of zeros), so padding stays zero, and padded
 * entries add nothing to a reduction. The same functions serve plain arrays (parameters, gradients).
 *
 * Conventions (llm.c): outputs first; backward ACCUMULATES (+=) into d-prefixed buffers; nothing here
 * allocates. Large arrays are split over OpenMP threads. Reductions accumulate in double over a fixed
 * chunking that depends only on n, so their result is bit-identical for any number of threads.
 */
#ifndef SN_ELEMENTWISE_H
#define SN_ELEMENTWISE_H

#include <stddef.h>

/* Most inputs one fused mixed-op pass takes: a DARTS node sums up to 3 edges x 4 non-zero ops. */
#define SN_MIX_MAX 16

/* y = max(x, 0). y may alias x. x, y are (n). */
void relu_forward(float *y, const float *x, size_t n);
/* dx += dy where x > 0. x is the forward input (the forward output works too: y > 0 exactly when x > 0). */
void relu_backward(float *dx, const float *dy, const float *x, size_t n);

void vec_fill(float *y, float value, size_t n);                     /* y = value */
void vec_add(float *y, const float *a, const float *b, size_t n);   /* y = a + b; y may alias a or b */
void vec_scale(float *y, float alpha, size_t n);                    /* y *= alpha */
void vec_axpy(float *y, float alpha, const float *x, size_t n);     /* y += alpha * x */
void vec_add_scalar(float *y, float c, size_t n);                   /* y += c */
double vec_dot(const float *a, const float *b, size_t n);           /* sum of a * b, in double */
double vec_sum(const float *x, size_t n);                           /* sum of x, in double */

/*
 * The mixed-op sum of an edge, y = sum_q w[q] * xs[q], for 1 <= k <= SN_MIX_MAX inputs, in one pass.
 * xs[q] are (n); w is (k). Ops whose output is identically zero (`none`, GDAS's unselected scalar
 * terms, which are 0 in value) are simply left out by the caller. y may alias any xs[q].
 */
void mix_forward(float *y, const float *const *xs, const float *w, int k, size_t n);

/*
 * The gradient reaching a cell node from its outgoing edges, in one pass:
 *   dx = sum_q a[q] * xs[q] + [gate > 0] * sum_r b[r] * ys[r]
 *   dots[q] += sum(xs[q] * gate)   (unless dots is NULL; deterministic like every reduction here)
 * xs are gradients that reach x directly (skip, pooling), ys those that pass the ReLU in front of a
 * convolution, gate is the node's value, the ReLU's input. The dots are the edge-weight gradients of
 * skip (sum dy * x) and pooling (sum dy * pool(x) = sum pool^T(dy) * x). 0 <= nx, ny <= SN_MIX_MAX,
 * nx + ny >= 1; all arrays are (n).
 */
void mix_relu_sum(float *dx, double *dots, const float *const *xs, const float *a, int nx, const float *gate,
                  const float *const *ys, const float *b, int ny, size_t n);

#endif
