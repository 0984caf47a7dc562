/*
 * bench.h: `supernet bench`, one benchmark per mode. Each mode prints a human-readable table, or
 * one JSON object when json is set. Benchmarks report figures; they never pass or fail.
 *
 * To add a mode: write `void bench_<mode>(const BenchArgs *args)` in search/bench/bench_<mode>.c,
 * declare it here, and add it to BENCH_MODES and the --mode choices in search/cli/cmd_bench.c.
 */
#ifndef SN_BENCH_H
#define SN_BENCH_H

typedef struct {
    const char *mode;
    int batch;        /* images per step */
    int steps;        /* timed steps after the warm-up */
    int threads;      /* OpenMP threads */
    int json;         /* print JSON instead of a table */
    const char *data; /* dataset folder for modes that read data; NULL = embedded default */
    int profile;      /* network modes: time per oneDNN primitive kind */
    int direct_conv;  /* network modes: no Winograd convolutions */
    const char *precision; /* network modes: fp32 | bf16 (supernet.h) */
    const char *arch; /* eval mode: the cell evaluated (NAS-Bench-201 string or 6-digit code) */
} BenchArgs;

void bench_kernels(const BenchArgs *args); /* peaks, GEMM and convolution GFLOP/s */
/* This CPU's GFLOP/s on registers over the current OpenMP threads (bench_peak.c); 0 when it lacks the
 * instructions (fp32: AVX-512 or AVX2 + FMA; bf16: AVX-512 BF16). */
double bench_peak_fma_gflops(void);
double bench_peak_bf16_gflops(void);
void bench_data(const BenchArgs *args);    /* input pipeline images/s for the search pairing */
void bench_net(const BenchArgs *args);     /* supernet training steps (darts, gdas, discrete) or evaluation */

#endif
