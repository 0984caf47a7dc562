/* bench_peak.c: this CPU's arithmetic peaks for `bench --mode kernels`, the ceilings every GFLOP/s
 * figure is read against: fp32 fused multiply-adds and bf16 dot products (vdpbf16ps) on registers
 * only, many independent accumulators per thread so that latency never limits them, on every thread.
 * AMX (Intel's tile unit, which oneDNN also uses for bf16) is not measured here. */
#include <immintrin.h>
#include <omp.h>

#include "bench/bench.h"
#include "common.h"

#define ACCUMULATORS 16
#define ROUNDS 20000000L
#define REPEATS 3

/* Seconds for kernel(rounds) on every thread at once. */
static double time_all_threads(float (*kernel)(long), long rounds, int *threads) {
    volatile float sink = 0.0f;
    double t0 = sn_now();
#pragma omp parallel reduction(+ : sink)
    {
#pragma omp single
        *threads = omp_get_num_threads();
        sink += kernel(rounds);
    }
    (void)sink;
    return sn_now() - t0;
}

/* flops_per_round * rounds * threads / seconds, the best of REPEATS after a warm-up on every thread:
 * a peak is the fastest the CPU goes, so thread start-up and clocks still rising must not lower it. */
static double on_all_threads(float (*kernel)(long), double flops_per_round) {
    int threads = 1;
    time_all_threads(kernel, ROUNDS / 4, &threads);
    double best = 1e30;
    for (int r = 0; r < REPEATS; r++) {
        double sec = time_all_threads(kernel, ROUNDS, &threads);
        if (sec < best) best = sec;
    }
    return flops_per_round * (double)ROUNDS * threads / best * 1e-9;
}

__attribute__((target("avx512f"))) static float fma_avx512(long rounds) {
    __m512 acc[ACCUMULATORS], a = _mm512_set1_ps(0.999f), b = _mm512_set1_ps(1e-3f);
    for (int i = 0; i < ACCUMULATORS; i++) acc[i] = _mm512_set1_ps((float)i);
    for (long r = 0; r < rounds; r++)
        for (int i = 0; i < ACCUMULATORS; i++) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    for (int i = 1; i < ACCUMULATORS; i++) acc[0] = _mm512_add_ps(acc[0], acc[i]);
    return _mm512_reduce_add_ps(acc[0]);
}

__attribute__((target("avx2,fma"))) static float fma_avx2(long rounds) {
    __m256 acc[ACCUMULATORS], a = _mm256_set1_ps(0.999f), b = _mm256_set1_ps(1e-3f);
    for (int i = 0; i < ACCUMULATORS; i++) acc[i] = _mm256_set1_ps((float)i);
    for (long r = 0; r < rounds; r++)
        for (int i = 0; i < ACCUMULATORS; i++) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
    for (int i = 1; i < ACCUMULATORS; i++) acc[0] = _mm256_add_ps(acc[0], acc[i]);
    float lanes[8];
    _mm256_storeu_ps(lanes, acc[0]);
    return lanes[0] + lanes[7];
}

/* Each vdpbf16ps multiplies 32 pairs of bf16 and adds them into 16 fp32 lanes: 64 flops. */
__attribute__((target("avx512f,avx512bf16"))) static float dot_bf16(long rounds) {
    __m512 acc[ACCUMULATORS];
    __m512bh a = (__m512bh)_mm512_set1_epi32(0x3F803F80), b = (__m512bh)_mm512_set1_epi32(0x3A803A80); /* 1, 2^-10 */
    for (int i = 0; i < ACCUMULATORS; i++) acc[i] = _mm512_set1_ps((float)i);
    for (long r = 0; r < rounds; r++)
        for (int i = 0; i < ACCUMULATORS; i++) acc[i] = _mm512_dpbf16_ps(acc[i], a, b);
    for (int i = 1; i < ACCUMULATORS; i++) acc[0] = _mm512_add_ps(acc[0], acc[i]);
    return _mm512_reduce_add_ps(acc[0]);
}

double bench_peak_fma_gflops(void) {
    if (__builtin_cpu_supports("avx512f")) return on_all_threads(fma_avx512, ACCUMULATORS * 32.0);
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return on_all_threads(fma_avx2, ACCUMULATORS * 16.0);
    return 0.0;
}

double bench_peak_bf16_gflops(void) {
    return __builtin_cpu_supports("avx512bf16") ? on_all_threads(dot_bf16, ACCUMULATORS * 64.0) : 0.0;
}
