/*
 * test_zero_cost.c: the zero-cost proxies of `supernet rank` (search/rank/zero_cost.h).
 *
 * Against an independent PyTorch computation (tests/reference/make_zero_cost_fixture.py, float64, run
 * once): all five proxies on the one-cell networks of three cells (a general one, one whose all-`none`
 * node is read by a convolution, one with two nodes that cannot reach the output), same weights and
 * batch, within 1e-4 relative (float32 against float64; naswot's kernel counts agreements in sign, which
 * a float32 activation near 0 can flip: 1e-3). Against naive loops: naswot's kernel step; the matrix
 * helpers (corrcoef, symmetric eigenvalues, log |det|) on hand-checked cases. And the ReLU observer's
 * calls: one per layer applying a ReLU, as PyTorch's modules would fire.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "rank/zero_cost.h"
#include "stats/matrix.h"
#include "supernet.h"
#include "test_util.h"
#include "testlib.h"

#define BATCH 6

static Fixture fx;
static const char *const TAGS[] = {"general", "zeronode", "deadnodes"};
static const char *const PROXIES[] = {"synflow", "snip", "grad_norm", "jacob_cov", "naswot"};

static const FixtureTensor *need(const char *name) {
    const FixtureTensor *t = fixture_get(&fx, name);
    CHECK(t != NULL, "fixture has no tensor '%s'", name);
    return t;
}

static SupernetConfig tiny_config(const Arch *cell) {
    return (SupernetConfig){.channels = 16, .cells = 1, .classes = 10, .in_channels = 3, .image_size = 8,
                            .max_batch = BATCH, .max_eval_batch = BATCH, .seed = 5, .single_cell = 1, .cell = *cell};
}

static Arch fixture_arch(const char *tag) {
    char name[64];
    snprintf(name, sizeof name, "%s.arch", tag);
    Arch a;
    for (int e = 0; e < ARCH_N_EDGES; e++) a.op[e] = (uint8_t)need(name)->data[e];
    return a;
}

/* The one-cell network of the tag's cell with the fixture's weights and statistics. */
static Supernet *fixture_net(const char *tag) {
    Arch cell = fixture_arch(tag);
    SupernetConfig cfg = tiny_config(&cell);
    Supernet *net = supernet_create(&cfg);
    for (int i = 0; i < supernet_num_tensors(net); i++) {
        const TensorInfo *info = supernet_tensor(net, i);
        char name[160];
        snprintf(name, sizeof name, "%s.%s", tag, info->name);
        const FixtureTensor *t = need(name);
        if (t && t->count == info->count) supernet_tensor_set(net, i, t->data);
        else CHECK(0, "%s: shape differs from the network's", name);
    }
    return net;
}

static void check_against_torch(void) {
    const FixtureTensor *images = need("images"), *labels_f = need("labels");
    int32_t labels[BATCH];
    for (int i = 0; i < BATCH; i++) labels[i] = (int32_t)labels_f->data[i];
    for (size_t c = 0; c < sizeof TAGS / sizeof TAGS[0]; c++)
        for (size_t p = 0; p < sizeof PROXIES / sizeof PROXIES[0]; p++) {
            Supernet *net = fixture_net(TAGS[c]);
            double got = zero_cost_score(zero_cost_find(PROXIES[p]), net, images->data, labels, BATCH);
            char name[96];
            snprintf(name, sizeof name, "%s.score.%s", TAGS[c], PROXIES[p]);
            double want = need(name)->data[0], tol = strcmp(PROXIES[p], "naswot") == 0 ? 1e-3 : 1e-4;
            CHECK(fabs(got - want) <= tol * fabs(want), "%s: %.8g, PyTorch %.8g", name, got, want);
            supernet_free(net);
        }
}

static void check_naswot_kernel(void) {
    Rng rng;
    rng_seed(&rng, 3, 0);
    const int n = 5;
    const size_t per = 131; /* not a multiple of 64 */
    float *x = random_array((size_t)n * per, &rng, -1, 1);
    for (size_t i = 0; i < per; i += 7) x[i] = 0.0f; /* 0 is not > 0 */
    double k[25] = {0}, want[25];
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            int agree = 0;
            for (size_t q = 0; q < per; q++) agree += (x[i * per + q] > 0) == (x[j * per + q] > 0);
            want[i * n + j] = 2.0 * agree; /* accumulated twice below */
        }
    naswot_accumulate(k, x, n, per);
    naswot_accumulate(k, x, n, per);
    for (int i = 0; i < n * n; i++) CHECK(k[i] == want[i], "naswot kernel [%d][%d]: %g, naive %g", i / n, i % n, k[i], want[i]);
    sn_free(x);
}

static void check_matrix_helpers(void) {
    double a[4] = {2, 1, 1, 2}, eig[3];
    symmetric_eigenvalues(eig, a, 2);
    CHECK(fabs(eig[0] - 1) < 1e-12 && fabs(eig[1] - 3) < 1e-12, "eigenvalues of [[2,1],[1,2]]: %g %g", eig[0], eig[1]);
    double b[9] = {4, 1, 2, 1, 3, 0, 2, 0, 5}; /* numpy.linalg.eigvalsh */
    const double b_eig[3] = {1.854897309, 3.476023603, 6.669079088};
    symmetric_eigenvalues(eig, b, 3);
    for (int i = 0; i < 3; i++) CHECK(fabs(eig[i] - b_eig[i]) < 1e-8, "eigenvalue %d of a 3x3: %.10g, numpy %.10g", i, eig[i], b_eig[i]);
    double c[9] = {0, 2, 1, 3, 1, 0, 1, 1, 4}; /* det = 0(4) - 2(12) + 1(3 - 1) = -22: a zero pivot first */
    CHECK(fabs(log_abs_det(c, 3) - log(22.0)) < 1e-12, "log |det| of a 3x3 with a zero leading entry");
    double s[4] = {1, 2, 2, 4};
    CHECK(log_abs_det(s, 2) == -INFINITY, "a singular matrix's log |det| is -inf");
    const float rows[6] = {1, 2, 3, 3, 2, 1.5f};
    double r[4];
    corrcoef_rows(r, rows, 2, 3);
    double want = -0.9819805060619659; /* numpy.corrcoef([[1,2,3],[3,2,1.5]])[0,1] */
    CHECK(fabs(r[1] - want) < 1e-7 && fabs(r[0] - 1) < 1e-12 && r[1] == r[2], "corrcoef: %.10g, numpy %.10g", r[1], want);
}

static int calls;
static void count_call(void *ctx, const float *x, int batch, size_t per_image) {
    (void)ctx, (void)x, (void)per_image;
    CHECK(batch == BATCH, "observer batch %d", batch);
    calls++;
}

/* deadnodes: convolutions on edges 0, 1 and 3 (edge 1 into a node that cannot reach the output) in each
 * of the three cells, the two ReLUs of each of the two reduction blocks, the head's: 14 calls. */
static void check_observer_calls(void) {
    Arch cell = fixture_arch("deadnodes");
    SupernetConfig cfg = tiny_config(&cell);
    Supernet *net = supernet_create(&cfg);
    Rng rng;
    rng_seed(&rng, 4, 0);
    float *images = random_array((size_t)BATCH * 3 * 8 * 8, &rng, -1, 1);
    int32_t labels[BATCH] = {0};
    supernet_set_relu_observer(net, count_call, NULL);
    supernet_forward(net, images, labels, BATCH, (NetSelection){&cell, NULL}, NULL);
    CHECK(calls == 14, "ReLU observer: %d calls in a training pass, want 14", calls);
    calls = 0;
    supernet_evaluate(net, images, labels, BATCH, (NetSelection){&cell, NULL}, NULL, NULL);
    CHECK(calls == 14, "ReLU observer: %d calls in an evaluation pass, want 14", calls);
    supernet_set_relu_observer(net, NULL, NULL);
    calls = 0;
    supernet_forward(net, images, labels, BATCH, (NetSelection){&cell, NULL}, NULL);
    CHECK(calls == 0, "a removed observer was called %d times", calls);
    sn_free(images);
    supernet_free(net);
}

int main(void) {
    CHECK(fixture_load(&fx, "reference/zero_cost_fixture.bin"), "cannot read tests/reference/zero_cost_fixture.bin");
    check_matrix_helpers();
    check_naswot_kernel();
    check_observer_calls();
    if (fx.count) check_against_torch();
    fixture_free(&fx);
    TEST_EXIT();
}
