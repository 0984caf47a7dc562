/*
 * test_kern_node_pass.c: the fused node passes against naive loops built on the naive pooling
 * (tests/support/naive_ref.c) in plain NCHW, on blocked shapes with batch 1, 1x1 and 1-wide images,
 * odd sizes and C not a multiple of 16; every count of plain, pooled and gated terms from 0 to 2, and
 * every choice of batch-normalised plain terms.
 * - values within 1e-5 (absolute + relative): the passes divide by the window size in a different order;
 * - dots of the direct terms within 1e-9 + 1e-9 relative of a double sum of the same floats, of the
 *   pooled terms within 4e-7 sum |term * gate| (a few float roundings per term), the output's sum within
 *   1e-9 + 1e-12 relative of a double sum of the output, both bit-identical for 1, 2 and 3 threads; padded
 *   channels stay zero.
 */
#include <omp.h>
#include <string.h>

#include "bn.h"
#include "kern_check.h"
#include "naive_ref.h"
#include "node_pass.h"
#include "testlib.h"

static const Shape4 SHAPES[] = {{1, 5, 7, 3}, {3, 16, 9, 9}, {2, 20, 5, 11}, {2, 16, 1, 1}, {1, 32, 1, 6}, {4, 16, 32, 32}};
#define NSHAPES (int)(sizeof SHAPES / sizeof SHAPES[0])
#define NIN 7

/* avgpool3x3 (or its transpose) of a blocked tensor, through the naive plain-layout loops. */
static void naive_pool_blocked(float *out, const float *in, Shape4 s, int transpose) {
    size_t plain = (size_t)s.n * s.c * s.h * s.w;
    float *a = sn_alloc(plain * sizeof(float)), *b = sn_alloc(plain * sizeof(float));
    tensor_to_plain(a, in, s);
    memset(b, 0, plain * sizeof(float));
    if (transpose) naive_avgpool_backward(b, a, s.n, s.c, s.h, s.w, 3, 1, 1);
    else naive_avgpool_forward(b, a, s.n, s.c, s.h, s.w, 3, 1, 1);
    tensor_to_blocked(out, b, s);
    sn_free(a), sn_free(b);
}

typedef struct {
    Shape4 s;
    size_t n;
    float *in[NIN], *pooled[NIN], *pooled_t[NIN]; /* inputs, their pooling and transposed pooling */
    float *gate, *got, *want;
    float *mean, *var; /* (C): the statistics of the normalised terms */
} Fixture;

static void count_bad(const Fixture *f, const char *what, int a, int b, int c) {
    size_t bad = 0;
    for (size_t i = 0; i < f->n; i++) bad += !(fabsf(f->got[i] - f->want[i]) <= 1e-5f * (1.0f + fabsf(f->want[i])));
    CHECK(bad == 0, "%s (%dx%dx%dx%d, %d/%d/%d terms): %zu values differ from the naive loops", what, f->s.n, f->s.c,
          f->s.h, f->s.w, a, b, c, bad);
    CHECK(padding_nonzero(f->got, f->s) == 0, "%s: padding became nonzero", what);
}

/* Plain term q is batch-normalised with the fixture's statistics when `normalized` has bit q. */
static void check_sum(Fixture *f, int np, int nq, int normalized) {
    TermList plain = {.k = 0}, pooled = {.k = 0};
    static const float w[] = {0.7f, -1.2f, 0.4f, 2.0f};
    for (int q = 0; q < np; q++)
        if (normalized >> q & 1) terms_add_normalized(&plain, f->in[q], w[q], f->mean, f->var);
        else terms_add(&plain, f->in[q], w[q]);
    for (int r = 0; r < nq; r++) terms_add(&pooled, f->in[2 + r], w[2 + r]);
    node_sum(f->got, &plain, &pooled, f->s);
    for (size_t i = 0; i < f->n; i++) {
        int c = (int)(i / (f->n / ((size_t)f->s.n * shape_cblocks(f->s))) % shape_cblocks(f->s)) * SN_CBLOCK + (int)(i % SN_CBLOCK);
        float v = 0.0f;
        for (int q = 0; q < np; q++)
            v += normalized >> q & 1 ? w[q] * (f->in[q][i] - f->mean[c]) / sqrtf(f->var[c] + SN_BN_EPS) : w[q] * f->in[q][i];
        for (int r = 0; r < nq; r++) v += w[2 + r] * f->pooled[2 + r][i];
        f->want[i] = v;
    }
    count_bad(f, normalized ? "node_sum (normalised terms)" : "node_sum", np, nq, 0);
}

static double naive_abs_dot(const float *a, const float *b, size_t n) {
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += fabs((double)a[i] * b[i]);
    return s;
}

static double naive_sum(const float *x, size_t n) {
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += x[i];
    return s;
}

static void check_grad(Fixture *f, int nd, int nq, int ng) {
    TermList direct = {.k = 0}, pooled = {.k = 0}, gated = {.k = 0};
    static const float w[] = {1.0f, -0.6f, 0.9f, 1.5f, -0.3f, 0.8f};
    for (int q = 0; q < nd; q++) terms_add(&direct, f->in[q], w[q]);
    for (int r = 0; r < nq; r++) terms_add(&pooled, f->in[2 + r], w[2 + r]);
    for (int t = 0; t < ng; t++) terms_add(&gated, f->in[4 + t], w[4 + t]);
    double dots[3][4], sums[3];
    for (int threads = 1; threads <= 3; threads++) {
        omp_set_num_threads(threads);
        for (int q = 0; q < 4; q++) dots[threads - 1][q] = 0.25 * q;
        node_grad(f->got, dots[threads - 1], &sums[threads - 1], &direct, &pooled, f->gate, &gated, f->s);
    }
    omp_set_num_threads(2);
    for (size_t i = 0; i < f->n; i++) {
        float d = 0.0f, g = 0.0f;
        for (int q = 0; q < nd; q++) d += w[q] * f->in[q][i];
        for (int r = 0; r < nq; r++) d += w[2 + r] * f->pooled_t[2 + r][i];
        for (int t = 0; t < ng; t++) g += w[4 + t] * f->in[4 + t][i];
        f->want[i] = d + (f->gate[i] > 0.0f ? g : 0.0f);
    }
    count_bad(f, "node_grad", nd, nq, ng);
    CHECK_CLOSE(sums[0], naive_sum(f->got, f->n), 1e-9, 1e-12, "node_grad dx_sum");
    CHECK(sums[1] == sums[0] && sums[2] == sums[0], "node_grad dx_sum differs across 1/2/3 threads");
    for (int q = 0; q < nd + nq; q++) {
        /* a pooled term's floats may differ from the naive ones by an ulp or two: bound the sum by that */
        const float *term = q < nd ? f->in[q] : f->pooled_t[2 + q - nd];
        double atol = q < nd ? 1e-9 : 4e-7 * naive_abs_dot(term, f->gate, f->n);
        CHECK_CLOSE(dots[0][q], naive_dot(term, f->gate, f->n) + 0.25 * q, atol, 1e-9, "node_grad dot");
        for (int t = 1; t < 3; t++) CHECK(dots[t][q] == dots[0][q], "node_grad dot %d differs for %d threads", q, t + 1);
    }
}

static void run_shape(Shape4 s, Rng *rng) {
    Fixture f = {.s = s, .n = shape_padded_size(s), .mean = random_array(s.c, rng, -0.5, 0.5),
                 .var = random_array(s.c, rng, 0.1, 2.0)};
    for (int q = 0; q < NIN; q++) {
        f.in[q] = sn_alloc(f.n * sizeof(float)), f.pooled[q] = sn_alloc(f.n * sizeof(float));
        f.pooled_t[q] = sn_alloc(f.n * sizeof(float));
        fill_blocked(f.in[q], s, rng, -1, 1);
        naive_pool_blocked(f.pooled[q], f.in[q], s, 0);
        naive_pool_blocked(f.pooled_t[q], f.in[q], s, 1);
    }
    f.gate = f.in[6], f.got = sn_alloc(f.n * sizeof(float)), f.want = sn_alloc(f.n * sizeof(float));
    for (int np = 0; np <= 2; np++)
        for (int nq = 0; nq <= 2; nq++) {
            for (int normalized = 0; normalized < 1 << np; normalized++)
                if (np + nq) check_sum(&f, np, nq, normalized);
            for (int ng = 0; ng <= 2; ng++)
                if (np + nq + ng) check_grad(&f, np, nq, ng);
        }
    for (int q = 0; q < NIN; q++) sn_free(f.in[q]), sn_free(f.pooled[q]), sn_free(f.pooled_t[q]);
    sn_free(f.got), sn_free(f.want), sn_free(f.mean), sn_free(f.var);
}

int main(void) {
    Rng rng;
    rng_seed(&rng, 23, 0);
    for (int i = 0; i < NSHAPES; i++) run_shape(SHAPES[i], &rng);
    TEST_EXIT();
}
