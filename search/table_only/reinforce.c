/*
 * reinforce.c: REINFORCE (REFERENCE 7.4). A 6x5 logits policy (float32, initialised 1e-3 N(0,1))
 * samples one op per edge from its row softmax. Reward = 12-epoch validation accuracy in percent.
 * Each step: sample, evaluate, append to the trace; stop if the cost does not fit strictly under
 * the budget (that cell stays in the trace); update the bias-corrected EMA baseline; take one Adam
 * step (lr 0.5, betas 0.9/0.999, eps 1e-8) on -log p(arch) (r - b). The answer is the first trace
 * entry with the highest reward.
 */
#include <math.h>

#include "table_only/multitrial.h"
#include "optim.h"

enum { N_LOGITS = ARCH_N_EDGES * ARCH_N_OPS };

static void row_softmax(const float *logits, double *probs) {
    for (int e = 0; e < ARCH_N_EDGES; e++) {
        const float *l = logits + e * ARCH_N_OPS;
        double *p = probs + e * ARCH_N_OPS, max = l[0], sum = 0;
        for (int k = 1; k < ARCH_N_OPS; k++) max = fmax(max, l[k]);
        for (int k = 0; k < ARCH_N_OPS; k++) sum += p[k] = exp(l[k] - max);
        for (int k = 0; k < ARCH_N_OPS; k++) p[k] /= sum;
    }
}

static int sample_code(const double *probs, Rng *rng) {
    int code = 0;
    for (int e = 0; e < ARCH_N_EDGES; e++) {
        double u = rng_uniform(rng), cum = 0;
        int op = ARCH_N_OPS - 1;
        for (int k = 0; k < ARCH_N_OPS - 1; k++)
            if (u < (cum += probs[e * ARCH_N_OPS + k])) {
                op = k;
                break;
            }
        code = code * ARCH_N_OPS + op;
    }
    return code;
}

/* d/dlogits of -log p(arch) * advantage: -advantage (onehot(op) - softmax) on each edge's row. */
static void policy_gradient(const double *probs, int code, double advantage, float *grad) {
    Arch a = arch_from_code(code);
    for (int e = 0; e < ARCH_N_EDGES; e++)
        for (int k = 0; k < ARCH_N_OPS; k++)
            grad[e * ARCH_N_OPS + k] = (float)(-advantage * ((k == a.op[e]) - probs[e * ARCH_N_OPS + k]));
}

MtRunResult mt_run_reinforce(const MtOracle *o, const MtConfig *c, Rng *rng) {
    float logits[N_LOGITS], m[N_LOGITS] = {0}, v[N_LOGITS] = {0}, grad[N_LOGITS];
    double probs[N_LOGITS], ema_num = 0, ema_den = 0, best = -1;
    const AdamConfig adam = {.lr = c->rl_lr, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .weight_decay = 0};
    MtRunResult r = {.best_code = -1};
    for (int k = 0; k < N_LOGITS; k++) logits[k] = (float)(1e-3 * rng_normal(rng));
    for (int step = 1;; step++) {
        row_softmax(logits, probs);
        int code = sample_code(probs, rng);
        MtEval e = mt_evaluate(o, code);
        r.n_evaluated++;
        if (e.accuracy > best) best = e.accuracy, r.best_code = code;
        if (!(r.sim_seconds + e.cost < c->budget)) break;
        r.sim_seconds += e.cost;
        ema_num = c->rl_ema * ema_num + (1 - c->rl_ema) * e.accuracy;
        ema_den = c->rl_ema * ema_den + (1 - c->rl_ema);
        policy_gradient(probs, code, e.accuracy - ema_num / ema_den, grad);
        adam_step(logits, m, v, grad, N_LOGITS, adam, step);
    }
    return r;
}
