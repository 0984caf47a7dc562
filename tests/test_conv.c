/* test_conv.c: oneDNN convolution (forward, backward-data, backward-weights) against naive loops,
 * and the naive gradients against central finite differences; weight import/export round trip;
 * a shape that only has a `ref:` implementation is refused; Winograd is used where expected (3x3,
 * stride 1, >= 32 channels, AVX-512) and meets the same tolerances.
 * Tolerances: kernels vs naive |d| <= 1e-4 + 1e-4|ref| (float accumulation of <= 432 products);
 * finite differences (eps 1e-2, exact for a linear op up to float rounding) within 1e-3 relative. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conv.h"
#include "elementwise.h"
#include "naive_ref.h"
#include "test_util.h"
#include "testlib.h"

typedef struct {
    NaiveConv nc;
    int plain_input, direct_only, bf16;
} Case;

typedef struct {
    ConvPlan *plan;
    Case c;
    float *in_plain, *w_oihw, *r;   /* r: the loss is sum(out * r) */
    float *in_blk, *w_blk, *out_blk, *out_plain;
} Fixture;

static size_t in_size(NaiveConv c) { return (size_t)c.n * c.ci * c.h * c.w; }
static size_t out_size(NaiveConv c) { return (size_t)c.n * c.co * naive_conv_ho(c) * naive_conv_wo(c); }
static size_t w_size(NaiveConv c) { return (size_t)c.co * c.ci * c.k * c.k; }

/* Runs the oneDNN forward on the fixture's plain input and oihw weights; result in out_plain. */
static void forward(Fixture *f) {
    const float *in = f->in_plain;
    if (!f->c.plain_input) tensor_to_blocked(f->in_blk, f->in_plain, conv_in_shape(f->plan)), in = f->in_blk;
    conv_weight_import(f->plan, f->w_blk, f->w_oihw);
    conv_forward(f->plan, f->out_blk, in, f->w_blk);
    tensor_to_plain(f->out_plain, f->out_blk, conv_out_shape(f->plan));
}

static double loss(void *ctx) {
    Fixture *f = ctx;
    forward(f);
    return dot_double(f->out_plain, f->r, out_size(f->c.nc));
}

/* fp32 against the naive loops: 1e-4 absolute + relative. bf16 (8-bit mantissas, operands rounded by
 * at most 2^-9 each): within BF16_TOL of the tensor's scale (its largest |value|), which a sum of K
 * such products meets with a wide margin (measured: 1.8e-3 to 3.0e-3 at worst over the cases). */
#define BF16_TOL 1e-2
static void expect_match(const float *got, const float *want, size_t n, const char *what, const Case *c) {
    size_t worst;
    double scale = 0;
    for (size_t i = 0; i < n; i++) scale = fmax(scale, fabs(want[i]));
    double ratio = c->bf16 ? compare_arrays(got, want, n, BF16_TOL * scale, 0, &worst) : compare_arrays(got, want, n, 1e-4, 1e-4, &worst);
    CHECK(ratio <= 1, "%s (n%d %d->%d %dx%d k%d s%d%s): element %zu got %g want %g (scale %g)", what, c->nc.n, c->nc.ci,
          c->nc.co, c->nc.h, c->nc.w, c->nc.k, c->nc.stride, c->bf16 ? ", bf16" : "", worst, got[worst], want[worst], scale);
}

static void check_fd(Fixture *f, float *x, const float *grad, size_t n, Rng *rng, const char *what) {
    float *v = random_array(n, rng, -1, 1);
    double fd = fd_directional(loss, f, x, v, n, 1e-2), an = dot_double(grad, v, n);
    CHECK(fabs(fd - an) <= 1e-3 * (fabs(an) + 1), "%s: finite difference %.8g vs gradient %.8g", what, fd, an);
    sn_free(v);
}

static void expect_identical(const float *got, const float *want, size_t n, const char *what, const Case *c) {
    CHECK(memcmp(got, want, n * sizeof(float)) == 0, "%s differs from the fp32-operand pass (%d->%d %dx%d k%d)", what,
          c->nc.ci, c->nc.co, c->nc.h, c->nc.w, c->nc.k);
}

/* The bf16-operand entry points (the cells' path) compute exactly what the fp32-operand ones compute
 * after their own conversions: relu_forward_bf16 rounds as oneDNN's reorder does. */
static void check_bf16_operands(Fixture *f, const float *dout) {
    ConvPlan *p = f->plan;
    size_t ni = shape_padded_size(conv_in_shape(p)), no = shape_padded_size(conv_out_shape(p)), nw = conv_weight_floats(p);
    float *relu = sn_alloc(ni * sizeof(float)), *a = sn_alloc(no * sizeof(float)), *b = sn_alloc(no * sizeof(float));
    float *din_a = sn_alloc(ni * sizeof(float)), *din_b = sn_alloc(ni * sizeof(float));
    float *dw_a = sn_alloc(nw * sizeof(float)), *dw_b = sn_alloc(nw * sizeof(float));
    bfloat16 *relu16 = sn_alloc(ni * sizeof(bfloat16));
    relu_forward(relu, f->in_blk, ni);
    relu_forward_bf16(relu16, f->in_blk, ni);
    conv_forward(p, a, relu, f->w_blk);
    conv_forward_bf16(p, b, relu16, f->w_blk);
    expect_identical(b, a, no, "conv_forward_bf16", &f->c);
    conv_backward_weights(p, dw_a, relu, dout);
    conv_backward_data(p, din_a, dout, f->w_blk);
    conv_backward_bf16(p, din_b, dw_b, relu16, dout, f->w_blk);
    expect_identical(dw_b, dw_a, nw, "conv_backward_bf16's weight gradient", &f->c);
    expect_identical(din_b, din_a, ni, "conv_backward_bf16's input gradient", &f->c);
    sn_free(relu), sn_free(a), sn_free(b), sn_free(din_a), sn_free(din_b), sn_free(dw_a), sn_free(dw_b), sn_free(relu16);
}

static void run_case(Case c, Rng *rng) {
    NaiveConv nc = c.nc;
    ConvShape s = {.n = nc.n, .c_in = nc.ci, .c_out = nc.co, .h = nc.h, .w = nc.w, .kernel = nc.k, .stride = nc.stride,
                   .pad = nc.pad, .plain_input = c.plain_input, .direct_only = c.direct_only, .bf16 = c.bf16};
    Fixture f = {.plan = conv_plan_create(s), .c = c, .in_plain = random_array(in_size(nc), rng, -1, 1),
                 .w_oihw = random_array(w_size(nc), rng, -1, 1), .r = random_array(out_size(nc), rng, -1, 1)};
    /* oneDNN's Winograd kernels need AVX-512; elsewhere the plan falls back to direct */
    int want_winograd = !c.direct_only && !c.bf16 && nc.k == 3 && nc.stride == 1 && nc.ci >= 32 && nc.co >= 32 &&
                        __builtin_cpu_supports("avx512f");
    CHECK(conv_is_winograd(f.plan) == want_winograd, "%d->%d %dx%d: Winograd %d, expected %d", nc.ci, nc.co, nc.h,
          nc.w, conv_is_winograd(f.plan), want_winograd);
    Shape4 is = conv_in_shape(f.plan), os = conv_out_shape(f.plan);
    CHECK(os.h == naive_conv_ho(nc) && os.w == naive_conv_wo(nc), "output shape");
    f.in_blk = sn_alloc(shape_padded_size(is) * sizeof(float));
    f.w_blk = sn_alloc(conv_weight_floats(f.plan) * sizeof(float));
    f.out_blk = sn_alloc(shape_padded_size(os) * sizeof(float));
    f.out_plain = sn_alloc(out_size(nc) * sizeof(float));
    float *want = sn_alloc(out_size(nc) * sizeof(float) + in_size(nc) * sizeof(float) + w_size(nc) * sizeof(float));

    /* forward */
    forward(&f);
    naive_conv_forward(want, f.in_plain, f.w_oihw, nc);
    expect_match(f.out_plain, want, out_size(nc), "forward", &c);

    /* weight layout round trip is exact */
    float *w_back = sn_alloc(w_size(nc) * sizeof(float));
    conv_weight_export(f.plan, w_back, f.w_blk);
    CHECK(memcmp(w_back, f.w_oihw, w_size(nc) * sizeof(float)) == 0, "weight import/export round trip");

    /* backward-weights, with dout = r so that it is the gradient of the loss */
    float *dout_blk = sn_alloc(shape_padded_size(os) * sizeof(float)), *dw_blk = sn_alloc(conv_weight_floats(f.plan) * sizeof(float));
    tensor_to_blocked(dout_blk, f.r, os);
    conv_backward_weights(f.plan, dw_blk, c.plain_input ? f.in_plain : f.in_blk, dout_blk);
    conv_weight_export(f.plan, w_back, dw_blk);
    naive_conv_backward_weights(want, f.in_plain, f.r, nc);
    expect_match(w_back, want, w_size(nc), "backward-weights", &c);
    if (!c.bf16) check_fd(&f, f.w_oihw, want, w_size(nc), rng, "d loss / d weights"); /* the naive gradient: once is enough */

    /* backward-data (a plain-input plan writes the plain input gradient itself) */
    {
        float *din_blk = sn_alloc(shape_padded_size(is) * sizeof(float)), *din = sn_alloc(in_size(nc) * sizeof(float));
        conv_weight_import(f.plan, f.w_blk, f.w_oihw);
        conv_backward_data(f.plan, c.plain_input ? din : din_blk, dout_blk, f.w_blk);
        if (!c.plain_input) tensor_to_plain(din, din_blk, is);
        naive_conv_backward_data(want, f.r, f.w_oihw, nc);
        expect_match(din, want, in_size(nc), "backward-data", &c);
        if (!c.bf16) check_fd(&f, f.in_plain, want, in_size(nc), rng, "d loss / d input");
        sn_free(din_blk), sn_free(din);
    }
    if (c.bf16) check_bf16_operands(&f, dout_blk);
    sn_free(dout_blk), sn_free(dw_blk), sn_free(w_back), sn_free(want);
    sn_free(f.in_plain), sn_free(f.w_oihw), sn_free(f.r), sn_free(f.in_blk), sn_free(f.w_blk), sn_free(f.out_blk), sn_free(f.out_plain);
    conv_plan_free(f.plan);
}

/* C = 4 channels in the blocked layout has only oneDNN's reference kernel: creation must refuse. */
static void check_ref_refused(void) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        freopen("/dev/null", "w", stderr);
        conv_plan_create((ConvShape){.n = 2, .c_in = 4, .c_out = 4, .h = 8, .w = 8, .kernel = 3, .stride = 1, .pad = 1,
                                     .direct_only = 1});
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) != 0, "a ref-only convolution was accepted (status %d)", status);
}

int main(void) {
    Rng rng;
    rng_seed(&rng, 42, 0);
    const Case cases[] = {
        {{2, 3, 16, 7, 9, 3, 1, 1}, 1, 0, 0},  /* stem on an RGB batch, odd spatial size */
        {{2, 1, 16, 8, 8, 3, 1, 1}, 1, 0, 0},  /* stem on a grey (Fashion-MNIST) batch */
        {{1, 16, 16, 5, 5, 3, 1, 1}, 0, 0, 0}, /* batch 1 */
        {{2, 16, 16, 6, 7, 1, 1, 0}, 0, 0, 0}, /* 1x1 */
        {{3, 16, 32, 7, 7, 3, 2, 1}, 0, 0, 0}, /* residual block conv_a: stride 2 from an odd size */
        {{2, 32, 16, 4, 3, 1, 1, 0}, 0, 0, 0}, /* 1x1 to fewer channels */
        {{2, 16, 48, 6, 6, 3, 1, 1}, 0, 0, 0}, /* three edges' convs stacked on the output channels */
        {{2, 64, 64, 3, 3, 3, 1, 1}, 0, 0, 0}, /* the last stage's width */
        {{2, 32, 32, 16, 16, 3, 1, 1}, 0, 0, 0}, /* Winograd where the CPU has it: second stage */
        {{3, 64, 64, 8, 8, 3, 1, 1}, 0, 0, 0},   /* third stage */
        {{2, 32, 32, 16, 16, 3, 1, 1}, 0, 1, 0}, /* the same, direct only */
        {{3, 64, 64, 8, 8, 3, 1, 1}, 0, 1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(cases[i], &rng);
    /* bf16 (precision = bf16): the network's convolution shapes; the stem (plain input) stays fp32 */
    const Case bf16_cases[] = {
        {{1, 16, 16, 5, 5, 3, 1, 1}, 0, 0, 1}, {{2, 16, 16, 6, 7, 1, 1, 0}, 0, 0, 1}, {{3, 16, 32, 7, 7, 3, 2, 1}, 0, 0, 1},
        {{2, 16, 48, 6, 6, 3, 1, 1}, 0, 0, 1}, {{2, 32, 32, 16, 16, 3, 1, 1}, 0, 0, 1}, {{3, 64, 64, 8, 8, 3, 1, 1}, 0, 0, 1},
        {{4, 16, 16, 8, 8, 3, 1, 1}, 0, 0, 1}, {{4, 32, 32, 4, 4, 3, 1, 1}, 0, 0, 1}, {{4, 64, 64, 2, 2, 3, 1, 1}, 0, 0, 1},
        {{4, 64, 64, 2, 2, 1, 1, 0}, 0, 0, 1}, {{4, 16, 32, 8, 8, 3, 2, 1}, 0, 0, 1}, {{4, 32, 64, 4, 4, 3, 2, 1}, 0, 0, 1},
        {{4, 32, 64, 2, 2, 1, 1, 0}, 0, 0, 1},
    };
    if (conv_bf16_supported())
        for (size_t i = 0; i < sizeof bf16_cases / sizeof bf16_cases[0]; i++) run_case(bf16_cases[i], &rng);
    else printf("test_conv: bf16 cases skipped: this CPU has no avx512_bf16 (oneDNN's bf16 convolutions need it or AMX)\n");
    check_ref_refused();
    TEST_EXIT();
}
