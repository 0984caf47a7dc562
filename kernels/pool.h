/*
 * pool.h: average pooling over nChw16c activations on oneDNN. Padding is excluded from the divisor
 * (PyTorch's count_include_pad=False): a 3x3/s1/p1 window averages 4 values at a corner, 6 on a
 * border and 9 inside. Also serves 2x2/s2 (no padding) in the residual blocks' shortcut.
 *
 * pool_backward OVERWRITES din.
 */
#ifndef SN_POOL_H
#define SN_POOL_H

#include "tensor.h"

typedef struct PoolPlan PoolPlan;

PoolPlan *pool_plan_create(Shape4 in, int kernel, int stride, int pad);
void pool_plan_free(PoolPlan *p);
Shape4 pool_out_shape(const PoolPlan *p);

void pool_forward(PoolPlan *p, float *out, const float *in);
void pool_backward(PoolPlan *p, float *din, const float *dout);

#endif
