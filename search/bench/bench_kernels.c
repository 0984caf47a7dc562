/* bench_kernels.c: `supernet bench --mode kernels`: GFLOP/s of the 3x3 convolution passes at the
 * network's three stage shapes (batch --batch, default 64; fp32 direct and Winograd, bf16), next to
 * this machine's measured peaks (bench_peak.c) and fp32 GEMM (BLIS), the roofline the convolution
 * figures are read against. */
#include <blis.h>
#include <stdio.h>

#include "bench/bench.h"
#include "common.h"
#include "conv.h"
#include "elementwise.h"

typedef struct {
    char name[64];
    double gflops, ms;
} BenchResult;

static float *random_buffer(size_t n, Rng *rng) {
    float *a = sn_alloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++) a[i] = (float)(rng_uniform(rng) - 0.5);
    return a;
}

static BenchResult time_sgemm(int size, int steps) {
    Rng rng;
    rng_seed(&rng, 1, 0);
    size_t n = (size_t)size * size;
    float *a = random_buffer(n, &rng), *b = random_buffer(n, &rng), *c = sn_alloc(n * sizeof(float));
    float one = 1.0f, zero = 0.0f;
    double t0 = 0;
    for (int s = -1; s < steps; s++) { /* step -1 is the warm-up */
        if (s == 0) t0 = sn_now();
        bli_sgemm(BLIS_NO_TRANSPOSE, BLIS_NO_TRANSPOSE, size, size, size, &one, a, size, 1, b, size, 1, &zero, c, size, 1);
    }
    double sec = (sn_now() - t0) / steps;
    sn_free(a), sn_free(b), sn_free(c);
    BenchResult r = {"", 2.0 * n * size / sec * 1e-9, sec * 1e3};
    snprintf(r.name, sizeof r.name, "BLIS sgemm %dx%dx%d", size, size, size);
    return r;
}

typedef enum { PASS_FORWARD, PASS_BACKWARD_DATA, PASS_BACKWARD_WEIGHTS, PASS_BACKWARD_BF16 } ConvPass;
static const char *PASS_NAMES[] = {"forward", "backward-data", "backward-weights", "backward (both)"};
typedef enum { KIND_DIRECT, KIND_WINOGRAD, KIND_BF16 } ConvKind;
static const char *KIND_NAMES[] = {"direct", "winograd", "bf16"};

/* bf16 plans are timed on the cells' entry points (input already bf16, weights and output gradient
 * rounded inside), and their backward as the one call that runs both passes. */
static void run_pass(ConvPlan *p, ConvPass pass, float *x, const bfloat16 *x16, float *w, float *dw, float *y) {
    if (x16 && pass == PASS_FORWARD) conv_forward_bf16(p, y, x16, w);
    else if (x16) conv_backward_bf16(p, x, dw, x16, y, w);
    else if (pass == PASS_FORWARD) conv_forward(p, y, x, w);
    else if (pass == PASS_BACKWARD_DATA) conv_backward_data(p, x, y, w);
    else conv_backward_weights(p, dw, x, y);
}

/* Times one pass of a 3x3 convolution; returns 0 when the plan does not exist here (no Winograd for
 * this shape, no bf16 on this CPU), so that nothing is timed twice. */
static int time_conv(int batch, int c, int hw, ConvPass pass, ConvKind kind, int steps, BenchResult *r) {
    if (kind == KIND_BF16 && !conv_bf16_supported()) return 0;
    Rng rng;
    rng_seed(&rng, 2, 0);
    ConvPlan *p = conv_plan_create((ConvShape){.n = batch, .c_in = c, .c_out = c, .h = hw, .w = hw, .kernel = 3, .stride = 1,
                                               .pad = 1, .direct_only = kind == KIND_DIRECT, .bf16 = kind == KIND_BF16});
    if (kind == KIND_WINOGRAD && !conv_is_winograd(p)) {
        conv_plan_free(p);
        return 0;
    }
    size_t nx = shape_padded_size(conv_in_shape(p));
    float *x = random_buffer(nx, &rng), *y = random_buffer(shape_padded_size(conv_out_shape(p)), &rng);
    float *w = random_buffer(conv_weight_floats(p), &rng), *dw = random_buffer(conv_weight_floats(p), &rng);
    bfloat16 *x16 = kind == KIND_BF16 ? sn_alloc(nx * sizeof(bfloat16)) : NULL;
    if (x16) relu_forward_bf16(x16, x, nx);
    double t0 = 0;
    for (int s = -1; s < steps; s++) {
        if (s == 0) t0 = sn_now();
        run_pass(p, pass, x, x16, w, dw, y);
    }
    double sec = (sn_now() - t0) / steps, flops = conv_flops(p) * (pass == PASS_BACKWARD_BF16 ? 2 : 1);
    *r = (BenchResult){"", flops / sec * 1e-9, sec * 1e3};
    snprintf(r->name, sizeof r->name, "conv3x3 C=%d %dx%d N=%d %s %s", c, hw, hw, batch, PASS_NAMES[pass], KIND_NAMES[kind]);
    sn_free(x), sn_free(y), sn_free(w), sn_free(dw), sn_free(x16);
    conv_plan_free(p);
    return 1;
}

static int time_shape(int batch, int c, int hw, int steps, BenchResult *out) {
    int n = 0;
    for (ConvKind kind = KIND_DIRECT; kind <= KIND_WINOGRAD; kind++)
        for (ConvPass pass = PASS_FORWARD; pass <= PASS_BACKWARD_WEIGHTS; pass++)
            n += time_conv(batch, c, hw, pass, kind, steps, &out[n]);
    n += time_conv(batch, c, hw, PASS_FORWARD, KIND_BF16, steps, &out[n]);
    n += time_conv(batch, c, hw, PASS_BACKWARD_BF16, KIND_BF16, steps, &out[n]);
    return n;
}

static BenchResult peak_result(const char *what, double gflops) {
    BenchResult r = {"", gflops, 0};
    snprintf(r.name, sizeof r.name, "peak %s", what);
    return r;
}

void bench_kernels(const BenchArgs *args) {
    enum { N_RESULTS = 32 };
    BenchResult results[N_RESULTS];
    int n = 0;
    results[n++] = peak_result("fp32 FMA (registers)", bench_peak_fma_gflops());
    if (conv_bf16_supported()) results[n++] = peak_result("bf16 dot products (vdpbf16ps)", bench_peak_bf16_gflops());
    results[n++] = time_sgemm(1024, args->steps);
    const int shapes[3][2] = {{16, 32}, {32, 16}, {64, 8}};
    for (int i = 0; i < 3; i++) n += time_shape(args->batch, shapes[i][0], shapes[i][1], args->steps, &results[n]);
    if (args->json) {
        printf("{\"mode\":\"kernels\",\"threads\":%d,\"results\":[", args->threads);
        for (int i = 0; i < n; i++)
            printf("%s{\"name\":\"%s\",\"gflops\":%.2f,\"ms\":%.4f}", i ? "," : "", results[i].name, results[i].gflops, results[i].ms);
        printf("]}\n");
        return;
    }
    printf("%-53s %12s %10s\n", "kernel", "GFLOP/s", "ms");
    for (int i = 0; i < n; i++) /* the peaks are rates only */
        if (results[i].ms > 0) printf("%-53s %12.2f %10.3f\n", results[i].name, results[i].gflops, results[i].ms);
        else printf("%-53s %12.2f\n", results[i].name, results[i].gflops);
}
