/*
 * kern_check.h: helpers shared by the kernel tests (tests/test_kern_*.c): random blocked tensors with
 * zero padding, a padding check, naive double sums, and a central finite-difference gradient check.
 *
 * Gradient checks use a scalar loss L = sum(r * y) with a fixed random r (r is zero in padded channels,
 * like every activation gradient), evaluated in double. The analytic gradient comes from the backward
 * kernel run on dy = r into a buffer pre-filled with random values, so the check also proves that the
 * backward accumulates (+=) instead of overwriting.
 */
#ifndef SN_KERN_CHECK_H
#define SN_KERN_CHECK_H

#include "common.h"
#include "tensor.h"
#include "test_util.h"

static inline void fill_uniform(float *x, size_t n, Rng *rng, double lo, double hi) {
    for (size_t i = 0; i < n; i++) x[i] = (float)(lo + (hi - lo) * rng_uniform(rng));
}

/* Uniform values in the real channels, zero in the padded ones. */
static inline void fill_blocked(float *x, Shape4 s, Rng *rng, double lo, double hi) {
    size_t total = shape_padded_size(s);
    for (size_t i = 0; i < total; i++) x[i] = 0.0f;
    for (int n = 0; n < s.n; n++)
        for (int c = 0; c < s.c; c++)
            for (int h = 0; h < s.h; h++)
                for (int w = 0; w < s.w; w++) x[blocked_offset(s, n, c, h, w)] = (float)(lo + (hi - lo) * rng_uniform(rng));
}

/* Number of nonzero entries in the padded channels [C, 16 * CB). */
static inline size_t padding_nonzero(const float *x, Shape4 s) {
    size_t bad = 0;
    for (int n = 0; n < s.n; n++)
        for (int c = s.c; c < shape_cblocks(s) * SN_CBLOCK; c++)
            for (int h = 0; h < s.h; h++)
                for (int w = 0; w < s.w; w++) bad += x[blocked_offset(s, n, c, h, w)] != 0.0f;
    return bad;
}

static inline double naive_dot(const float *a, const float *b, size_t n) {
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += (double)a[i] * (double)b[i];
    return s;
}

/* The loss as a function of the current contents of the perturbed buffer. */
typedef double (*LossFn)(void *ctx);

/*
 * Central differences (L(x + eps e_i) - L(x - eps e_i)) / (2 eps) against grad[i], on every index when
 * n <= samples, otherwise on `samples` random indices. Passes when |fd - grad| <= atol + rtol |grad|.
 */
static inline void fd_check(const char *what, LossFn loss, void *ctx, float *x, const float *grad, size_t n,
                            float eps, double atol, double rtol, Rng *rng, int samples) {
    for (size_t k = 0; k < (n <= (size_t)samples ? n : (size_t)samples); k++) {
        size_t i = n <= (size_t)samples ? k : rng_below(rng, (uint32_t)n);
        float keep = x[i], hi = keep + eps, lo = keep - eps; /* the float steps actually taken */
        x[i] = hi;
        double up = loss(ctx);
        x[i] = lo;
        double down = loss(ctx);
        x[i] = keep;
        double fd = (up - down) / ((double)hi - (double)lo);
        CHECK(fabs(fd - grad[i]) <= atol + rtol * fabs(grad[i]), "%s: index %zu: backward %.9g, finite difference %.9g",
              what, i, (double)grad[i], fd);
    }
}

#endif
