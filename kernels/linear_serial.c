/* linear_serial.c: single-threaded BLIS products for tiny layers (see linear_serial.h). */
#include "linear_serial.h"

#include <blis.h>

/* C (m x n) += A (m x k) B (k x n), each operand given by row and column strides. */
static void gemm_acc(int m, int n, int k, const float *a, int rsa, int csa, const float *b, int rsb, int csb, float *c,
                     int rsc, int csc) {
    rntm_t rntm = BLIS_RNTM_INITIALIZER;
    bli_rntm_set_num_threads(1, &rntm);
    float one = 1.0f;
    bli_sgemm_ex(BLIS_NO_TRANSPOSE, BLIS_NO_TRANSPOSE, m, n, k, &one, (float *)a, rsa, csa, (float *)b, rsb, csb, &one,
                 c, rsc, csc, NULL, &rntm);
}

void linear_serial_forward_acc(float *y, const float *x, const float *weight, int batch, int in, int out) {
    gemm_acc(batch, out, in, x, in, 1, weight, 1, in, y, out, 1); /* weight^T(p, j) = weight[j in + p] */
}

void linear_serial_backward(float *dx, float *dweight, float *dbias, const float *dy, const float *x,
                            const float *weight, int batch, int in, int out) {
    if (dx) gemm_acc(batch, in, out, dy, out, 1, weight, in, 1, dx, in, 1);
    if (dweight) gemm_acc(out, in, batch, dy, 1, out, x, in, 1, dweight, in, 1); /* dy^T(j, n) = dy[n out + j] */
    if (dbias)
        for (int j = 0; j < out; j++) {
            double s = 0.0;
            for (int n = 0; n < batch; n++) s += dy[(size_t)n * out + j];
            dbias[j] += (float)s;
        }
}
