/*
 * test_kern_linear_serial.c: the one-thread BLIS products of kernels/linear_serial.c against naive
 * double loops, |diff| <= 1e-5 + 1e-5 |want|, on the controller's shapes (1 x 32 -> 128, 1 x 32 -> 5)
 * and odd ones (3 x 7 -> 11); y, dx, dweight and dbias start from random values, so forward and
 * backward are checked to accumulate; NULL outputs are skipped.
 */
#include <string.h>

#include "kern_check.h"
#include "linear_serial.h"

static float *random_buffer(size_t n, Rng *rng) {
    float *p = sn_alloc(n * sizeof(float));
    fill_uniform(p, n, rng, -1, 1);
    return p;
}

static float *copy_of(const float *x, size_t n) {
    float *p = sn_alloc(n * sizeof(float));
    memcpy(p, x, n * sizeof(float));
    return p;
}

static void check_shape(int batch, int in, int out, Rng *rng) {
    float *x = random_buffer((size_t)batch * in, rng), *w = random_buffer((size_t)out * in, rng);
    float *dy = random_buffer((size_t)batch * out, rng), *y0 = random_buffer((size_t)batch * out, rng);
    float *dx0 = random_buffer((size_t)batch * in, rng), *dw0 = random_buffer((size_t)out * in, rng);
    float *db0 = random_buffer((size_t)out, rng);
    float *y = copy_of(y0, (size_t)batch * out), *dx = copy_of(dx0, (size_t)batch * in);
    float *dw = copy_of(dw0, (size_t)out * in), *db = copy_of(db0, (size_t)out);
    linear_serial_forward_acc(y, x, w, batch, in, out);
    linear_serial_backward(dx, dw, db, dy, x, w, batch, in, out);
    for (int n = 0; n < batch; n++)
        for (int j = 0; j < out; j++) {
            double s = y0[n * out + j];
            for (int k = 0; k < in; k++) s += (double)x[n * in + k] * w[j * in + k];
            CHECK_CLOSE(y[n * out + j], s, 1e-5, 1e-5, "y += x w^T");
        }
    for (int n = 0; n < batch; n++)
        for (int k = 0; k < in; k++) {
            double s = dx0[n * in + k];
            for (int j = 0; j < out; j++) s += (double)dy[n * out + j] * w[j * in + k];
            CHECK_CLOSE(dx[n * in + k], s, 1e-5, 1e-5, "dx += dy w");
        }
    for (int j = 0; j < out; j++) {
        double sb = db0[j];
        for (int n = 0; n < batch; n++) sb += dy[n * out + j];
        CHECK_CLOSE(db[j], sb, 1e-5, 1e-5, "dbias += sum dy");
        for (int k = 0; k < in; k++) {
            double s = dw0[j * in + k];
            for (int n = 0; n < batch; n++) s += (double)dy[n * out + j] * x[n * in + k];
            CHECK_CLOSE(dw[j * in + k], s, 1e-5, 1e-5, "dweight += dy^T x");
        }
    }
    /* only dx wanted: the same dx again, dweight and dbias untouched */
    float *dx_full = copy_of(dx, (size_t)batch * in), *dw_full = copy_of(dw, (size_t)out * in);
    float *db_full = copy_of(db, (size_t)out);
    memcpy(dx, dx0, sizeof(float) * batch * in);
    linear_serial_backward(dx, NULL, NULL, dy, x, w, batch, in, out);
    linear_serial_backward(NULL, NULL, NULL, dy, x, w, batch, in, out);
    CHECK(memcmp(dx, dx_full, sizeof(float) * batch * in) == 0, "dx alone equals dx of the full call");
    CHECK(memcmp(dw, dw_full, sizeof(float) * out * in) == 0 && memcmp(db, db_full, sizeof(float) * out) == 0,
          "NULL outputs left alone");
    float *bufs[] = {x, w, dy, y0, dx0, dw0, db0, y, dx, dw, db, dx_full, dw_full, db_full};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) sn_free(bufs[i]);
}

int main(void) {
    Rng rng;
    rng_seed(&rng, 3, 0);
    check_shape(1, 32, 128, &rng);
    check_shape(1, 32, 5, &rng);
    check_shape(3, 7, 11, &rng);
    TEST_EXIT();
}
