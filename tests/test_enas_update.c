/*
 * test_enas_update.c: the ENAS controller's REINFORCE update (REFERENCE 6.6, 12.4).
 * - reference baseline: in epoch 0 b = acc and R - b = 1e-4 H; B stays fixed within an epoch and becomes
 *   the last b at its end; later b = 0.99 B + 0.01 R, so R - b = 0.99 (R - B); the gradient of one
 *   feedback equals the backward of -(sum log p)(R - b)/20 with H not detached, i.e. coefficients
 *   -(R - b)/20 on log p and -(sum log p) w/20 (epoch 0) or -(sum log p) 0.99 w/20 (later) on H;
 * - canonical baseline: starts at 0, moves every sample (b_t = 0.99 b_{t-1} + 0.01 R_t), no entropy
 *   gradient;
 * - Adam after 20 samples: betas (0, 0.999), eps 1e-3, lr 1e-3 at step 1 is
 *   theta -= 1e-3 g / (|g| + 1e-3) with g the clipped gradient, checked with the norm clip active,
 *   inactive, and switched off (grad_clip 0) (|diff| <= 1e-8 + 1e-5 |want|);
 * - determinism from a seed, and the named-array state: a controller loaded with another's state in the
 *   middle of an aggregate continues bit for bit; invalid state values are refused.
 */
#include <string.h>

#include "strategies/enas_controller.h"
#include "test_util.h"

enum { NP = 17253 };

/* A made-up accuracy that depends on the cell, so rewards differ between samples. */
static double toy_acc(const Arch *a) { return 0.1 + 0.15 * a->op[2] + 0.05 * a->op[4]; }

/* Checks one feedback against the formulas, replaying it on `twin` through the plain backward. */
static EnasFeedback feedback_vs_formula(EnasController *ctl, EnasController *twin, const EnasSample *s, double acc,
                                        double stored_b, int have_b) {
    const double w = 1e-4, d = 0.99, n = 20;
    EnasFeedback f = enas_controller_feedback(ctl, s, acc);
    double reward = acc + w * s->entropy, b = have_b ? stored_b - (1 - d) * (stored_b - reward) : acc;
    CHECK_CLOSE(f.reward, reward, 1e-12, 0, "reward R = acc + 1e-4 H");
    CHECK_CLOSE(f.baseline, b, 1e-12, 0, "baseline");
    CHECK_CLOSE(f.advantage, have_b ? d * (reward - stored_b) : w * s->entropy, 1e-12, 1e-9, "advantage");
    enas_controller_backward(twin, s, -(reward - b) / n, -s->log_prob * (have_b ? d * w : w) / n);
    return f;
}

static void check_grads_equal(EnasController *a, EnasController *b, const char *what) {
    const float *ga = enas_controller_grads(a), *gb = enas_controller_grads(b);
    int bad = 0;
    for (int i = 0; i < NP; i++) bad += fabs(ga[i] - gb[i]) > 1e-9 + 1e-5 * fabs(gb[i]);
    CHECK(bad == 0, "%s: %d gradient entries differ", what, bad);
}

static void state_of(const EnasController *c, float st[5]) { enas_controller_array_get(c, enas_controller_num_arrays() - 1, st); }

static void test_reference_baseline(void) {
    EnasConfig cfg = enas_config_default();
    EnasController *ctl = enas_controller_create(&cfg, 1), *twin = enas_controller_create(&cfg, 1);
    Rng rng;
    rng_seed(&rng, 1, 1);
    EnasSample s;
    for (int i = 0; i < 5; i++) { /* epoch 0: no stored baseline */
        enas_controller_sample(ctl, &rng, &s);
        EnasFeedback f = feedback_vs_formula(ctl, twin, &s, 0.2 * i, 0, 0);
        CHECK(f.baseline == 0.2 * i && !f.stepped, "epoch 0: b = acc, no step before 20 samples");
    }
    check_grads_equal(ctl, twin, "epoch 0");
    float st[5];
    state_of(ctl, st);
    CHECK(st[2] == 0.0f && st[1] == 5.0f && st[4] == 0.8f, "epoch 0 state: no B, 5 pending, last b = last acc");
    enas_controller_end_epoch(ctl);
    state_of(ctl, st);
    CHECK(st[2] == 1.0f && st[3] == 0.8f, "end of epoch: B = last b");
    for (int i = 0; i < 4; i++) { /* epoch 1: b = 0.99 B + 0.01 R with B fixed */
        enas_controller_sample(ctl, &rng, &s);
        feedback_vs_formula(ctl, twin, &s, toy_acc(&s.arch), st[3], 1);
        float now[5];
        state_of(ctl, now);
        CHECK(now[3] == st[3], "B does not move within an epoch");
    }
    check_grads_equal(ctl, twin, "epoch 1");
    enas_controller_free(ctl), enas_controller_free(twin);
}

static void test_canonical_baseline(void) {
    EnasConfig cfg = enas_config_default();
    cfg.baseline_mode = ENAS_BASELINE_CANONICAL;
    EnasController *ctl = enas_controller_create(&cfg, 2), *twin = enas_controller_create(&cfg, 2);
    Rng rng;
    rng_seed(&rng, 2, 1);
    EnasSample s;
    double b = 0.0;
    for (int i = 0; i < 6; i++) {
        enas_controller_sample(ctl, &rng, &s);
        double reward = toy_acc(&s.arch) + 1e-4 * s.entropy;
        b = 0.99 * b + 0.01 * reward;
        EnasFeedback f = enas_controller_feedback(ctl, &s, toy_acc(&s.arch));
        CHECK_CLOSE(f.baseline, b, 1e-6, 1e-6, "canonical baseline moves every sample");
        enas_controller_backward(twin, &s, -(reward - f.baseline) / 20, 0.0);
        if (i == 2) enas_controller_end_epoch(ctl); /* no effect in canonical mode */
    }
    check_grads_equal(ctl, twin, "canonical: reward detached");
    enas_controller_free(ctl), enas_controller_free(twin);
}

/* 20 feedbacks in epoch 1 (B = 0, so the accuracy drives the gradient) and the first Adam step. */
static void test_adam_step(double clip) {
    EnasConfig cfg = enas_config_default();
    cfg.grad_clip = clip;
    EnasController *ctl = enas_controller_create(&cfg, 3), *twin = enas_controller_create(&cfg, 3);
    float st[5] = {0, 0, 1, 0, 0};
    CHECK(enas_controller_array_set(ctl, enas_controller_num_arrays() - 1, st) == 0, "set B = 0");
    Rng rng;
    rng_seed(&rng, 3, 1);
    EnasSample s;
    EnasFeedback f = {0};
    for (int i = 0; i < 20; i++) {
        enas_controller_sample(ctl, &rng, &s);
        f = feedback_vs_formula(ctl, twin, &s, toy_acc(&s.arch), 0.0, 1);
        CHECK(f.stepped == (i == 19), "Adam steps on sample 20 only");
    }
    const float *g = enas_controller_grads(twin), *p0 = enas_controller_params(twin), *p = enas_controller_params(ctl);
    double norm = 0.0;
    for (int i = 0; i < NP; i++) norm += (double)g[i] * g[i];
    norm = sqrt(norm);
    CHECK_CLOSE(f.grad_norm, norm, 1e-9, 1e-5, "reported gradient norm");
    double scale = clip > 0 && clip / (norm + 1e-6) < 1 ? clip / (norm + 1e-6) : 1.0;
    printf("Adam step with clip %g: gradient norm %.4f, scale %.4f\n", clip, norm, scale);
    int bad = 0, zero = 0;
    for (int i = 0; i < NP; i++) {
        double gi = g[i] * scale, want = p0[i] - 1e-3 * gi / (fabs(gi) + 1e-3);
        bad += fabs(p[i] - want) > 1e-8 + 1e-5 * fabs(want);
        zero += enas_controller_grads(ctl)[i] == 0.0f;
    }
    CHECK(bad == 0, "%d parameters differ from theta - lr g / (|g| + eps)", bad);
    CHECK(zero == NP, "gradient zeroed after the step");
    state_of(ctl, st);
    CHECK(st[0] == 1.0f && st[1] == 0.0f, "one Adam step, nothing pending");
    enas_controller_free(ctl), enas_controller_free(twin);
}

/* n feedbacks with an epoch end every 20 samples counted from `start`. */
static void run(EnasController *c, Rng *rng, int start, int n, Arch *trace) {
    EnasSample s;
    for (int i = start; i < start + n; i++) {
        enas_controller_sample(c, rng, &s);
        if (trace) trace[i] = s.arch;
        enas_controller_feedback(c, &s, toy_acc(&s.arch));
        if ((i + 1) % 20 == 0) enas_controller_end_epoch(c);
    }
}

static int same_state(const EnasController *a, const EnasController *b) {
    float *x = sn_alloc(NP * sizeof(float)), *y = sn_alloc(NP * sizeof(float));
    int same = 1;
    for (int i = 0; i < enas_controller_num_arrays(); i++) {
        size_t n = enas_controller_array_info(i).count;
        enas_controller_array_get(a, i, x), enas_controller_array_get(b, i, y);
        same &= memcmp(x, y, n * sizeof(float)) == 0;
    }
    sn_free(x), sn_free(y);
    return same;
}

static void test_determinism_and_state(void) {
    EnasConfig cfg = enas_config_default();
    EnasController *a = enas_controller_create(&cfg, 7), *b = enas_controller_create(&cfg, 7);
    EnasController *other = enas_controller_create(&cfg, 8), *loaded = enas_controller_create(&cfg, 999);
    Rng ra, rb, ro;
    rng_seed(&ra, 7, 1), rng_seed(&rb, 7, 1), rng_seed(&ro, 7, 1);
    Arch ta[90], tb[90];
    run(a, &ra, 0, 50, ta), run(b, &rb, 0, 50, tb), run(other, &ro, 0, 50, NULL);
    CHECK(memcmp(ta, tb, 50 * sizeof(Arch)) == 0 && same_state(a, b), "same seeds: same cells and state");
    CHECK(!same_state(a, other), "another initialisation seed gives another controller");

    /* checkpoint a in the middle of an aggregate (50 = 2 steps + 10 pending), load into `loaded` */
    float *buf = sn_alloc(NP * sizeof(float));
    for (int i = 0; i < enas_controller_num_arrays(); i++) {
        enas_controller_array_get(a, i, buf);
        CHECK(enas_controller_array_set(loaded, i, buf) == 0, "set array %s", enas_controller_array_info(i).name);
    }
    Rng rl = ra;
    run(a, &ra, 50, 40, ta), run(loaded, &rl, 50, 40, tb);
    CHECK(memcmp(ta + 50, tb + 50, 40 * sizeof(Arch)) == 0 && same_state(a, loaded), "resumed controller continues exactly");

    int state = enas_controller_num_arrays() - 1;
    float good[5], bad[5];
    enas_controller_array_get(a, state, good);
    memcpy(bad, good, sizeof bad), bad[1] = 20.0f;
    CHECK(enas_controller_array_set(a, state, bad) == -1, "pending count must be below the aggregate size");
    memcpy(bad, good, sizeof bad), bad[0] = 1.5f;
    CHECK(enas_controller_array_set(a, state, bad) == -1, "step count must be whole");
    enas_controller_array_get(a, 0, buf);
    buf[3] = NAN;
    CHECK(enas_controller_array_set(a, 0, buf) == -1, "non-finite parameters refused");
    CHECK(same_state(a, loaded), "refused sets change nothing");
    sn_free(buf);
    enas_controller_free(a), enas_controller_free(b), enas_controller_free(other), enas_controller_free(loaded);
}

int main(void) {
    test_reference_baseline();
    test_canonical_baseline();
    test_adam_step(5.0);
    test_adam_step(1e-3);
    test_adam_step(0.0); /* no clipping */
    test_determinism_and_state();
    TEST_EXIT();
}
