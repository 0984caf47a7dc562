/*
 * naive_ref.h: straightforward reference implementations, plain NCHW, double accumulation, written
 * from the textbook definitions and independently of kernels/. The fast kernels are checked
 * against these, and these against finite differences.
 */
#ifndef SN_NAIVE_REF_H
#define SN_NAIVE_REF_H

typedef struct {
    int n, ci, co, h, w, k, stride, pad;
} NaiveConv;

static inline int naive_conv_ho(NaiveConv c) { return (c.h + 2 * c.pad - c.k) / c.stride + 1; }
static inline int naive_conv_wo(NaiveConv c) { return (c.w + 2 * c.pad - c.k) / c.stride + 1; }

void naive_conv_forward(float *out, const float *in, const float *w_oihw, NaiveConv c);
void naive_conv_backward_data(float *din, const float *dout, const float *w_oihw, NaiveConv c);
void naive_conv_backward_weights(float *dw_oihw, const float *in, const float *dout, NaiveConv c);

/* Batch norm with batch statistics (biased variance); gamma/beta NULL means 1/0. mean/var out. */
void naive_bn_forward(float *out, float *mean, float *var, const float *in, const float *gamma, const float *beta,
                      int n, int c, int h, int w, double eps);
/* Eval-mode batch norm with given statistics. */
void naive_bn_forward_stats(float *out, const float *in, const float *mean, const float *var, const float *gamma,
                            const float *beta, int n, int c, int h, int w, double eps);
void naive_bn_backward(float *din, float *dgamma, float *dbeta, const float *dout, const float *in,
                       const float *gamma, int n, int c, int h, int w, double eps);

/* Average pooling with padding excluded from the divisor. */
void naive_avgpool_forward(float *out, const float *in, int n, int c, int h, int w, int k, int stride, int pad);
void naive_avgpool_backward(float *din, const float *dout, int n, int c, int h, int w, int k, int stride, int pad);

#endif
