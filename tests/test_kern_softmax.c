/*
 * test_kern_softmax.c: row softmax / log-softmax on alpha-sized matrices and the GDAS Gumbel-softmax.
 * - forwards against naive double formulas: |diff| <= 1e-7 + 1e-6 |want| (outputs are stored as float);
 * - backwards by central finite differences of L = sum(r * out), accumulated onto random values.
 *   Outputs are float, so the loss carries ~1e-7 rounding: eps = 2e-3 and tolerance 1e-4 + 1e-3 relative
 *   (truncation O(eps^2 / tau^3) stays below 1e-4 for tau >= 0.3; observed errors <= 8e-5 at gradients ~1);
 * - Gumbel-softmax backward for tau = 10, 1, 0.3: the DARTS/GDAS straight-through chain of REFERENCE 1.7;
 * - gdas_sample: one-hot at the argmax of probs, probs consistent with the gumbels it returns, choice
 *   frequencies over 20000 draws within 0.015 of softmax(alpha) (> 4 standard deviations), and the
 *   resample guard (an Rng whose first output is 0 gives g = +inf; the draw must be redone).
 */
#include <string.h>

#include "kern_check.h"
#include "softmax.h"

#define EPS 2e-3f
#define ATOL 1e-4
#define RTOL 1e-3

typedef enum { SOFTMAX, LOG_SOFTMAX, GUMBEL } Which;

typedef struct {
    Which which;
    const float *x, *g, *r;
    float *y;
    int rows, cols;
    double tau;
} SmCtx;

static void forward(SmCtx *c) {
    if (c->which == SOFTMAX) softmax_forward(c->y, c->x, c->rows, c->cols);
    else if (c->which == LOG_SOFTMAX) log_softmax_forward(c->y, c->x, c->rows, c->cols);
    else gumbel_softmax_forward(c->y, c->x, c->g, c->rows, c->cols, c->tau);
}

static double sm_loss(void *p) {
    SmCtx *c = p;
    forward(c);
    return naive_dot(c->r, c->y, (size_t)c->rows * c->cols);
}

/* The expected forward output of entry (row, k), straight from the definitions. */
static double naive_out(const SmCtx *c, int row, int k) {
    const float *x = c->x + (size_t)row * c->cols, *g = c->g ? c->g + (size_t)row * c->cols : NULL;
    double lse = 0.0;
    for (int j = 0; j < c->cols; j++) lse += exp((double)x[j]);
    lse = log(lse);
    if (c->which == SOFTMAX) return exp(x[k] - lse);
    if (c->which == LOG_SOFTMAX) return x[k] - lse;
    double z = 0.0;
    for (int j = 0; j < c->cols; j++) z += exp((x[j] - lse + g[j]) / c->tau);
    return exp((x[k] - lse + g[k]) / c->tau) / z;
}

static void backward(float *dx, SmCtx *c) {
    forward(c);
    if (c->which == SOFTMAX) softmax_backward(dx, c->r, c->y, c->rows, c->cols);
    else if (c->which == LOG_SOFTMAX) log_softmax_backward(dx, c->r, c->y, c->rows, c->cols);
    else gumbel_softmax_backward(dx, c->r, c->y, c->x, c->rows, c->cols, c->tau);
}

static void test_op(Which which, int rows, int cols, double tau, const char *what, Rng *rng) {
    size_t n = (size_t)rows * cols;
    float *x = sn_alloc(n * 4), *g = sn_alloc(n * 4), *r = sn_alloc(n * 4), *y = sn_alloc(n * 4);
    float *dx = sn_alloc(n * 4), *base = sn_alloc(n * 4);
    fill_uniform(x, n, rng, -2, 2);
    fill_uniform(g, n, rng, -1, 3);
    fill_uniform(r, n, rng, -1, 1);
    SmCtx c = {.which = which, .x = x, .g = which == GUMBEL ? g : NULL, .r = r, .y = y, .rows = rows, .cols = cols,
               .tau = tau};
    forward(&c);
    for (int i = 0; i < rows; i++)
        for (int k = 0; k < cols; k++) CHECK_CLOSE(y[i * cols + k], naive_out(&c, i, k), 1e-7, 1e-6, what);
    fill_uniform(base, n, rng, -1, 1);
    memcpy(dx, base, n * 4);
    backward(dx, &c);
    for (size_t i = 0; i < n; i++) dx[i] -= base[i];
    fd_check(what, sm_loss, &c, x, dx, n, EPS, ATOL, RTOL, rng, 64);
    for (int i = 0; i < rows && which != LOG_SOFTMAX; i++) { /* shift invariance: each row of dx sums to 0 */
        double sum = 0.0;
        for (int k = 0; k < cols; k++) sum += dx[i * cols + k];
        CHECK_CLOSE(sum, 0.0, 1e-6, 0, "row sum of the input gradient");
    }
    sn_free(x), sn_free(g), sn_free(r), sn_free(y), sn_free(dx), sn_free(base);
}

/* ---------------------------------------------------------------------------------------------
 * gdas_sample */

static void check_draw(const float *hard, const float *probs, const float *gumbel, const int *choice,
                       const float *alpha, int rows, int cols, double tau) {
    float *p = sn_alloc((size_t)rows * cols * 4);
    gumbel_softmax_forward(p, alpha, gumbel, rows, cols, tau);
    CHECK(memcmp(p, probs, (size_t)rows * cols * 4) == 0, "gdas_sample: probs differ from its gumbels' softmax");
    for (int i = 0; i < rows; i++) {
        for (int k = 0; k < cols; k++) {
            CHECK(probs[i * cols + k] <= probs[i * cols + choice[i]], "gdas_sample: choice is not the argmax");
            CHECK(hard[i * cols + k] == (k == choice[i] ? 1.0f : 0.0f), "gdas_sample: hard is not one-hot");
            CHECK(isfinite(gumbel[i * cols + k]), "gdas_sample: gumbel not finite");
        }
    }
    sn_free(p);
}

static void test_gdas_frequencies(double tau) {
    enum { COLS = 5, DRAWS = 20000 };
    const float alpha[COLS] = {0.5f, -1.0f, 0.2f, 1.0f, 0.0f};
    float hard[COLS], probs[COLS], gumbel[COLS], want[COLS];
    int choice, count[COLS] = {0};
    Rng rng;
    rng_seed(&rng, 23, 4);
    for (int d = 0; d < DRAWS; d++) {
        gdas_sample(hard, probs, gumbel, &choice, alpha, 1, COLS, tau, &rng);
        count[choice]++;
    }
    check_draw(hard, probs, gumbel, &choice, alpha, 1, COLS, tau);
    softmax_forward(want, alpha, 1, COLS);
    for (int k = 0; k < COLS; k++) CHECK_CLOSE((double)count[k] / DRAWS, want[k], 0.015, 0, "gdas choice frequency");
}

/* An Rng whose next output is 0: the first uniform is 0, E = 0 and g = +inf, so the draw is redone. */
static void test_gdas_guard(void) {
    enum { ROWS = 6, COLS = 5, N = ROWS * COLS };
    float alpha[N], hard[N], probs[N], gumbel[N];
    int choice[ROWS];
    Rng rng = {{0x1234, 0, 0x5678, 0x9abc}}, copy = rng;
    CHECK(rng_u64(&copy) == 0, "guard test: crafted Rng does not start with 0");
    for (int i = 1; i < N; i++) rng_u64(&copy); /* skip the rest of the rejected draw */
    for (int i = 0; i < N; i++) alpha[i] = 1e-3f * (float)(i % 7 - 3);
    gdas_sample(hard, probs, gumbel, choice, alpha, ROWS, COLS, 10.0, &rng);
    check_draw(hard, probs, gumbel, choice, alpha, ROWS, COLS, 10.0);
    for (int i = 0; i < N; i++) {
        double u = (double)(rng_u64(&copy) >> 11) * 0x1.0p-53;
        CHECK(gumbel[i] == (float)-log(-log(1.0 - u)), "guard: gumbel %d is not from the second draw", i);
    }
}

int main(void) {
    Rng rng;
    rng_seed(&rng, 19, 0);
    test_op(SOFTMAX, 6, 5, 1.0, "softmax", &rng);
    test_op(SOFTMAX, 3, 7, 1.0, "softmax", &rng);
    test_op(LOG_SOFTMAX, 6, 5, 1.0, "log_softmax", &rng);
    test_op(LOG_SOFTMAX, 1, 1, 1.0, "log_softmax 1x1", &rng);
    test_op(GUMBEL, 6, 5, 10.0, "gumbel softmax tau 10", &rng);
    test_op(GUMBEL, 6, 5, 1.0, "gumbel softmax tau 1", &rng);
    test_op(GUMBEL, 3, 7, 0.3, "gumbel softmax tau 0.3", &rng);
    test_gdas_frequencies(1.0);
    test_gdas_frequencies(0.1);
    test_gdas_guard();
    TEST_EXIT();
}
