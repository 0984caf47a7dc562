/* test_pool.c: oneDNN average pooling (3x3/s1/p1 excluding padding, 2x2/s2) against naive loops,
 * the divisor at corners/borders/inside, and the backward against central finite differences.
 * Tolerances: kernels vs naive |d| <= 1e-5 + 1e-5|ref|; finite differences (linear op, eps 1e-2)
 * within 1e-3 relative. */
#include "naive_ref.h"
#include "pool.h"
#include "test_util.h"
#include "testlib.h"

typedef struct {
    PoolPlan *plan;
    Shape4 in, out;
    float *x, *r, *x_blk, *y_blk, *y;
} Fixture;

static size_t plain_size(Shape4 s) { return (size_t)s.n * s.c * s.h * s.w; }

static double loss(void *ctx) {
    Fixture *f = ctx;
    tensor_to_blocked(f->x_blk, f->x, f->in);
    pool_forward(f->plan, f->y_blk, f->x_blk);
    tensor_to_plain(f->y, f->y_blk, f->out);
    return dot_double(f->y, f->r, plain_size(f->out));
}

static void expect_match(const float *got, const float *want, size_t n, const char *what) {
    size_t worst;
    double ratio = compare_arrays(got, want, n, 1e-5, 1e-5, &worst);
    CHECK(ratio <= 1, "%s: element %zu got %g want %g", what, worst, got[worst], want[worst]);
}

static void run_case(Shape4 in, int k, int stride, int pad, Rng *rng) {
    Fixture f = {.plan = pool_plan_create(in, k, stride, pad), .in = in};
    f.out = pool_out_shape(f.plan);
    CHECK(f.out.h == (in.h + 2 * pad - k) / stride + 1, "pool output height");
    f.x = random_array(plain_size(in), rng, -1, 1);
    f.r = random_array(plain_size(f.out), rng, -1, 1);
    f.x_blk = sn_alloc(shape_padded_size(in) * sizeof(float));
    f.y_blk = sn_alloc(shape_padded_size(f.out) * sizeof(float));
    f.y = sn_alloc(plain_size(f.out) * sizeof(float));
    float *want = sn_alloc(plain_size(in) * sizeof(float)), *din_blk = sn_alloc(shape_padded_size(in) * sizeof(float));
    float *din = sn_alloc(plain_size(in) * sizeof(float)), *dout_blk = sn_alloc(shape_padded_size(f.out) * sizeof(float));

    loss(&f);
    naive_avgpool_forward(want, f.x, in.n, in.c, in.h, in.w, k, stride, pad);
    expect_match(f.y, want, plain_size(f.out), "avg pool forward");

    tensor_to_blocked(dout_blk, f.r, f.out);
    pool_backward(f.plan, din_blk, dout_blk);
    tensor_to_plain(din, din_blk, in);
    naive_avgpool_backward(want, f.r, in.n, in.c, in.h, in.w, k, stride, pad);
    expect_match(din, want, plain_size(in), "avg pool backward");

    float *v = random_array(plain_size(in), rng, -1, 1);
    double fd = fd_directional(loss, &f, f.x, v, plain_size(in), 1e-2), an = dot_double(want, v, plain_size(in));
    CHECK(fabs(fd - an) <= 1e-3 * (fabs(an) + 1), "avg pool d loss / d input: fd %.8g vs %.8g", fd, an);

    sn_free(v), sn_free(want), sn_free(din_blk), sn_free(din), sn_free(dout_blk);
    sn_free(f.x), sn_free(f.r), sn_free(f.x_blk), sn_free(f.y_blk), sn_free(f.y);
    pool_plan_free(f.plan);
}

/* One 1 at pixel (0,0): the 3x3 windows that see it divide by 4 (corner), 6 (border), 9 (inside). */
static void check_divisor(void) {
    Shape4 s = {.n = 1, .c = 16, .h = 4, .w = 4};
    PoolPlan *p = pool_plan_create(s, 3, 1, 1);
    float *x = sn_alloc(shape_padded_size(s) * sizeof(float)), *y = sn_alloc(shape_padded_size(s) * sizeof(float));
    x[blocked_offset(s, 0, 3, 0, 0)] = 1.0f;
    pool_forward(p, y, x);
    CHECK_CLOSE(y[blocked_offset(s, 0, 3, 0, 0)], 1.0 / 4, 1e-7, 0, "corner divisor");
    CHECK_CLOSE(y[blocked_offset(s, 0, 3, 0, 1)], 1.0 / 6, 1e-7, 0, "border divisor");
    CHECK_CLOSE(y[blocked_offset(s, 0, 3, 1, 1)], 1.0 / 9, 1e-7, 0, "inside divisor");
    CHECK_CLOSE(y[blocked_offset(s, 0, 2, 0, 0)], 0.0, 0, 0, "other channels untouched");
    sn_free(x), sn_free(y);
    pool_plan_free(p);
}

int main(void) {
    Rng rng;
    rng_seed(&rng, 3, 0);
    run_case((Shape4){.n = 2, .c = 16, .h = 5, .w = 7}, 3, 1, 1, &rng);
    run_case((Shape4){.n = 1, .c = 32, .h = 4, .w = 4}, 3, 1, 1, &rng);
    run_case((Shape4){.n = 2, .c = 16, .h = 8, .w = 8}, 2, 2, 0, &rng);
    run_case((Shape4){.n = 1, .c = 64, .h = 7, .w = 7}, 2, 2, 0, &rng);
    check_divisor();
    TEST_EXIT();
}
