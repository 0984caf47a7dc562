/*
 * test_enas_controller.c: the ENAS controller (search/strategies/enas_controller.c).
 * - layout and initialisation: tensor names and sizes cover the flat array; each tensor lies inside its
 *   reference bound (0.1 or 1/sqrt(32)) and spans most of it;
 * - forward: log p and entropy of a replayed cell against a naive double controller written here from
 *   REFERENCE 6.6 (on tests/support/naive_lstm.c), |diff| <= 1e-5 + 1e-5 |want|;
 * - gradients: d(a sum log p + b H)/dtheta for every one of the 17,253 parameters against central
 *   differences (step 1e-6) of the naive double controller: |diff| <= 1e-6 + 1e-4 |fd|; the
 *   backward accumulates;
 * - the sampler: edge 1<-0 (independent of earlier choices) drawn 20,000 times matches its softmax
 *   within 5 standard deviations per op; greedy decode follows the argmax and reports its softmax.
 * Quirks, Adam, determinism and checkpoint state are in test_enas_update.c.
 */
#include <string.h>

#include "strategies/enas_controller.h"
#include "naive_lstm.h"
#include "test_util.h"

/* The documented flat layout. */
enum { NH = 32, N_LSTM = 16896, O_EMBD = 32 + N_LSTM, O_PW = O_EMBD + 160, O_PB = O_PW + 160, NP = O_PB + 5 };

typedef struct {
    double log_prob, entropy;
} NaiveOut;

static NaiveOut naive_controller(const double *p, const Arch *a, double temperature, double tanh_constant) {
    double h[2][2 * NH] = {{0}}, c[2][2 * NH] = {{0}};
    const double *x = p;
    NaiveOut out = {0, 0};
    for (int e = 0; e < 6; e++) {
        double *hn = h[(e + 1) % 2], *cn = c[(e + 1) % 2];
        naive_lstm_step(hn, cn, x, h[e % 2], c[e % 2], p + 32, 1, NH, NH, 2);
        double t[5], top = -1e300, sum = 0.0;
        for (int k = 0; k < 5; k++) {
            double z = p[O_PB + k];
            for (int j = 0; j < NH; j++) z += p[O_PW + k * NH + j] * hn[NH + j];
            t[k] = tanh_constant * tanh(z / temperature);
            if (t[k] > top) top = t[k];
        }
        for (int k = 0; k < 5; k++) sum += exp(t[k] - top);
        double lse = top + log(sum);
        for (int k = 0; k < 5; k++) out.entropy -= exp(t[k] - lse) * (t[k] - lse);
        out.log_prob += t[a->op[e]] - lse;
        x = p + O_EMBD + a->op[e] * NH;
    }
    return out;
}

static void check_layout_and_init(EnasController *ctl) {
    CHECK(enas_controller_num_params() == NP, "%zu parameters", enas_controller_num_params());
    const float *p = enas_controller_params(ctl);
    size_t offset = 0;
    for (int i = 0; i < enas_controller_num_arrays(); i++) {
        EnasArrayInfo info = enas_controller_array_info(i);
        if (strncmp(info.name, "controller.adam", 15) == 0) break;
        /* layer 0's weight matrices and the reference's explicit tensors: 0.1; the rest torch's default */
        int ref = strstr(info.name, "weight_ih_l0") || strstr(info.name, "weight_hh_l0") ||
                  strstr(info.name, "input_vars") || strstr(info.name, "w_embd") || strstr(info.name, "w_pred.weight");
        double bound = ref ? 0.1 : 1.0 / sqrt(32.0), top = 0.0;
        for (size_t k = 0; k < info.count; k++) top = fmax(top, fabs(p[offset + k]));
        CHECK(top <= bound && top > 0.8 * bound, "%s: max |x| %.4f, bound %.4f", info.name, top, bound);
        offset += info.count;
    }
    CHECK(offset == NP, "parameter tensors cover %zu of %d floats", offset, NP);
    CHECK(strcmp(enas_controller_array_info(1).name, "controller.w_lstm.weight_ih_l0") == 0, "tensor 1 name");
}

static void check_gradients(EnasController *ctl, const Arch *arch, double a, double b) {
    const EnasConfig *cfg = enas_controller_config(ctl);
    EnasSample s;
    enas_controller_replay(ctl, arch, &s);
    double *pd = sn_alloc(NP * sizeof(double));
    float *p = enas_controller_params(ctl), *g = enas_controller_grads(ctl), *base = sn_alloc(NP * sizeof(float));
    for (int i = 0; i < NP; i++) pd[i] = p[i], base[i] = g[i] = (float)(0.01 * ((i * 7919) % 13 - 6));
    NaiveOut want = naive_controller(pd, arch, cfg->temperature, cfg->tanh_constant);
    CHECK_CLOSE(s.log_prob, want.log_prob, 1e-5, 1e-5, "log p vs naive");
    CHECK_CLOSE(s.entropy, want.entropy, 1e-5, 1e-5, "entropy vs naive");

    enas_controller_backward(ctl, &s, a, b);
    double worst = 0.0;
    for (int i = 0; i < NP; i++) {
        double keep = pd[i], eps = 1e-6;
        pd[i] = keep + eps;
        NaiveOut up = naive_controller(pd, arch, cfg->temperature, cfg->tanh_constant);
        pd[i] = keep - eps;
        NaiveOut down = naive_controller(pd, arch, cfg->temperature, cfg->tanh_constant);
        pd[i] = keep;
        double fd = (a * (up.log_prob - down.log_prob) + b * (up.entropy - down.entropy)) / (2 * eps);
        double got = (double)g[i] - base[i], err = fabs(got - fd) / (1e-6 + 1e-4 * fabs(fd));
        worst = fmax(worst, err);
        CHECK(err <= 1.0, "parameter %d: backward %.9g, finite difference %.9g", i, got, fd);
    }
    printf("gradient of %.2f log p %+.2f H: %d parameters, worst error / tolerance %.3f\n", a, b, NP, worst);
    memset(g, 0, NP * sizeof(float));
    sn_free(pd), sn_free(base);
}

static void check_sampler(EnasController *ctl) {
    Rng rng;
    rng_seed(&rng, 99, 1);
    EnasSample s;
    int counts[5] = {0}, draws = 20000;
    for (int i = 0; i < draws; i++) {
        enas_controller_sample(ctl, &rng, &s);
        counts[s.arch.op[0]]++;
        EnasSample r;
        if (i < 20) { /* a sample and the replay of its cell are the same pass */
            enas_controller_replay(ctl, &s.arch, &r);
            CHECK(r.log_prob == s.log_prob && r.entropy == s.entropy, "replay of sample %d", i);
        }
    }
    for (int k = 0; k < 5; k++) {
        double p = exp((double)s.logp[0][k]), sd = sqrt(draws * p * (1 - p));
        CHECK(fabs(counts[k] - draws * p) <= 5 * sd, "edge 0 op %d: %d draws, expected %.1f", k, counts[k], draws * p);
    }
    Arch g;
    float probs[6][5];
    enas_controller_greedy(ctl, &g, probs);
    enas_controller_replay(ctl, &g, &s);
    for (int e = 0; e < 6; e++)
        for (int k = 0; k < 5; k++) {
            CHECK(probs[e][k] <= probs[e][g.op[e]], "greedy edge %d takes the most likely op", e);
            CHECK_CLOSE(probs[e][k], exp((double)s.logp[e][k]), 1e-7, 1e-6, "greedy probabilities");
        }
}

int main(void) {
    EnasConfig cfg = enas_config_default();
    EnasController *ctl = enas_controller_create(&cfg, 5);
    check_layout_and_init(ctl);
    Arch arch = {{3, 0, 4, 1, 2, 3}};
    check_gradients(ctl, &arch, 0.7, -1.3);
    check_sampler(ctl);
    enas_controller_free(ctl);
    TEST_EXIT();
}
