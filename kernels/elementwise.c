/*
 * elementwise.c: pointwise ops and deterministic reductions (see elementwise.h).
 *
 * Reductions: the array is cut into at most REDUCE_CHUNKS chunks whose length depends only on n; each
 * chunk is summed in 16 double lanes (independent lanes let the compiler vectorise without reassociating),
 * the lanes are added in order, and the chunk sums are added serially in order. Threads only decide who
 * computes which chunk, never how the sum is rounded.
 */
#include "elementwise.h"

#include "common.h"
#include "profile.h"

#define REDUCE_CHUNKS 64
#define LANES SN_SUM_LANES
#define MIN_CHUNK 1024

/* Chunk length for an array of n floats: a multiple of LANES, at most REDUCE_CHUNKS chunks. */
static size_t chunk_len(size_t n) {
    size_t len = (n + REDUCE_CHUNKS - 1) / REDUCE_CHUNKS;
    len = (len + LANES - 1) / LANES * LANES;
    return len < MIN_CHUNK ? MIN_CHUNK : len;
}

static size_t chunk_count(size_t n, size_t len) { return (n + len - 1) / len; }

double lanes_total(const double *lane) {
    double s = 0.0;
    for (int j = 0; j < LANES; j++) s += lane[j];
    return s;
}

/* ---------------------------------------------------------------------------------------------
 * ReLU and BLAS-1 style ops */

void relu_forward(float *y, const float *x, size_t n) {
    double t0 = profile_start();
#pragma omp parallel for simd schedule(static) if (n >= SN_PARALLEL_MIN)
    for (size_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
    profile_stop(PROF_RELU, t0);
}

void relu_forward_bf16(bfloat16 *y, const float *x, size_t n) {
    double t0 = profile_start();
#pragma omp parallel for simd schedule(static) if (n >= SN_PARALLEL_MIN)
    for (size_t i = 0; i < n; i++) y[i] = bf16_from_float(x[i] > 0.0f ? x[i] : 0.0f);
    profile_stop(PROF_RELU, t0);
}

void vec_fill(float *y, float value, size_t n) {
#pragma omp parallel for simd schedule(static) if (n >= SN_PARALLEL_MIN)
    for (size_t i = 0; i < n; i++) y[i] = value;
}

void vec_add(float *y, const float *a, const float *b, size_t n) {
#pragma omp parallel for simd schedule(static) if (n >= SN_PARALLEL_MIN)
    for (size_t i = 0; i < n; i++) y[i] = a[i] + b[i];
}

void vec_scale(float *y, float alpha, size_t n) {
#pragma omp parallel for simd schedule(static) if (n >= SN_PARALLEL_MIN)
    for (size_t i = 0; i < n; i++) y[i] *= alpha;
}

void vec_add_scalar(float *y, float c, size_t n) {
#pragma omp parallel for simd schedule(static) if (n >= SN_PARALLEL_MIN)
    for (size_t i = 0; i < n; i++) y[i] += c;
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

void lanes_add(double *lane, const float *a, const float *b, size_t n) {
    size_t i = 0;
    for (; i + LANES <= n; i += LANES) dot_block(lane, a + i, b ? b + i : NULL, LANES);
    dot_block(lane, a + i, b ? b + i : NULL, (int)(n - i));
}

static double dot_segment(const float *a, const float *b, size_t n) {
    double lane[LANES] = {0};
    lanes_add(lane, a, b, n);
    return lanes_total(lane);
}

static double chunked_dot(const float *a, const float *b, size_t n) {
    size_t len = chunk_len(n), chunks = chunk_count(n, len);
    double part[REDUCE_CHUNKS];
#pragma omp parallel for schedule(static) if (n >= SN_PARALLEL_MIN)
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
