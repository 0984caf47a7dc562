/* naive_ref.c: reference loops for convolution, batch norm and average pooling (see naive_ref.h). */
#include "naive_ref.h"

#include <math.h>
#include <string.h>

#define IDX4(a, b, c, d, B, C, D) ((((size_t)(a) * (B) + (b)) * (C) + (c)) * (D) + (d))

void naive_conv_forward(float *out, const float *in, const float *w, NaiveConv c) {
    int ho = naive_conv_ho(c), wo = naive_conv_wo(c);
    for (int n = 0; n < c.n; n++)
        for (int o = 0; o < c.co; o++)
            for (int y = 0; y < ho; y++)
                for (int x = 0; x < wo; x++) {
                    double acc = 0;
                    for (int i = 0; i < c.ci; i++)
                        for (int ky = 0; ky < c.k; ky++)
                            for (int kx = 0; kx < c.k; kx++) {
                                int iy = y * c.stride - c.pad + ky, ix = x * c.stride - c.pad + kx;
                                if (iy < 0 || iy >= c.h || ix < 0 || ix >= c.w) continue;
                                acc += (double)in[IDX4(n, i, iy, ix, c.ci, c.h, c.w)] * w[IDX4(o, i, ky, kx, c.ci, c.k, c.k)];
                            }
                    out[IDX4(n, o, y, x, c.co, ho, wo)] = (float)acc;
                }
}

void naive_conv_backward_data(float *din, const float *dout, const float *w, NaiveConv c) {
    int ho = naive_conv_ho(c), wo = naive_conv_wo(c);
    for (int n = 0; n < c.n; n++)
        for (int i = 0; i < c.ci; i++)
            for (int iy = 0; iy < c.h; iy++)
                for (int ix = 0; ix < c.w; ix++) {
                    double acc = 0;
                    for (int o = 0; o < c.co; o++)
                        for (int ky = 0; ky < c.k; ky++)
                            for (int kx = 0; kx < c.k; kx++) {
                                int ty = iy + c.pad - ky, tx = ix + c.pad - kx;
                                if (ty % c.stride || tx % c.stride) continue;
                                int y = ty / c.stride, x = tx / c.stride;
                                if (ty < 0 || tx < 0 || y >= ho || x >= wo) continue;
                                acc += (double)dout[IDX4(n, o, y, x, c.co, ho, wo)] * w[IDX4(o, i, ky, kx, c.ci, c.k, c.k)];
                            }
                    din[IDX4(n, i, iy, ix, c.ci, c.h, c.w)] = (float)acc;
                }
}

void naive_conv_backward_weights(float *dw, const float *in, const float *dout, NaiveConv c) {
    int ho = naive_conv_ho(c), wo = naive_conv_wo(c);
    for (int o = 0; o < c.co; o++)
        for (int i = 0; i < c.ci; i++)
            for (int ky = 0; ky < c.k; ky++)
                for (int kx = 0; kx < c.k; kx++) {
                    double acc = 0;
                    for (int n = 0; n < c.n; n++)
                        for (int y = 0; y < ho; y++)
                            for (int x = 0; x < wo; x++) {
                                int iy = y * c.stride - c.pad + ky, ix = x * c.stride - c.pad + kx;
                                if (iy < 0 || iy >= c.h || ix < 0 || ix >= c.w) continue;
                                acc += (double)in[IDX4(n, i, iy, ix, c.ci, c.h, c.w)] * dout[IDX4(n, o, y, x, c.co, ho, wo)];
                            }
                    dw[IDX4(o, i, ky, kx, c.ci, c.k, c.k)] = (float)acc;
                }
}

static void channel_stats(double *mean, double *var, const float *in, int n, int c, int h, int w, int ch) {
    double s = 0, s2 = 0, m = (double)n * h * w;
    for (int b = 0; b < n; b++)
        for (int p = 0; p < h * w; p++) s += in[IDX4(b, ch, 0, p, c, 1, h * w)];
    *mean = s / m;
    for (int b = 0; b < n; b++)
        for (int p = 0; p < h * w; p++) {
            double d = in[IDX4(b, ch, 0, p, c, 1, h * w)] - *mean;
            s2 += d * d;
        }
    *var = s2 / m;
}

void naive_bn_forward(float *out, float *mean, float *var, const float *in, const float *gamma, const float *beta,
                      int n, int c, int h, int w, double eps) {
    for (int ch = 0; ch < c; ch++) {
        double mu, v;
        channel_stats(&mu, &v, in, n, c, h, w, ch);
        mean[ch] = (float)mu;
        var[ch] = (float)v;
    }
    naive_bn_forward_stats(out, in, mean, var, gamma, beta, n, c, h, w, eps);
}

void naive_bn_forward_stats(float *out, const float *in, const float *mean, const float *var, const float *gamma,
                            const float *beta, int n, int c, int h, int w, double eps) {
    for (int ch = 0; ch < c; ch++) {
        double inv = 1.0 / sqrt((double)var[ch] + eps), g = gamma ? gamma[ch] : 1.0, bt = beta ? beta[ch] : 0.0;
        for (int b = 0; b < n; b++)
            for (int p = 0; p < h * w; p++) {
                size_t i = IDX4(b, ch, 0, p, c, 1, h * w);
                out[i] = (float)(g * (in[i] - mean[ch]) * inv + bt);
            }
    }
}

void naive_bn_backward(float *din, float *dgamma, float *dbeta, const float *dout, const float *in,
                       const float *gamma, int n, int c, int h, int w, double eps) {
    double m = (double)n * h * w;
    for (int ch = 0; ch < c; ch++) {
        double mu, v, sum_dy = 0, sum_dy_xhat = 0;
        channel_stats(&mu, &v, in, n, c, h, w, ch);
        double inv = 1.0 / sqrt(v + eps), g = gamma ? gamma[ch] : 1.0;
        for (int b = 0; b < n; b++)
            for (int p = 0; p < h * w; p++) {
                size_t i = IDX4(b, ch, 0, p, c, 1, h * w);
                sum_dy += dout[i];
                sum_dy_xhat += dout[i] * (in[i] - mu) * inv;
            }
        if (dgamma) dgamma[ch] = (float)sum_dy_xhat;
        if (dbeta) dbeta[ch] = (float)sum_dy;
        for (int b = 0; b < n; b++)
            for (int p = 0; p < h * w; p++) {
                size_t i = IDX4(b, ch, 0, p, c, 1, h * w);
                double xhat = (in[i] - mu) * inv;
                din[i] = (float)(g * inv * (dout[i] - sum_dy / m - xhat * sum_dy_xhat / m));
            }
    }
}

/* Visits the in-image taps of output (y, x); returns their count. */
static int window(int y, int x, int h, int w, int k, int stride, int pad, int *y0, int *y1, int *x0, int *x1) {
    *y0 = y * stride - pad, *x0 = x * stride - pad;
    *y1 = *y0 + k, *x1 = *x0 + k;
    if (*y0 < 0) *y0 = 0;
    if (*x0 < 0) *x0 = 0;
    if (*y1 > h) *y1 = h;
    if (*x1 > w) *x1 = w;
    return (*y1 - *y0) * (*x1 - *x0);
}

void naive_avgpool_forward(float *out, const float *in, int n, int c, int h, int w, int k, int stride, int pad) {
    int ho = (h + 2 * pad - k) / stride + 1, wo = (w + 2 * pad - k) / stride + 1;
    for (int b = 0; b < n * c; b++)
        for (int y = 0; y < ho; y++)
            for (int x = 0; x < wo; x++) {
                int y0, y1, x0, x1, cnt = window(y, x, h, w, k, stride, pad, &y0, &y1, &x0, &x1);
                double s = 0;
                for (int iy = y0; iy < y1; iy++)
                    for (int ix = x0; ix < x1; ix++) s += in[((size_t)b * h + iy) * w + ix];
                out[((size_t)b * ho + y) * wo + x] = (float)(s / cnt);
            }
}

void naive_avgpool_backward(float *din, const float *dout, int n, int c, int h, int w, int k, int stride, int pad) {
    int ho = (h + 2 * pad - k) / stride + 1, wo = (w + 2 * pad - k) / stride + 1;
    memset(din, 0, sizeof(float) * (size_t)n * c * h * w);
    for (int b = 0; b < n * c; b++)
        for (int y = 0; y < ho; y++)
            for (int x = 0; x < wo; x++) {
                int y0, y1, x0, x1, cnt = window(y, x, h, w, k, stride, pad, &y0, &y1, &x0, &x1);
                float g = dout[((size_t)b * ho + y) * wo + x] / (float)cnt;
                for (int iy = y0; iy < y1; iy++)
                    for (int ix = x0; ix < x1; ix++) din[((size_t)b * h + iy) * w + ix] += g;
            }
}
