/* linear.c: the fully connected layer on BLIS (see linear.h). Transposes are expressed through BLIS's
 * row/column strides, so no operand is ever copied; every product accumulates with beta = 1. */
#include "linear.h"

#include <blis.h>
#include <string.h>

void linear_forward(float *y, const float *x, const float *weight, const float *bias, int batch, int in, int out) {
    float one = 1.0f;
    for (int n = 0; n < batch; n++) {
        if (bias) memcpy(y + (size_t)n * out, bias, sizeof(float) * (size_t)out);
        else memset(y + (size_t)n * out, 0, sizeof(float) * (size_t)out);
    }
    /* y (batch x out) += x (batch x in) * weight^T (in x out); weight^T(k, j) = weight[j * in + k] */
    bli_sgemm(BLIS_NO_TRANSPOSE, BLIS_NO_TRANSPOSE, batch, out, in, &one, (float *)x, in, 1, (float *)weight, 1, in,
              &one, y, out, 1);
}

void linear_backward(float *dx, float *dweight, float *dbias, const float *dy, const float *x, const float *weight,
                     int batch, int in, int out) {
    float one = 1.0f;
    if (dx) /* dx (batch x in) += dy (batch x out) * weight (out x in) */
        bli_sgemm(BLIS_NO_TRANSPOSE, BLIS_NO_TRANSPOSE, batch, in, out, &one, (float *)dy, out, 1, (float *)weight, in,
                  1, &one, dx, in, 1);
    if (dweight) /* dweight (out x in) += dy^T (out x batch) * x (batch x in); dy^T(i, k) = dy[k * out + i] */
        bli_sgemm(BLIS_NO_TRANSPOSE, BLIS_NO_TRANSPOSE, out, in, batch, &one, (float *)dy, 1, out, (float *)x, in, 1,
                  &one, dweight, in, 1);
    if (dbias)
        for (int j = 0; j < out; j++) {
            double s = 0.0;
            for (int n = 0; n < batch; n++) s += dy[(size_t)n * out + j];
            dbias[j] += (float)s;
        }
}
