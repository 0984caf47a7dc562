/* bench_kernels.c: `supernet bench --mode kernels`: fp32 GEMM (BLIS) GFLOP/s on this machine, the
 * roofline the convolution figures are read against. */
#include <blis.h>
#include <stdio.h>

#include "bench.h"
#include "common.h"

typedef struct {
    const char *name;
    double gflops, ms;
} BenchResult;

static BenchResult time_sgemm(int m, int n, int k, int steps) {
    float *a = sn_alloc(sizeof(float) * (size_t)m * k), *b = sn_alloc(sizeof(float) * (size_t)k * n);
    float *c = sn_alloc(sizeof(float) * (size_t)m * n);
    Rng rng;
    rng_seed(&rng, 1, 0);
    for (size_t i = 0; i < (size_t)m * k; i++) a[i] = (float)rng_uniform(&rng);
    for (size_t i = 0; i < (size_t)k * n; i++) b[i] = (float)rng_uniform(&rng);
    float one = 1.0f, zero = 0.0f;
    bli_sgemm(BLIS_NO_TRANSPOSE, BLIS_NO_TRANSPOSE, m, n, k, &one, a, k, 1, b, n, 1, &zero, c, n, 1); /* warm-up */
    double t0 = sn_now();
    for (int s = 0; s < steps; s++)
        bli_sgemm(BLIS_NO_TRANSPOSE, BLIS_NO_TRANSPOSE, m, n, k, &one, a, k, 1, b, n, 1, &zero, c, n, 1);
    double sec = (sn_now() - t0) / steps;
    sn_free(a), sn_free(b), sn_free(c);
    return (BenchResult){"sgemm", 2.0 * m * n * k / sec * 1e-9, sec * 1e3};
}

void bench_kernels(const BenchArgs *args) {
    BenchResult r = time_sgemm(1024, 1024, 1024, args->steps);
    if (args->json)
        printf("{\"mode\":\"kernels\",\"threads\":%d,\"sgemm_1024_gflops\":%.2f}\n", args->threads, r.gflops);
    else
        printf("%-40s %10.2f GFLOP/s %9.3f ms\n", "BLIS sgemm 1024x1024x1024", r.gflops, r.ms);
}
