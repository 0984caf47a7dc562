/*
 * test_kern_linear.c: the BLIS-backed linear layer against naive loops and by finite differences.
 * - forward and every backward product against triple loops in double: |diff| <= 1e-5 + 1e-5 |want|
 *   (float GEMM with at most 120-term dot products);
 * - backward accumulates: buffers pre-filled with random values, the difference is the gradient;
 * - finite differences of L = sum(r * y) w.r.t. x, weight and bias (the op is linear: eps 1e-2,
 *   tolerance 1e-4 + 1e-3 relative);
 * - bias NULL and NULL gradient outputs.
 */
#include <string.h>

#include "kern_check.h"
#include "linear.h"

typedef struct {
    int batch, in, out;
} Dims;

typedef struct {
    const float *x, *w, *b, *r;
    float *y;
    Dims d;
} LinCtx;

static double lin_loss(void *p) {
    LinCtx *c = p;
    linear_forward(c->y, c->x, c->w, c->b, c->d.batch, c->d.in, c->d.out);
    return naive_dot(c->r, c->y, (size_t)c->d.batch * c->d.out);
}

/* Checks forward and all three gradients against naive loops; dx, dw, db hold gradient minus base. */
static void check_naive(Dims d, const float *x, const float *w, const float *b, const float *y, const float *r,
                        const float *dx, const float *dw, const float *db) {
    for (int n = 0; n < d.batch; n++)
        for (int j = 0; j < d.out; j++) {
            double s = b ? b[j] : 0.0;
            for (int k = 0; k < d.in; k++) s += (double)x[n * d.in + k] * w[j * d.in + k];
            CHECK_CLOSE(y[n * d.out + j], s, 1e-5, 1e-5, "linear_forward vs naive");
        }
    for (int n = 0; n < d.batch; n++)
        for (int k = 0; k < d.in; k++) {
            double s = 0.0;
            for (int j = 0; j < d.out; j++) s += (double)r[n * d.out + j] * w[j * d.in + k];
            CHECK_CLOSE(dx[n * d.in + k], s, 1e-5, 1e-5, "linear dx vs naive");
        }
    for (int j = 0; j < d.out; j++) {
        double sb = 0.0;
        for (int n = 0; n < d.batch; n++) sb += r[n * d.out + j];
        CHECK_CLOSE(db[j], sb, 1e-5, 1e-5, "linear dbias vs naive");
        for (int k = 0; k < d.in; k++) {
            double s = 0.0;
            for (int n = 0; n < d.batch; n++) s += (double)r[n * d.out + j] * x[n * d.in + k];
            CHECK_CLOSE(dw[j * d.in + k], s, 1e-5, 1e-5, "linear dweight vs naive");
        }
    }
}

static float *random_buffer(size_t n, Rng *rng) {
    float *p = sn_alloc(n * 4);
    fill_uniform(p, n, rng, -1, 1);
    return p;
}

/* Runs linear_backward with dy = r into buffers holding random values and leaves only the increments. */
static void grads(float *dx, float *dw, float *db, const LinCtx *c, Rng *rng) {
    size_t nx = (size_t)c->d.batch * c->d.in, nw = (size_t)c->d.out * c->d.in;
    float *bx = random_buffer(nx, rng), *bw = random_buffer(nw, rng), *bb = random_buffer(c->d.out, rng);
    memcpy(dx, bx, nx * 4), memcpy(dw, bw, nw * 4), memcpy(db, bb, (size_t)c->d.out * 4);
    linear_backward(dx, dw, db, c->r, c->x, c->w, c->d.batch, c->d.in, c->d.out);
    for (size_t i = 0; i < nx; i++) dx[i] -= bx[i];
    for (size_t i = 0; i < nw; i++) dw[i] -= bw[i];
    for (int i = 0; i < c->d.out; i++) db[i] -= bb[i];
    sn_free(bx), sn_free(bw), sn_free(bb);
}

static void test_dims(Dims d, Rng *rng) {
    size_t nx = (size_t)d.batch * d.in, nw = (size_t)d.out * d.in, ny = (size_t)d.batch * d.out;
    float *x = random_buffer(nx, rng), *w = random_buffer(nw, rng), *b = random_buffer(d.out, rng);
    float *r = random_buffer(ny, rng), *y = sn_alloc(ny * 4);
    float *dx = sn_alloc(nx * 4), *dw = sn_alloc(nw * 4), *db = sn_alloc((size_t)d.out * 4);
    LinCtx ctx = {.x = x, .w = w, .b = b, .r = r, .y = y, .d = d};
    grads(dx, dw, db, &ctx, rng);
    linear_forward(y, x, w, b, d.batch, d.in, d.out);
    check_naive(d, x, w, b, y, r, dx, dw, db);
    fd_check("linear dx", lin_loss, &ctx, x, dx, nx, 1e-2f, 1e-4, 1e-3, rng, 32);
    fd_check("linear dweight", lin_loss, &ctx, w, dw, nw, 1e-2f, 1e-4, 1e-3, rng, 32);
    fd_check("linear dbias", lin_loss, &ctx, b, db, (size_t)d.out, 1e-2f, 1e-4, 1e-3, rng, 32);

    /* no bias; only dweight requested */
    linear_forward(y, x, w, NULL, d.batch, d.in, d.out);
    float *dw2 = sn_alloc(nw * 4);
    linear_backward(NULL, dw2, NULL, r, x, w, d.batch, d.in, d.out);
    for (int n = 0; n < d.batch; n++)
        for (int j = 0; j < d.out; j++) {
            double s = 0.0;
            for (int k = 0; k < d.in; k++) s += (double)x[n * d.in + k] * w[j * d.in + k];
            CHECK_CLOSE(y[n * d.out + j], s, 1e-5, 1e-5, "linear_forward without bias");
        }
    for (size_t i = 0; i < nw; i++) CHECK_CLOSE(dw2[i], dw[i], 1e-5, 1e-5, "linear dweight alone");
    sn_free(x), sn_free(w), sn_free(b), sn_free(r), sn_free(y), sn_free(dx), sn_free(dw), sn_free(db), sn_free(dw2);
}

int main(void) {
    static const Dims DIMS[] = {{1, 64, 10}, {5, 7, 3}, {64, 64, 10}, {3, 17, 120}, {1, 1, 1}};
    Rng rng;
    rng_seed(&rng, 13, 0);
    for (size_t i = 0; i < sizeof(DIMS) / sizeof(DIMS[0]); i++) test_dims(DIMS[i], &rng);
    TEST_EXIT();
}
