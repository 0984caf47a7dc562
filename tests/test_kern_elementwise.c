/*
 * test_kern_elementwise.c: relu, the BLAS-1 ops and the reductions.
 *
 * - values against naive loops (exact for pointwise ops; reductions within 1e-12 relative of a naive
 *   double sum), relu on blocked shapes with batch 1, odd spatial sizes and C not a multiple of 16;
 * - padded channels stay zero; reductions are bit-identical for 1, 2 and 3 threads.
 */
#include <omp.h>

#include "elementwise.h"
#include "kern_check.h"

static const Shape4 SHAPES[] = {{1, 5, 7, 3}, {3, 16, 9, 9}, {2, 20, 5, 11}, {8, 20, 17, 15}};
#define NSHAPES (int)(sizeof(SHAPES) / sizeof(SHAPES[0]))

/* ---------------------------------------------------------------------------------------------
 * relu */

static void test_relu(Shape4 s, Rng *rng) {
    size_t n = shape_padded_size(s);
    float *x = sn_alloc(n * 4), *y = sn_alloc(n * 4);
    fill_blocked(x, s, rng, -1, 1);
    relu_forward(y, x, n);
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) bad += y[i] != (x[i] > 0 ? x[i] : 0.0f);
    CHECK(bad == 0, "relu_forward: %zu values differ from max(x, 0)", bad);
    CHECK(padding_nonzero(y, s) == 0, "relu_forward: padding became nonzero");
    relu_forward(x, x, n); /* in place */
    CHECK(naive_dot(x, x, n) == naive_dot(y, y, n), "relu_forward in place differs");
    sn_free(x), sn_free(y);
}

/* ---------------------------------------------------------------------------------------------
 * BLAS-1 ops and reductions */

static void test_blas1(size_t n, Rng *rng) {
    float *a = sn_alloc(n * 4), *b = sn_alloc(n * 4), *y = sn_alloc(n * 4);
    fill_uniform(a, n, rng, -1, 1);
    fill_uniform(b, n, rng, -1, 1);
    size_t bad = 0;
    vec_fill(y, 0.75f, n);
    for (size_t i = 0; i < n; i++) bad += y[i] != 0.75f;
    vec_add(y, a, b, n);
    for (size_t i = 0; i < n; i++) bad += y[i] != a[i] + b[i];
    vec_scale(y, -1.5f, n);
    for (size_t i = 0; i < n; i++) bad += y[i] != (a[i] + b[i]) * -1.5f;
    vec_add(y, a, a, n);
    vec_add_scalar(y, 0.25f, n);
    for (size_t i = 0; i < n; i++) bad += y[i] != (a[i] + a[i]) + 0.25f;
    CHECK(bad == 0, "fill/add/scale/add_scalar (n = %zu): %zu values differ from the naive loop", n, bad);

    double dots[3], sums[3];
    for (int t = 1; t <= 3; t++) {
        omp_set_num_threads(t);
        dots[t - 1] = vec_dot(a, b, n);
        sums[t - 1] = vec_sum(a, n);
    }
    omp_set_num_threads(2);
    double want_dot = naive_dot(a, b, n), want_sum = 0.0;
    for (size_t i = 0; i < n; i++) want_sum += a[i];
    CHECK_CLOSE(dots[0], want_dot, 1e-12 * n, 0, "vec_dot vs naive");
    CHECK_CLOSE(sums[0], want_sum, 1e-12 * n, 0, "vec_sum vs naive");
    CHECK(dots[0] == dots[1] && dots[1] == dots[2], "vec_dot (n = %zu) differs across 1/2/3 threads", n);
    CHECK(sums[0] == sums[1] && sums[1] == sums[2], "vec_sum (n = %zu) differs across 1/2/3 threads", n);
    sn_free(a), sn_free(b), sn_free(y);
}

int main(void) {
    Rng rng;
    rng_seed(&rng, 7, 0);
    for (int i = 0; i < NSHAPES; i++) test_relu(SHAPES[i], &rng);
    size_t sizes[] = {1, 15, 16, 1000, 1025, 65536 + 3, 1000003};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) test_blas1(sizes[i], &rng);
    TEST_EXIT();
}
