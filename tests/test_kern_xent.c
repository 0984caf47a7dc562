/*
 * test_kern_xent.c: softmax cross-entropy (mean over the batch) and top-1 accuracy.
 * - loss against a naive log(sum(exp)) in double: |diff| <= 1e-9 + 1e-9 |want|;
 * - dlogits by central finite differences (eps 1e-3; the loss is smooth with curvature <= 1/batch, so
 *   the O(eps^2) truncation is ~1e-7; tolerance 2e-6 + 1e-3 relative), accumulated onto random values;
 * - accuracy count against a naive argmax, including a tie (lowest index wins);
 * - stability: logits of +-1000 give the hand-derived finite loss.
 */
#include <string.h>

#include "kern_check.h"
#include "xent.h"

typedef struct {
    const float *logits;
    const int *labels;
    int batch, classes;
} XentCtx;

static double xent_loss(void *p) {
    XentCtx *c = p;
    return xent_forward_backward(NULL, NULL, c->logits, c->labels, c->batch, c->classes);
}

static void test_case(int batch, int classes, double spread, Rng *rng) {
    size_t n = (size_t)batch * classes;
    float *logits = sn_alloc(n * 4), *dl = sn_alloc(n * 4), *base = sn_alloc(n * 4);
    int *labels = sn_alloc((size_t)batch * sizeof(int)), correct = -1, want_correct = 0;
    fill_uniform(logits, n, rng, -spread, spread);
    for (int i = 0; i < batch; i++) labels[i] = (int)rng_below(rng, (uint32_t)classes);
    labels[0] = 0, logits[0] = logits[1] + 4.0f; /* row 0 right, at least when classes > 1 */
    fill_uniform(base, n, rng, -1, 1);
    memcpy(dl, base, n * 4);
    double loss = xent_forward_backward(dl, &correct, logits, labels, batch, classes), want = 0.0;
    for (int b = 0; b < batch; b++) {
        const float *row = logits + (size_t)b * classes;
        double sum = 0.0;
        int best = 0;
        for (int k = 0; k < classes; k++) sum += exp((double)row[k]), best = row[k] > row[best] ? k : best;
        want += log(sum) - row[labels[b]];
        want_correct += best == labels[b];
    }
    CHECK_CLOSE(loss, want / batch, 1e-9, 1e-9, "xent loss vs naive");
    CHECK(correct == want_correct, "xent correct %d, naive argmax %d", correct, want_correct);
    for (size_t i = 0; i < n; i++) dl[i] -= base[i];
    XentCtx ctx = {.logits = logits, .labels = labels, .batch = batch, .classes = classes};
    fd_check("xent dlogits", xent_loss, &ctx, logits, dl, n, 1e-3f, 2e-6, 1e-3, rng, 64);
    sn_free(logits), sn_free(dl), sn_free(base), sn_free(labels);
}

static void test_edges(void) {
    /* ties: argmax is the first maximum */
    float tie[4] = {1.0f, 3.0f, 3.0f, 0.0f};
    int label = 2, correct = -1;
    xent_forward_backward(NULL, &correct, tie, &label, 1, 4);
    CHECK(correct == 0, "xent: a tie must go to the lowest index");
    label = 1;
    xent_forward_backward(NULL, &correct, tie, &label, 1, 4);
    CHECK(correct == 1, "xent: a tie must go to the lowest index");
    /* hand: two equal logits -> loss log 2, gradient (p - onehot) = (-0.5, 0.5) */
    float two[2] = {0.3f, 0.3f}, d2[2] = {0};
    label = 0;
    CHECK_CLOSE(xent_forward_backward(d2, NULL, two, &label, 1, 2), log(2.0), 1e-12, 0, "xent hand log 2");
    CHECK_CLOSE(d2[0], -0.5, 1e-7, 0, "xent hand d0");
    CHECK_CLOSE(d2[1], 0.5, 1e-7, 0, "xent hand d1");
    /* stability: huge logits stay finite. Hand: row 0 = (1000, -1000, 0), label 1: loss = 2000 + log(1 +
     * e^-2000 + e^-1000); row 1 = (1001, 999, 1000), label 0: loss = log(1 + e^-2 + e^-1), a shifted row */
    float big[6] = {1000.0f, -1000.0f, 0.0f, 1001.0f, 999.0f, 1000.0f}, dbig[6] = {0};
    int labels[2] = {1, 0};
    double loss = xent_forward_backward(dbig, &correct, big, labels, 2, 3);
    double want = (2000.0 + log(1.0 + exp(-2000.0) + exp(-1000.0)) + log(1.0 + exp(-2.0) + exp(-1.0))) / 2;
    CHECK_CLOSE(loss, want, 1e-9, 1e-9, "xent with logits of 1000");
    for (int i = 0; i < 6; i++) CHECK(isfinite(dbig[i]), "xent gradient not finite at %d", i);
    CHECK(correct == 1, "xent correct with large logits: %d", correct);
}

int main(void) {
    Rng rng;
    rng_seed(&rng, 17, 0);
    test_case(1, 10, 3.0, &rng);
    test_case(5, 3, 1.0, &rng);
    test_case(64, 10, 5.0, &rng);
    test_case(7, 120, 2.0, &rng);
    test_case(3, 1, 1.0, &rng);
    test_edges();
    TEST_EXIT();
}
