/*
 * test_kern_gap.c: global average pooling, blocked (N, C, H, W) -> plain (N, C).
 * Forward against a naive double mean (|diff| <= 1e-6 + 1e-6 |want|); backward by finite differences
 * (the op is linear: eps 1e-2, tolerance 1e-4 + 1e-3 relative covers float rounding of the loss); padded
 * channels of dx stay zero; shapes include batch 1, odd H/W and C not a multiple of 16.
 */
#include <omp.h>
#include <string.h>

#include "gap.h"
#include "kern_check.h"

static const Shape4 SHAPES[] = {{1, 5, 7, 3}, {3, 16, 9, 9}, {2, 20, 5, 11}, {64, 64, 8, 8}, {2, 33, 1, 1}};
#define NSHAPES (int)(sizeof(SHAPES) / sizeof(SHAPES[0]))

typedef struct {
    const float *x, *r;
    float *y;
    Shape4 s;
} GapCtx;

static double gap_loss(void *p) {
    GapCtx *c = p;
    gap_forward(c->y, c->x, c->s);
    return naive_dot(c->r, c->y, (size_t)c->s.n * c->s.c);
}

static void test_forward(Shape4 s, const float *x, const float *y) {
    for (int n = 0; n < s.n; n++)
        for (int c = 0; c < s.c; c++) {
            double want = 0.0;
            for (int h = 0; h < s.h; h++)
                for (int w = 0; w < s.w; w++) want += x[blocked_offset(s, n, c, h, w)];
            want /= s.h * s.w;
            CHECK_CLOSE(y[(size_t)n * s.c + c], want, 1e-6, 1e-6, "gap_forward vs naive mean");
        }
}

static void test_shape(Shape4 s, Rng *rng) {
    size_t nx = shape_padded_size(s), ny = (size_t)s.n * s.c;
    float *x = sn_alloc(nx * 4), *dx = sn_alloc(nx * 4), *base = sn_alloc(nx * 4);
    float *y = sn_alloc(ny * 4), *y1 = sn_alloc(ny * 4), *r = sn_alloc(ny * 4);
    fill_blocked(x, s, rng, -1, 1);
    fill_uniform(r, ny, rng, -1, 1);
    omp_set_num_threads(1);
    gap_forward(y1, x, s);
    omp_set_num_threads(2);
    gap_forward(y, x, s);
    test_forward(s, x, y);
    CHECK(memcmp(y, y1, ny * 4) == 0, "gap_forward differs between 1 and 2 threads");

    gap_backward(dx, r, s); /* dx starts at zero */
    CHECK(padding_nonzero(dx, s) == 0, "gap_backward wrote into padded channels");
    fill_uniform(base, nx, rng, -1, 1);
    memcpy(dx, base, nx * 4);
    gap_backward(dx, r, s);
    for (size_t i = 0; i < nx; i++) dx[i] -= base[i];
    GapCtx ctx = {.x = x, .r = r, .y = y, .s = s};
    fd_check("gap dx", gap_loss, &ctx, x, dx, nx, 1e-2f, 1e-4, 1e-3, rng, 48);
    sn_free(x), sn_free(dx), sn_free(base), sn_free(y), sn_free(y1), sn_free(r);
}

int main(void) {
    Rng rng;
    rng_seed(&rng, 11, 0);
    for (int i = 0; i < NSHAPES; i++) test_shape(SHAPES[i], &rng);
    TEST_EXIT();
}
