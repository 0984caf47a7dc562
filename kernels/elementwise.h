/*
 * elementwise.h: pointwise ops and deterministic reductions on flat float arrays.
 *
 * Activations are nChw16c blocked tensors (tensor.h) whose padded channels are zero, so every op here
 * runs over the whole padded buffer, n = shape_padded_size(shape), without knowing the layout: relu,
 * scale and sums map 0 to 0, so padding stays zero (add_scalar does not: use it on unpadded tensors),
 * and padded entries add nothing to a reduction. The same functions serve plain arrays (parameters,
 * gradients).
 *
 * Conventions (llm.c): outputs first; nothing here allocates. Large arrays are split over OpenMP threads. Reductions accumulate in double over a fixed
 * chunking that depends only on n, so their result is bit-identical for any number of threads.
 */
#ifndef SN_ELEMENTWISE_H
#define SN_ELEMENTWISE_H

#include <stddef.h>

#include "tensor.h"

/* y = max(x, 0). y may alias x. x, y are (n). */
void relu_forward(float *y, const float *x, size_t n);
/* y = max(x, 0) rounded to bf16 (tensor.h), for the bf16 convolutions that read it. */
void relu_forward_bf16(bfloat16 *y, const float *x, size_t n);

void vec_fill(float *y, float value, size_t n);                     /* y = value */
void vec_add(float *y, const float *a, const float *b, size_t n);   /* y = a + b; y may alias a or b */
void vec_scale(float *y, float alpha, size_t n);                    /* y *= alpha */
void vec_add_scalar(float *y, float c, size_t n);                   /* y += c */
double vec_dot(const float *a, const float *b, size_t n);           /* sum of a * b, in double */
double vec_sum(const float *x, size_t n);                           /* sum of x, in double */

/* The building block of every deterministic sum: element i of a run goes to lane i % SN_SUM_LANES
 * (lane[i % 16] += a[i] * b[i] in double, or a[i] when b is NULL); lanes_total adds the 16 lanes in
 * order. Runs that start at a multiple of 16 elements of one array fill the same lanes wherever the
 * array is cut. */
#define SN_SUM_LANES 16
void lanes_add(double *lane, const float *a, const float *b, size_t n);
double lanes_total(const double *lane);

#endif
