/*
 * elementwise.c: pointwise ops, deterministic reductions and the fused mixed-op passes (see elementwise.h).
 *
 * Reductions: the array is cut into at most REDUCE_CHUNKS chunks whose length depends only on n; each
 * chunk is summed in 16 double lanes (independent lanes let the compiler vectorise without reassociating),
 * the lanes are added in order, and the chunk sums are added serially in order. Threads only decide who
 * computes which chunk, never how the sum is rounded.
 */
#include "elementwise.h"

#include <string.h>

#include "common.h"

#define REDUCE_CHUNKS 64
#define LANES 16
#define MIN_CHUNK 1024
/* Below this many floats a parallel region costs more than it saves. */
#define PARALLEL_MIN 32768

/* Chunk length for an array of n floats: a multiple of LANES, at most REDUCE_CHUNKS chunks. */
static size_t chunk_len(size_t n) {
    size_t len = (n + REDUCE_CHUNKS - 1) / REDUCE_CHUNKS;
    len = (len + LANES - 1) / LANES * LANES;
    return len < MIN_CHUNK ? MIN_CHUNK : len;
}

static size_t chunk_count(size_t n, size_t len) { return (n + len - 1) / len; }

static double sum_lanes(const double *lane) {
    double s = 0.0;
    for (int j = 0; j < LANES; j++) s += lane[j];
    return s;
}

/* ---------------------------------------------------------------------------------------------
 * ReLU and BLAS-1 style ops */

void relu_forward(float *y, const float *x, size_t n) {
#pragma omp parallel for simd schedule(static) if (n >= PARALLEL_MIN)
    for (size_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void relu_backward(float *dx, const float *dy, const float *x, size_t n) {
#pragma omp parallel for simd schedule(static) if (n >= PARALLEL_MIN)
    for (size_t i = 0; i < n; i++) dx[i] += x[i] > 0.0f ? dy[i] : 0.0f;
}

void vec_fill(float *y, float value, size_t n) {
#pragma omp parallel for simd schedule(static) if (n >= PARALLEL_MIN)
    for (size_t i = 0; i < n; i++) y[i] = value;
}

void vec_add(float *y, const float *a, const float *b, size_t n) {
#pragma omp parallel for simd schedule(static) if (n >= PARALLEL_MIN)
    for (size_t i = 0; i < n; i++) y[i] = a[i] + b[i];
}

void vec_scale(float *y, float alpha, size_t n) {
#pragma omp parallel for simd schedule(static) if (n >= PARALLEL_MIN)
    for (size_t i = 0; i < n; i++) y[i] *= alpha;
}

void vec_add_scalar(float *y, float c, size_t n) {
#pragma omp parallel for simd schedule(static) if (n >= PARALLEL_MIN)
    for (size_t i = 0; i < n; i++) y[i] += c;
}

void vec_axpy(float *y, float alpha, const float *x, size_t n) {
#pragma omp parallel for simd schedule(static) if (n >= PARALLEL_MIN)
    for (size_t i = 0; i < n; i++) y[i] += alpha * x[i];
}

/* ---------------------------------------------------------------------------------------------
 * Reductions */

/* One block of `width` (<= LANES) elements of a * b (of a alone when b is NULL), element j into lane j. */
static inline void dot_block(double *lane, const float *a, const float *b, int width) {
    if (b)
        for (int j = 0; j < width; j++) lane[j] += (double)a[j] * (double)b[j];
    else
        for (int j = 0; j < width; j++) lane[j] += (double)a[j];
}

static double dot_segment(const float *a, const float *b, size_t n) {
    double lane[LANES] = {0};
    size_t i = 0;
    for (; i + LANES <= n; i += LANES) dot_block(lane, a + i, b ? b + i : NULL, LANES);
    dot_block(lane, a + i, b ? b + i : NULL, (int)(n - i));
    return sum_lanes(lane);
}

static double chunked_dot(const float *a, const float *b, size_t n) {
    size_t len = chunk_len(n), chunks = chunk_count(n, len);
    double part[REDUCE_CHUNKS];
#pragma omp parallel for schedule(static) if (n >= PARALLEL_MIN)
    for (size_t c = 0; c < chunks; c++) {
        size_t lo = c * len, hi = lo + len < n ? lo + len : n;
        part[c] = dot_segment(a + lo, b ? b + lo : NULL, hi - lo);
    }
    double s = 0.0;
    for (size_t c = 0; c < chunks; c++) s += part[c];
    return s;
}

double vec_dot(const float *a, const float *b, size_t n) { return chunked_dot(a, b, n); }

double vec_sum(const float *x, size_t n) { return chunked_dot(x, NULL, n); }

/* ---------------------------------------------------------------------------------------------
 * Fused mixed-op passes */

/* y[i .. i + width) of the mixed-op sum, input by input, so each inner loop runs along contiguous floats. */
/* Many-input passes work through the arrays in blocks of BLOCK floats: each input is streamed once
 * from memory into simple, vectorisable loops over an L1-resident accumulator, instead of one loop
 * whose body walks a variable number of arrays (which compilers turn into gathers or scalar code). */
#define BLOCK 2048

static inline void block_axpy(float *restrict acc, float a, const float *restrict x, size_t len) {
    for (size_t i = 0; i < len; i++) acc[i] += a * x[i];
}

static inline void block_scale(float *restrict acc, float a, const float *restrict x, size_t len) {
    for (size_t i = 0; i < len; i++) acc[i] = a * x[i];
}

void mix_forward(float *y, const float *const *xs, const float *w, int k, size_t n) {
    SN_ASSERT(k >= 1 && k <= SN_MIX_MAX, "mix_forward: %d inputs (1..%d)", k, SN_MIX_MAX);
    for (int q = 0; q < k; q++) SN_ASSERT(xs[q], "mix_forward: input %d is NULL", q);
    size_t blocks = (n + BLOCK - 1) / BLOCK;
#pragma omp parallel for schedule(static) if (n >= PARALLEL_MIN)
    for (size_t b = 0; b < blocks; b++) {
        size_t lo = b * BLOCK, len = n - lo < BLOCK ? n - lo : BLOCK;
        float acc[BLOCK]; /* y may alias an input: it is written only after every input was read */
        block_scale(acc, w[0], xs[0] + lo, len);
        for (int q = 1; q < k; q++) block_axpy(acc, w[q], xs[q] + lo, len);
        memcpy(y + lo, acc, len * sizeof(float));
    }
}

static inline void block_gated_sum(float *restrict out, const float *restrict direct, const float *restrict gate,
                                   const float *restrict gated, size_t len) {
    for (size_t i = 0; i < len; i++) out[i] = direct[i] + (gate[i] > 0.0f ? gated[i] : 0.0f);
}

/* lane[i % LANES] += x[i] * g[i]; len is a multiple of LANES except at the end of the array. */
static inline void block_dot_lanes(double *restrict lane, const float *restrict x, const float *restrict g, size_t len) {
    size_t i = 0;
    for (; i + LANES <= len; i += LANES)
        for (int j = 0; j < LANES; j++) lane[j] += (double)x[i + j] * (double)g[i + j];
    for (int j = 0; i + j < len; j++) lane[j] += (double)x[i + j] * (double)g[i + j];
}

/* One BLOCK of mix_relu_sum at offset lo; the dot products go into lanes. */
static void mix_relu_block(float *dx, double lane[][LANES], const float *const *xs, const float *a, int nx,
                           const float *gate, const float *const *ys, const float *b, int ny, size_t lo, size_t len) {
    float direct[BLOCK], gated[BLOCK];
    if (nx) block_scale(direct, a[0], xs[0] + lo, len);
    else memset(direct, 0, len * sizeof(float));
    for (int q = 1; q < nx; q++) block_axpy(direct, a[q], xs[q] + lo, len);
    if (lane)
        for (int q = 0; q < nx; q++) block_dot_lanes(lane[q], xs[q] + lo, gate + lo, len);
    if (ny == 0) {
        memcpy(dx + lo, direct, len * sizeof(float));
        return;
    }
    block_scale(gated, b[0], ys[0] + lo, len);
    for (int r = 1; r < ny; r++) block_axpy(gated, b[r], ys[r] + lo, len);
    block_gated_sum(dx + lo, direct, gate + lo, gated, len);
}

void mix_relu_sum(float *dx, double *dots, const float *const *xs, const float *a, int nx, const float *gate,
                  const float *const *ys, const float *b, int ny, size_t n) {
    SN_ASSERT(nx >= 0 && nx <= SN_MIX_MAX && ny >= 0 && ny <= SN_MIX_MAX && nx + ny >= 1, "mix_relu_sum: %d + %d inputs",
              nx, ny);
    size_t len = chunk_len(n), chunks = chunk_count(n, len);
    double part[REDUCE_CHUNKS][SN_MIX_MAX];
#pragma omp parallel for schedule(static) if (n >= PARALLEL_MIN)
    for (size_t c = 0; c < chunks; c++) {
        size_t lo = c * len, hi = lo + len < n ? lo + len : n;
        double lane[SN_MIX_MAX][LANES] = {{0}};
        for (size_t at = lo; at < hi; at += BLOCK)
            mix_relu_block(dx, dots ? lane : NULL, xs, a, nx, gate, ys, b, ny, at, hi - at < BLOCK ? hi - at : BLOCK);
        for (int q = 0; dots && q < nx; q++) part[c][q] = sum_lanes(lane[q]);
    }
    for (int q = 0; dots && q < nx; q++) {
        double s = 0.0;
        for (size_t c = 0; c < chunks; c++) s += part[c][q];
        dots[q] += s;
    }
}
