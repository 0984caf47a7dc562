/*
 * test_kern_optim.c: Adam, SGD, global-norm clipping and the cosine schedule against values computed
 * outside the kernels.
 *
 * Expected trajectories were computed offline in float64 by a separate straightforward script of the
 * PyTorch 1.x update formulas (REFERENCE.md 5.1-5.4) and are hard-coded below; the kernels run in
 * float32, so trajectories are compared with |got - want| <= 2e-6 + 2e-6 |want| after 5 steps.
 * Clipping and the schedule are also checked on hand-derived numbers.
 */
#include <omp.h>
#include <string.h>

#include "common.h"
#include "optim.h"
#include "test_util.h"

#define NP 4
#define STEPS 5
#define TRAJ_TOL 2e-6

static const float P0[NP] = {0.5f, -0.25f, 0.001f, 2.0f};

/* The gradient fed at step t (1-based) to parameter i: alternating signs plus a drift. */
static float grad_at(int i, int t) { return (float)(0.1 * (i + 1) * (((t + i) % 2) ? -1.0 : 1.0) + 0.01 * t); }

static void check_row(const float *got, const double *want, const char *what) {
    for (int i = 0; i < NP; i++) CHECK_CLOSE(got[i], want[i], TRAJ_TOL, TRAJ_TOL, what);
}

/* Runs `steps` Adam steps on n parameters (pattern P0[i % NP]); rows[t-1] are the expected values. */
static void run_adam(AdamConfig cfg, const double rows[][NP], size_t n, const char *what) {
    float *p = sn_alloc(n * sizeof(float)), *m = sn_alloc(n * sizeof(float)), *v = sn_alloc(n * sizeof(float));
    float *g = sn_alloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++) p[i] = P0[i % NP];
    for (int t = 1; t <= STEPS; t++) {
        for (size_t i = 0; i < n; i++) g[i] = grad_at((int)(i % NP), t);
        adam_step(p, m, v, g, n, cfg, t);
        check_row(p, rows[t - 1], what);
    }
    /* every copy of the pattern (parallel and vectorised paths) ends bit-identical to the first */
    for (size_t i = NP; i < n; i++) CHECK(p[i] == p[i % NP], "%s: element %zu differs from its pattern twin", what, i);
    sn_free(p), sn_free(m), sn_free(v), sn_free(g);
}

static void test_adam(void) {
    /* DARTS/GDAS arch optimiser: lr 3e-4, betas (0.5, 0.999), eps 1e-8, L2 weight decay 1e-3 */
    static const double arch[STEPS][NP] = {
        {0.5003, -0.2503, 0.00129999999, 1.9997},
        {0.5001572711, -0.2502229094, 0.001185386134, 1.99978701},
        {0.5002140427, -0.2503815161, 0.001291782415, 1.999641614},
        {0.5000302197, -0.2503293073, 0.001161800667, 1.999716355},
        {0.5000102413, -0.2504909359, 0.001227560164, 1.999579878}};
    /* ENAS controller: lr 1e-3, betas (0, 0.999), eps 1e-3, no decay */
    static const double enas[STEPS][NP] = {
        {0.500989011, -0.2509952607, 0.001996563574, 1.999002433},
        {0.4998682849, -0.2500795498, 0.0009520957625, 1.999961358},
        {0.5005932011, -0.2511816485, 0.001867207944, 1.998907933},
        {0.4993136321, -0.2503729104, 0.0007604352996, 1.999814951},
        {0.4998111807, -0.251565767, 0.001602770869, 1.998712879}};
    const AdamConfig arch_adam = {.lr = 3e-4, .beta1 = 0.5, .beta2 = 0.999, .eps = 1e-8, .weight_decay = 1e-3};
    const AdamConfig enas_adam = {.lr = 1e-3, .beta1 = 0.0, .beta2 = 0.999, .eps = 1e-3, .weight_decay = 0.0};
    run_adam(arch_adam, arch, NP, "adam arch");
    run_adam(enas_adam, enas, NP, "adam enas");
    run_adam(arch_adam, arch, 70001 * NP, "adam arch, large");

    /* hand: first step, no decay: m^ = g, v^ = g^2, so p -= lr g / (|g| + eps) */
    float p = 1.0f, m = 0.0f, v = 0.0f, g = 0.5f;
    const AdamConfig hand = {.lr = 0.1, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .weight_decay = 0.0};
    adam_step(&p, &m, &v, &g, 1, hand, 1);
    CHECK_CLOSE(p, 1.0 - 0.1 * 0.5 / (0.5 + 1e-8), 1e-7, 0, "adam hand step 1");
    CHECK_CLOSE(m, 0.05, 1e-8, 0, "adam hand m");
    CHECK_CLOSE(v, 0.00025, 1e-10, 0, "adam hand v");
}

static void run_sgd(SgdConfig cfg, const double rows[][NP], int steps, size_t n, const char *what) {
    float *p = sn_alloc(n * sizeof(float)), *buf = sn_alloc(n * sizeof(float)), *g = sn_alloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++) p[i] = P0[i % NP], buf[i] = 1e6f; /* garbage: step 1 must overwrite it */
    for (int t = 1; t <= steps; t++) {
        for (size_t i = 0; i < n; i++) g[i] = grad_at((int)(i % NP), t);
        sgd_step(p, cfg.momentum != 0.0 ? buf : NULL, g, n, cfg, t);
        check_row(p, rows[t - 1], what);
    }
    for (size_t i = NP; i < n; i++) CHECK(p[i] == p[i % NP], "%s: element %zu differs from its pattern twin", what, i);
    sn_free(p), sn_free(buf), sn_free(g);
}

static void test_sgd(void) {
    /* weights optimiser of REFERENCE 4.1: lr 0.025, momentum 0.9, decay 5e-4, Nesterov */
    static const double nesterov[STEPS][NP] = {
        {0.504263125, -0.2599690625, 0.01477497625, 1.9804775},
        {0.5003685863, -0.255662857, 0.005447115219, 1.990157714},
        {0.5028822906, -0.2667591247, 0.01707707714, 1.96986992},
        {0.4969133102, -0.2639673063, 0.00531869857, 1.978361511},
        {0.4970600835, -0.2769264015, 0.01426122365, 1.956504117}};
    static const double heavy_ball[STEPS][NP] = {
        {0.50224375, -0.255246875, 0.0082499875, 1.989725},
        {0.501256847, -0.2554658719, 0.006774873125, 1.989952628},
        {0.5021123685, -0.2614097758, 0.0121971855, 1.97938262},
        {0.4993760615, -0.2627560217, 0.008577114176, 1.978844869},
        {0.498157143, -0.2702143585, 0.01156894277, 1.967086159}};
    static const double plain[3][NP] = {{0.5085, -0.27075, 0.029999, 1.957},
                                        {0.4959915, -0.25247925, -0.002030999, 1.993043},
                                        {0.5024955085, -0.2752267708, 0.024971032, 1.948049957}};
    const SgdConfig search = {.lr = 0.025, .momentum = 0.9, .weight_decay = 5e-4, .nesterov = 1};
    const SgdConfig heavy = {.lr = 0.025, .momentum = 0.9, .weight_decay = 5e-4, .nesterov = 0};
    const SgdConfig no_momentum = {.lr = 0.1, .momentum = 0.0, .weight_decay = 0.01, .nesterov = 0};
    run_sgd(search, nesterov, STEPS, NP, "sgd nesterov");
    run_sgd(search, nesterov, STEPS, 70001 * NP, "sgd nesterov, large");
    run_sgd(heavy, heavy_ball, STEPS, NP, "sgd momentum");
    run_sgd(no_momentum, plain, 3, NP, "sgd no momentum");

    /* hand: w = 1, grad 0.5, lr 0.1, mu 0.9, wd 0.01: g = 0.51, buf = 0.51, d = 0.51 + 0.459 = 0.969 */
    float w = 1.0f, buf = 0.0f, g = 0.5f;
    const SgdConfig hand = {.lr = 0.1, .momentum = 0.9, .weight_decay = 0.01, .nesterov = 1};
    sgd_step(&w, &buf, &g, 1, hand, 1);
    CHECK_CLOSE(w, 0.9031, 1e-7, 0, "sgd hand step 1");
    /* step 2: g = 0.5 + 0.009031 = 0.509031, buf = 0.459 + 0.509031 = 0.968031,
     * d = 0.509031 + 0.8712279 = 1.3802589, w = 0.9031 - 0.13802589 = 0.76507411 */
    sgd_step(&w, &buf, &g, 1, hand, 2);
    CHECK_CLOSE(buf, 0.968031, 1e-7, 0, "sgd hand buf 2");
    CHECK_CLOSE(w, 0.76507411, 1e-7, 0, "sgd hand step 2");
}

static void test_clip(void) {
    float a[2] = {3.0f, 4.0f}, b[1] = {12.0f};
    float *bufs[2] = {a, b};
    size_t sizes[2] = {2, 1};
    /* total = sqrt(9 + 16 + 144) = 13 <= 20: untouched */
    CHECK_CLOSE(clip_grad_norm(bufs, sizes, 2, 20.0), 13.0, 1e-12, 0, "clip total, no clip");
    CHECK(a[0] == 3.0f && a[1] == 4.0f && b[0] == 12.0f, "clip: buffers changed below the threshold");
    /* max 5: factor 5 / (13 + 1e-6) */
    CHECK_CLOSE(clip_grad_norm(bufs, sizes, 2, 5.0), 13.0, 1e-12, 0, "clip total");
    CHECK_CLOSE(a[0], 15.0 / 13.000001, 1e-6, 0, "clip a0");
    CHECK_CLOSE(a[1], 20.0 / 13.000001, 1e-6, 0, "clip a1");
    CHECK_CLOSE(b[0], 60.0 / 13.000001, 1e-6, 0, "clip b0");
    CHECK_CLOSE(clip_grad_norm(bufs, sizes, 2, 5.0), 5.0 * 13.0 / 13.000001, 1e-5, 0, "clip total after clip");

    /* large buffers: total = sqrt(n * 0.25 + m * 4) exactly, and the same result for 1 and 2 threads */
    size_t n = 300001, m = 4099;
    float *big[2] = {sn_alloc(n * sizeof(float)), sn_alloc(m * sizeof(float))};
    size_t bsz[2] = {n, m};
    double totals[2];
    for (int threads = 1; threads <= 2; threads++) {
        for (size_t i = 0; i < n; i++) big[0][i] = (i % 2) ? 0.5f : -0.5f;
        for (size_t i = 0; i < m; i++) big[1][i] = 2.0f;
        omp_set_num_threads(threads);
        totals[threads - 1] = clip_grad_norm(big, bsz, 2, 1.0);
    }
    CHECK_CLOSE(totals[0], sqrt(n * 0.25 + m * 4.0), 1e-9, 0, "clip total, large");
    CHECK(totals[0] == totals[1], "clip total differs between 1 and 2 threads");
    double f = 1.0 / (totals[0] + 1e-6);
    CHECK_CLOSE(big[0][1], 0.5 * f, 1e-9, 1e-6, "clip large scaled");
    CHECK_CLOSE(big[1][m - 1], 2.0 * f, 1e-9, 1e-6, "clip large scaled tail");
    sn_free(big[0]), sn_free(big[1]);
}

static void test_cosine(void) {
    /* DARTS: 0.025 -> 0.001 over 50 epochs; hand: e = 25 is the midpoint 0.001 + 0.024 / 2 */
    CHECK_CLOSE(cosine_lr(0.025, 0.001, 0, 50, 50), 0.025, 1e-15, 0, "cosine e=0");
    CHECK_CLOSE(cosine_lr(0.025, 0.001, 25, 50, 50), 0.013, 1e-15, 0, "cosine e=25");
    CHECK_CLOSE(cosine_lr(0.025, 0.001, 49, 50, 50), 0.00102367925886, 1e-13, 0, "cosine e=49 (REFERENCE 5.1)");
    CHECK_CLOSE(cosine_lr(0.025, 0.001, 50, 50, 50), 0.001, 0, 0, "cosine e=epochs -> eta_min");
    CHECK_CLOSE(cosine_lr(0.025, 0.001, 80, 50, 50), 0.001, 0, 0, "cosine e>epochs -> eta_min");
    /* ENAS: T_max 10 with 250 epochs: a wave of period 20 epochs */
    CHECK_CLOSE(cosine_lr(0.05, 0.0005, 5, 250, 10), 0.02525, 1e-15, 0, "enas cosine e=5");
    CHECK_CLOSE(cosine_lr(0.05, 0.0005, 10, 250, 10), 0.0005, 1e-15, 0, "enas cosine e=10");
    CHECK_CLOSE(cosine_lr(0.05, 0.0005, 20, 250, 10), 0.05, 1e-15, 0, "enas cosine e=20");
    CHECK_CLOSE(cosine_lr(0.05, 0.0005, 33, 250, 10), 0.0107023150058, 1e-13, 0, "enas cosine e=33");
    CHECK_CLOSE(cosine_lr(0.05, 0.0005, 249, 250, 10), 0.00171135122169, 1e-13, 0, "enas cosine e=249");
    CHECK_CLOSE(cosine_lr(0.05, 0.0005, 250, 250, 10), 0.0005, 0, 0, "enas cosine e=250");
}

int main(void) {
    test_adam();
    test_sgd();
    test_clip();
    test_cosine();
    TEST_EXIT();
}
