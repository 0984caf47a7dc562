/*
 * gap.h: global average pooling, the step from the last cell's blocked activations to the classifier.
 * x is a blocked nChw16c tensor of shape s (tensor.h); y is a plain (N, C) row-major matrix.
 */
#ifndef SN_GAP_H
#define SN_GAP_H

#include "tensor.h"

/* y[n][c] = mean over (h, w) of x[n, c, h, w]. x is blocked (s), y is (s.n, s.c). */
void gap_forward(float *y, const float *x, Shape4 s);

/* dx[n, c, h, w] += dy[n][c] / (H W). dx is blocked (s), dy is (s.n, s.c); padded channels are untouched. */
void gap_backward(float *dx, const float *dy, Shape4 s);

#endif
