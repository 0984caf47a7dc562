/* test_bn.c: oneDNN batch norm (training with batch statistics, eval with given statistics,
 * backward, optional affine) and bn_batch_stats (also: the same for any thread count) against naive
 * loops, a batch held in two shares (statistics and input gradient from summed reductions), the backward against central finite differences, and the running-statistics update against
 * hand-computed values.
 * Tolerances: kernels vs naive |d| <= 1e-4 + 1e-4|ref|; finite differences (eps 1e-3 on a
 * nonlinear op in float) within 2e-3 + 1e-2 relative. */
#include <omp.h>
#include <string.h>

#include "bn.h"
#include "naive_ref.h"
#include "test_util.h"
#include "testlib.h"

typedef struct {
    BnPlan *plan;
    Shape4 s;
    int affine;
    float *in, *gamma, *beta, *r; /* plain input; the loss is sum(out * r) */
    float *in_blk, *out_blk, *out, *mean, *var;
} Fixture;

static size_t plain_size(Shape4 s) { return (size_t)s.n * s.c * s.h * s.w; }

static void forward(Fixture *f) {
    tensor_to_blocked(f->in_blk, f->in, f->s);
    bn_forward_train(f->plan, f->out_blk, f->mean, f->var, f->in_blk, f->gamma, f->beta);
    tensor_to_plain(f->out, f->out_blk, f->s);
}

static double loss(void *ctx) {
    Fixture *f = ctx;
    forward(f);
    return dot_double(f->out, f->r, plain_size(f->s));
}

static void expect_match(const float *got, const float *want, size_t n, const char *what, Shape4 s) {
    size_t worst;
    double ratio = compare_arrays(got, want, n, 1e-4, 1e-4, &worst);
    CHECK(ratio <= 1, "%s (%dx%dx%dx%d): element %zu got %g want %g", what, s.n, s.c, s.h, s.w, worst, got[worst], want[worst]);
}

static void check_fd(Fixture *f, float *x, const float *grad, size_t n, Rng *rng, const char *what) {
    float *v = random_array(n, rng, -1, 1);
    double fd = fd_directional(loss, f, x, v, n, 1e-3), an = dot_double(grad, v, n);
    CHECK(fabs(fd - an) <= 2e-3 + 1e-2 * fabs(an), "%s: finite difference %.8g vs gradient %.8g", what, fd, an);
    sn_free(v);
}

static void check_eval(Fixture *f, Rng *rng) {
    Shape4 s = f->s;
    float *rmean = random_array(s.c, rng, -0.5, 0.5), *rvar = random_array(s.c, rng, 0.5, 2.0);
    float *want = sn_alloc(plain_size(s) * sizeof(float));
    bn_forward_eval(f->plan, f->out_blk, f->in_blk, rmean, rvar, f->gamma, f->beta);
    tensor_to_plain(f->out, f->out_blk, s);
    naive_bn_forward_stats(want, f->in, rmean, rvar, f->gamma, f->beta, s.n, s.c, s.h, s.w, SN_BN_EPS);
    expect_match(f->out, want, plain_size(s), "eval forward with running statistics", s);
    sn_free(rmean), sn_free(rvar), sn_free(want);
}

/* bn_batch_stats: the naive statistics, and the same bits for 1, 2 and 3 threads. */
static void check_batch_stats(Fixture *f, const float *wmean, const float *wvar) {
    int c = f->s.c;
    float *mean = sn_alloc(3 * c * sizeof(float)), *var = sn_alloc(3 * c * sizeof(float));
    for (int t = 0; t < 3; t++) {
        omp_set_num_threads(t + 1);
        bn_batch_stats(f->plan, mean + t * c, var + t * c, f->in_blk);
    }
    omp_set_num_threads(2);
    expect_match(mean, wmean, c, "bn_batch_stats mean", f->s);
    expect_match(var, wvar, c, "bn_batch_stats variance", f->s);
    CHECK(memcmp(mean, mean + c, c * sizeof(float)) == 0 && memcmp(mean, mean + 2 * c, c * sizeof(float)) == 0 &&
              memcmp(var, var + c, c * sizeof(float)) == 0 && memcmp(var, var + 2 * c, c * sizeof(float)) == 0,
          "bn_batch_stats differs across 1/2/3 threads");
    sn_free(mean), sn_free(var);
}

/* A batch held in two shares, as two processes hold it: the sums of the shares' bn_batch_sums give the
 * whole batch's statistics, and bn_backward_data_sums from the summed backward reductions (dbeta, dgamma
 * of bn_backward on each share) the whole batch's input gradient, want_din. */
static void check_two_shares(Fixture *f, const float *dout_blk, const float *want_din) {
    Shape4 s = f->s, h = s;
    h.n = s.n / 2;
    int c = s.c;
    size_t share = shape_padded_size(h);
    BnPlan *half = bn_plan_create(h, 1);
    double *sums = sn_alloc(4 * c * sizeof(double)), *part = sums + 2 * c, count = (double)s.n * s.h * s.w;
    float *mean = sn_alloc(c * sizeof(float)), *var = sn_alloc(c * sizeof(float)), *ones = sn_alloc(2 * c * sizeof(float));
    float *dg = sn_alloc(c * sizeof(float)), *db = sn_alloc(c * sizeof(float));
    float *din_blk = sn_alloc(shape_padded_size(s) * sizeof(float)), *din = sn_alloc(plain_size(s) * sizeof(float));
    for (int i = 0; i < c; i++) ones[i] = 1.0f;
    for (int k = 0; k < 2; k++) {
        bn_batch_sums(half, part, part + c, f->in_blk + k * share);
        for (int i = 0; i < 2 * c; i++) sums[i] += part[i];
    }
    bn_stats_from_sums(mean, var, sums, sums + c, c, count);
    expect_match(mean, f->mean, c, "mean from two shares' sums", s);
    expect_match(var, f->var, c, "variance from two shares' sums", s);
    memset(sums, 0, 2 * c * sizeof(double));
    const float *gamma = f->gamma ? f->gamma : ones, *beta = f->beta ? f->beta : ones + c;
    for (int k = 0; k < 2; k++) {
        bn_backward(half, din_blk, dg, db, dout_blk + k * share, f->in_blk + k * share, mean, var, gamma, beta);
        for (int i = 0; i < c; i++) sums[i] += db[i], sums[c + i] += dg[i];
    }
    for (int k = 0; k < 2; k++)
        bn_backward_data_sums(half, din_blk + k * share, dout_blk + k * share, f->in_blk + k * share, mean, var, f->gamma,
                              sums, sums + c, count);
    tensor_to_plain(din, din_blk, s);
    expect_match(din, want_din, plain_size(s), "d input from two shares' sums", s);
    sn_free(sums), sn_free(mean), sn_free(var), sn_free(ones), sn_free(dg), sn_free(db), sn_free(din_blk), sn_free(din);
    bn_plan_free(half);
}

static void run_case(Shape4 s, int affine, Rng *rng) {
    size_t n = plain_size(s);
    Fixture f = {.plan = bn_plan_create(s, affine), .s = s, .affine = affine, .in = random_array(n, rng, -2, 3),
                 .r = random_array(n, rng, -1, 1)};
    if (affine) f.gamma = random_array(s.c, rng, 0.5, 1.5), f.beta = random_array(s.c, rng, -0.5, 0.5);
    f.in_blk = sn_alloc(shape_padded_size(s) * sizeof(float));
    f.out_blk = sn_alloc(shape_padded_size(s) * sizeof(float));
    f.out = sn_alloc(n * sizeof(float));
    f.mean = sn_alloc(s.c * sizeof(float)), f.var = sn_alloc(s.c * sizeof(float));
    float *want = sn_alloc(n * sizeof(float)), *wmean = sn_alloc(s.c * sizeof(float)), *wvar = sn_alloc(s.c * sizeof(float));

    forward(&f);
    naive_bn_forward(want, wmean, wvar, f.in, f.gamma, f.beta, s.n, s.c, s.h, s.w, SN_BN_EPS);
    expect_match(f.out, want, n, "training forward", s);
    expect_match(f.mean, wmean, s.c, "batch mean", s);
    expect_match(f.var, wvar, s.c, "batch variance (biased)", s);
    check_batch_stats(&f, wmean, wvar);

    float *dout_blk = sn_alloc(shape_padded_size(s) * sizeof(float)), *din_blk = sn_alloc(shape_padded_size(s) * sizeof(float));
    float *din = sn_alloc(n * sizeof(float)), *dg = sn_alloc(s.c * sizeof(float)), *db = sn_alloc(s.c * sizeof(float));
    float *wdg = sn_alloc(s.c * sizeof(float)), *wdb = sn_alloc(s.c * sizeof(float));
    tensor_to_blocked(dout_blk, f.r, s);
    bn_backward(f.plan, din_blk, dg, db, dout_blk, f.in_blk, f.mean, f.var, f.gamma, f.beta);
    tensor_to_plain(din, din_blk, s);
    naive_bn_backward(want, wdg, wdb, f.r, f.in, f.gamma, s.n, s.c, s.h, s.w, SN_BN_EPS);
    expect_match(din, want, n, "backward d input", s);
    if (s.n % 2 == 0) check_two_shares(&f, dout_blk, want);
    check_fd(&f, f.in, want, n, rng, "d loss / d input");
    if (affine) {
        expect_match(dg, wdg, s.c, "backward d gamma", s);
        expect_match(db, wdb, s.c, "backward d beta", s);
        check_fd(&f, f.gamma, wdg, s.c, rng, "d loss / d gamma");
        check_fd(&f, f.beta, wdb, s.c, rng, "d loss / d beta");
    }
    forward(&f);
    check_eval(&f, rng);

    sn_free(want), sn_free(wmean), sn_free(wvar), sn_free(dout_blk), sn_free(din_blk), sn_free(din);
    sn_free(dg), sn_free(db), sn_free(wdg), sn_free(wdb);
    sn_free(f.in), sn_free(f.gamma), sn_free(f.beta), sn_free(f.r), sn_free(f.in_blk), sn_free(f.out_blk);
    sn_free(f.out), sn_free(f.mean), sn_free(f.var);
    bn_plan_free(f.plan);
}

static void check_running_update(void) {
    /* PyTorch BatchNorm2d, momentum 0.1, batch of N*H*W = 4 values per channel:
     * mean 0 -> 0.9*0 + 0.1*1 = 0.1; var 1 -> 0.9*1 + 0.1*2*(4/3) = 1.1666667 */
    float rm[2] = {0, 5}, rv[2] = {1, 3}, mean[2] = {1, -5}, var[2] = {2, 0};
    bn_update_running(rm, rv, mean, var, 2, 4, 0.1f);
    CHECK_CLOSE(rm[0], 0.1, 1e-7, 0, "running mean");
    CHECK_CLOSE(rv[0], 0.9 + 0.2 * 4.0 / 3.0, 1e-6, 0, "running variance (unbiased update)");
    CHECK_CLOSE(rm[1], 4.0, 1e-6, 0, "running mean 2");
    CHECK_CLOSE(rv[1], 2.7, 1e-6, 0, "running variance 2");
}

int main(void) {
    Rng rng;
    rng_seed(&rng, 7, 0);
    run_case((Shape4){.n = 2, .c = 16, .h = 5, .w = 5}, 0, &rng);
    run_case((Shape4){.n = 1, .c = 32, .h = 3, .w = 7}, 1, &rng); /* batch 1, odd spatial size */
    run_case((Shape4){.n = 4, .c = 16, .h = 8, .w = 8}, 1, &rng);
    run_case((Shape4){.n = 3, .c = 64, .h = 2, .w = 2}, 0, &rng);
    run_case((Shape4){.n = 40, .c = 32, .h = 4, .w = 4}, 0, &rng); /* more images than bn_batch_stats' 16 groups */
    check_running_update();
    TEST_EXIT();
}
