/* bench_kernels.c: `supernet bench --mode kernels`: GFLOP/s of the 3x3 convolution passes at the
 * network's three stage shapes (batch --batch, default 64), next to fp32 GEMM (BLIS) on this machine,
 * the roofline the convolution figures are read against. */
#include <blis.h>
#include <stdio.h>

#include "bench/bench.h"
#include "common.h"
#include "conv.h"

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

typedef enum { PASS_FORWARD, PASS_BACKWARD_DATA, PASS_BACKWARD_WEIGHTS } ConvPass;
static const char *PASS_NAMES[] = {"forward", "backward-data", "backward-weights"};

static void run_pass(ConvPlan *p, ConvPass pass, float *x, float *w, float *y) {
    if (pass == PASS_FORWARD) conv_forward(p, y, x, w);
    else if (pass == PASS_BACKWARD_DATA) conv_backward_data(p, x, y, w);
    else conv_backward_weights(p, w, x, y);
}

/* Times one pass of a 3x3 convolution; returns 0 if `direct_only == 0` would not pick Winograd, which
 * would time direct twice. */
static int time_conv(int batch, int c, int hw, ConvPass pass, int direct_only, int steps, BenchResult *r) {
    Rng rng;
    rng_seed(&rng, 2, 0);
    ConvPlan *p = conv_plan_create((ConvShape){.n = batch, .c_in = c, .c_out = c, .h = hw, .w = hw, .kernel = 3, .stride = 1,
                                               .pad = 1, .direct_only = direct_only});
    if (!direct_only && !conv_is_winograd(p)) {
        conv_plan_free(p);
        return 0;
    }
    float *x = random_buffer(shape_padded_size(conv_in_shape(p)), &rng);
    float *y = random_buffer(shape_padded_size(conv_out_shape(p)), &rng);
    float *w = random_buffer(conv_weight_floats(p), &rng);
    double t0 = 0;
    for (int s = -1; s < steps; s++) {
        if (s == 0) t0 = sn_now();
        run_pass(p, pass, x, w, y);
    }
    double sec = (sn_now() - t0) / steps;
    *r = (BenchResult){"", conv_flops(p) / sec * 1e-9, sec * 1e3};
    snprintf(r->name, sizeof r->name, "conv3x3 C=%d %dx%d N=%d %s %s", c, hw, hw, batch, PASS_NAMES[pass],
             direct_only ? "direct" : "winograd");
    sn_free(x), sn_free(y), sn_free(w);
    conv_plan_free(p);
    return 1;
}

void bench_kernels(const BenchArgs *args) {
    enum { N_RESULTS = 19 };
    BenchResult results[N_RESULTS];
    int n = 0;
    results[n++] = time_sgemm(1024, args->steps);
    const int shapes[3][2] = {{16, 32}, {32, 16}, {64, 8}};
    for (int i = 0; i < 3; i++)
        for (int direct_only = 1; direct_only >= 0; direct_only--)
            for (ConvPass pass = PASS_FORWARD; pass <= PASS_BACKWARD_WEIGHTS; pass++)
                n += time_conv(args->batch, shapes[i][0], shapes[i][1], pass, direct_only, args->steps, &results[n]);
    if (args->json) {
        printf("{\"mode\":\"kernels\",\"threads\":%d,\"results\":[", args->threads);
        for (int i = 0; i < n; i++)
            printf("%s{\"name\":\"%s\",\"gflops\":%.2f,\"ms\":%.4f}", i ? "," : "", results[i].name, results[i].gflops, results[i].ms);
        printf("]}\n");
        return;
    }
    printf("%-53s %12s %10s\n", "kernel", "GFLOP/s", "ms");
    for (int i = 0; i < n; i++) printf("%-53s %12.2f %10.3f\n", results[i].name, results[i].gflops, results[i].ms);
}
