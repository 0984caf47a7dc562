/* enas_controller.c: the ENAS LSTM controller, its backward through the six steps and the REINFORCE
 * update with the reference's baseline (see enas_controller.h). */
#include "strategies/enas_controller.h"

#include <math.h>
#include <string.h>

#include "elementwise.h"
#include "linear_serial.h"
#include "lstm.h"
#include "softmax.h"

enum {
    H = ENAS_HIDDEN,
    OPS = ARCH_N_OPS,
    OFF_INPUT = 0,
    OFF_LSTM = H,
    N_LSTM = ENAS_LAYERS * 4 * H * (H + H + 2),
    OFF_EMBD = OFF_LSTM + N_LSTM,
    OFF_PRED_W = OFF_EMBD + OPS * H,
    OFF_PRED_B = OFF_PRED_W + OPS * H,
    N_PARAMS = OFF_PRED_B + OPS,
    N_TENSORS = 12,   /* input_vars, 4 per LSTM layer, embedding, head weight, head bias */
    N_STATE = 5,      /* Adam step, pending samples, baseline stored, B, last b */
    N_ARRAYS = N_TENSORS + 4
};

struct EnasController {
    EnasConfig cfg;
    float *params, *grads, *adam_m, *adam_v;
    float scratch[7 * H]; /* lstm_scratch_floats(1, H) */
    int adam_step, pending, has_baseline;
    float baseline, last_baseline;
};

EnasConfig enas_config_default(void) {
    EnasConfig c = {.temperature = 5.0, .tanh_constant = 2.5, .entropy_weight = 1e-4, .baseline_decay = 0.99,
                    .num_aggregate = 20, .grad_clip = 5.0,
                    .adam = {.lr = 1e-3, .beta1 = 0.0, .beta2 = 0.999, .eps = 1e-3, .weight_decay = 0.0},
                    .baseline_mode = ENAS_BASELINE_REFERENCE};
    return c;
}

/* ---------------------------------------------------------------------------------------------
 * Parameter tensors: names, places in the flat array, initialisation bounds */

typedef struct {
    const char *name;
    size_t offset, count;
    double init_bound; /* U(-bound, bound) */
} TensorDesc;

static TensorDesc tensor_desc(int i) {
    static const char *const lstm_names[2][4] = {
        {"controller.w_lstm.weight_ih_l0", "controller.w_lstm.weight_hh_l0", "controller.w_lstm.bias_ih_l0",
         "controller.w_lstm.bias_hh_l0"},
        {"controller.w_lstm.weight_ih_l1", "controller.w_lstm.weight_hh_l1", "controller.w_lstm.bias_ih_l1",
         "controller.w_lstm.bias_hh_l1"}};
    const double ref = 0.1, torch_default = 1.0 / sqrt((double)H);
    if (i == 0) return (TensorDesc){.name = "controller.input_vars", .offset = OFF_INPUT, .count = H, .init_bound = ref};
    if (i <= 8) {
        int layer = (i - 1) / 4, which = (i - 1) % 4;
        LstmLayerOffsets o = lstm_layer_offsets(H, H, layer);
        size_t offs[4] = {o.w_ih, o.w_hh, o.b_ih, o.b_hh}, sizes[4] = {4 * H * H, 4 * H * H, 4 * H, 4 * H};
        /* the reference re-initialises only layer 0's weight matrices */
        double bound = layer == 0 && which < 2 ? ref : torch_default;
        return (TensorDesc){.name = lstm_names[layer][which], .offset = OFF_LSTM + offs[which], .count = sizes[which],
                            .init_bound = bound};
    }
    if (i == 9)
        return (TensorDesc){.name = "controller.w_embd.weight", .offset = OFF_EMBD, .count = OPS * H, .init_bound = ref};
    if (i == 10)
        return (TensorDesc){.name = "controller.w_pred.weight", .offset = OFF_PRED_W, .count = OPS * H, .init_bound = ref};
    return (TensorDesc){.name = "controller.w_pred.bias", .offset = OFF_PRED_B, .count = OPS, .init_bound = torch_default};
}

EnasController *enas_controller_create(const EnasConfig *cfg, uint64_t seed) {
    SN_ASSERT(lstm_num_params(H, H, ENAS_LAYERS) == N_LSTM, "controller LSTM size");
    SN_ASSERT(cfg->num_aggregate > 0 && cfg->temperature > 0 && cfg->tanh_constant > 0, "bad controller config");
    EnasController *c = sn_alloc(sizeof *c);
    c->cfg = *cfg;
    c->params = sn_alloc(N_PARAMS * sizeof(float));
    c->grads = sn_alloc(N_PARAMS * sizeof(float));
    c->adam_m = sn_alloc(N_PARAMS * sizeof(float));
    c->adam_v = sn_alloc(N_PARAMS * sizeof(float));
    Rng rng;
    rng_seed(&rng, seed, 0);
    for (int i = 0; i < N_TENSORS; i++) {
        TensorDesc t = tensor_desc(i);
        for (size_t k = 0; k < t.count; k++)
            c->params[t.offset + k] = (float)(t.init_bound * (2.0 * rng_uniform(&rng) - 1.0));
    }
    return c;
}

void enas_controller_free(EnasController *c) {
    if (!c) return;
    sn_free(c->params), sn_free(c->grads), sn_free(c->adam_m), sn_free(c->adam_v);
    sn_free(c);
}

const EnasConfig *enas_controller_config(const EnasController *c) { return &c->cfg; }
size_t enas_controller_num_params(void) { return N_PARAMS; }
float *enas_controller_params(EnasController *c) { return c->params; }
float *enas_controller_grads(EnasController *c) { return c->grads; }

/* ---------------------------------------------------------------------------------------------
 * Forward over the six edges */

typedef enum { PASS_SAMPLE, PASS_REPLAY, PASS_GREEDY } PassKind;

/* One LSTM step at edge e and the squashed logits and log-probabilities of its op. */
static void step_forward(const EnasController *c, EnasSample *s, int e) {
    const float *p = c->params;
    const float *in = e == 0 ? p + OFF_INPUT : p + OFF_EMBD + (size_t)s->arch.op[e - 1] * H;
    memcpy(s->x[e], in, sizeof s->x[e]);
    lstm_forward_step(s->h[e + 1], s->c[e + 1], s->gates[e], s->x[e], s->h[e], s->c[e], p + OFF_LSTM, 1, H, H,
                      ENAS_LAYERS);
    float z[OPS];
    memcpy(z, p + OFF_PRED_B, sizeof z);
    linear_serial_forward_acc(z, s->h[e + 1] + (ENAS_LAYERS - 1) * H, p + OFF_PRED_W, 1, H, OPS);
    for (int k = 0; k < OPS; k++)
        s->logits[e][k] = (float)(c->cfg.tanh_constant * tanh(z[k] / c->cfg.temperature));
    log_softmax_forward(s->logp[e], s->logits[e], 1, OPS);
}

static double step_entropy(const float *logp) {
    double h = 0.0;
    for (int k = 0; k < OPS; k++) h -= exp((double)logp[k]) * logp[k];
    return h;
}

/* Inverse-CDF draw from exp(logp); the last op with nonzero probability if rounding leaves u above
 * the total. */
static int draw_op(const float *logp, Rng *rng) {
    double u = rng_uniform(rng), cum = 0.0;
    int last = 0;
    for (int k = 0; k < OPS; k++) {
        double p = exp((double)logp[k]);
        cum += p;
        if (p > 0.0) last = k;
        if (u < cum) return k;
    }
    return last;
}

static int argmax_op(const float *logp) {
    int best = 0;
    for (int k = 1; k < OPS; k++)
        if (logp[k] > logp[best]) best = k;
    return best;
}

static void run_pass(const EnasController *c, PassKind kind, Rng *rng, const Arch *given, EnasSample *s) {
    memset(s->h[0], 0, sizeof s->h[0]);
    memset(s->c[0], 0, sizeof s->c[0]);
    s->log_prob = s->entropy = 0.0;
    for (int e = 0; e < ENAS_STEPS; e++) {
        step_forward(c, s, e);
        int op = kind == PASS_SAMPLE ? draw_op(s->logp[e], rng)
               : kind == PASS_GREEDY ? argmax_op(s->logp[e])
                                     : given->op[e];
        s->arch.op[e] = (uint8_t)op;
        s->log_prob += s->logp[e][op];
        s->entropy += step_entropy(s->logp[e]);
    }
}

void enas_controller_sample(EnasController *c, Rng *rng, EnasSample *out) { run_pass(c, PASS_SAMPLE, rng, NULL, out); }

void enas_controller_replay(EnasController *c, const Arch *arch, EnasSample *out) {
    for (int e = 0; e < ENAS_STEPS; e++) SN_ASSERT(arch->op[e] < OPS, "replay: op out of range");
    run_pass(c, PASS_REPLAY, NULL, arch, out);
}

void enas_controller_greedy(EnasController *c, Arch *out, float probs[ARCH_N_EDGES][ARCH_N_OPS]) {
    EnasSample s;
    run_pass(c, PASS_GREEDY, NULL, NULL, &s);
    *out = s.arch;
    if (probs)
        for (int e = 0; e < ENAS_STEPS; e++)
            for (int k = 0; k < OPS; k++) probs[e][k] = (float)exp((double)s.logp[e][k]);
}

/* ---------------------------------------------------------------------------------------------
 * Backward through the six steps */

/* dL/dz of the head output at edge e for L = a log p(op) + b H_e. With p = softmax(t):
 * d log p(op)/dt_k = [k = op] - p_k;  dH_e/dt_k = -p_k (log p_k + H_e); t = K tanh(z/T). */
static void head_grad(float dz[OPS], const EnasController *c, const EnasSample *s, int e, double a, double b) {
    double he = step_entropy(s->logp[e]), kc = c->cfg.tanh_constant;
    for (int k = 0; k < OPS; k++) {
        double p = exp((double)s->logp[e][k]), y = s->logits[e][k] / kc;
        double dt = a * ((k == s->arch.op[e]) - p) - b * p * (s->logp[e][k] + he);
        dz[k] = (float)(dt * kc * (1.0 - y * y) / c->cfg.temperature);
    }
}

void enas_controller_backward(EnasController *c, const EnasSample *s, double coef_logp, double coef_entropy) {
    const float *p = c->params;
    float *g = c->grads;
    float dh[ENAS_LAYERS * H] = {0}, dc[ENAS_LAYERS * H] = {0};
    for (int e = ENAS_STEPS - 1; e >= 0; e--) {
        float dz[OPS], dh_prev[ENAS_LAYERS * H] = {0}, dc_prev[ENAS_LAYERS * H] = {0}, dx[H] = {0};
        head_grad(dz, c, s, e, coef_logp, coef_entropy);
        const float *top = s->h[e + 1] + (ENAS_LAYERS - 1) * H;
        linear_serial_backward(dh + (ENAS_LAYERS - 1) * H, g + OFF_PRED_W, g + OFF_PRED_B, dz, top, p + OFF_PRED_W, 1, H, OPS);
        lstm_backward_step(dx, dh_prev, dc_prev, g + OFF_LSTM, c->scratch, dh, dc, s->x[e], s->h[e + 1], s->c[e + 1],
                           s->gates[e], s->h[e], s->c[e], p + OFF_LSTM, 1, H, H, ENAS_LAYERS);
        float *dinput = e == 0 ? g + OFF_INPUT : g + OFF_EMBD + (size_t)s->arch.op[e - 1] * H;
        for (int k = 0; k < H; k++) dinput[k] += dx[k];
        memcpy(dh, dh_prev, sizeof dh);
        memcpy(dc, dc_prev, sizeof dc);
    }
}

/* ---------------------------------------------------------------------------------------------
 * REINFORCE */

/* Reward, baseline and the slope d(R - b)/dH of one sample; updates the baseline state. */
static EnasFeedback score_sample(EnasController *c, double acc, double entropy, double *dadv_dentropy) {
    const EnasConfig *k = &c->cfg;
    EnasFeedback f = {.reward = acc + k->entropy_weight * entropy};
    if (k->baseline_mode == ENAS_BASELINE_CANONICAL) {
        c->baseline = (float)(c->baseline - (1.0 - k->baseline_decay) * (c->baseline - f.reward));
        f.baseline = c->baseline;
        *dadv_dentropy = 0.0; /* the reward is a constant */
    } else if (!c->has_baseline) {
        f.baseline = acc; /* quirk (b): R - b = w H in the first epoch */
        *dadv_dentropy = k->entropy_weight;
    } else {
        /* quirk (a): B is fixed within the epoch; R - b = d (R - B), still a function of H (quirk c) */
        f.baseline = c->baseline - (1.0 - k->baseline_decay) * (c->baseline - f.reward);
        *dadv_dentropy = k->baseline_decay * k->entropy_weight;
    }
    c->last_baseline = (float)f.baseline;
    f.advantage = f.reward - f.baseline;
    return f;
}

EnasFeedback enas_controller_feedback(EnasController *c, const EnasSample *s, double acc) {
    double slope, n = c->cfg.num_aggregate;
    EnasFeedback f = score_sample(c, acc, s->entropy, &slope);
    /* loss = -(sum log p)(R - b) / n */
    enas_controller_backward(c, s, -f.advantage / n, -s->log_prob * slope / n);
    if (++c->pending == c->cfg.num_aggregate) {
        float *grads[1] = {c->grads};
        size_t sizes[1] = {N_PARAMS};
        f.grad_norm = c->cfg.grad_clip > 0 ? clip_grad_norm(grads, sizes, 1, c->cfg.grad_clip)
                                           : sqrt(vec_dot(c->grads, c->grads, N_PARAMS));
        adam_step(c->params, c->adam_m, c->adam_v, c->grads, N_PARAMS, c->cfg.adam, ++c->adam_step);
        memset(c->grads, 0, N_PARAMS * sizeof(float));
        c->pending = 0;
        f.stepped = 1;
    }
    return f;
}

void enas_controller_end_epoch(EnasController *c) {
    if (c->cfg.baseline_mode != ENAS_BASELINE_REFERENCE) return;
    c->baseline = c->last_baseline;
    c->has_baseline = 1;
}

/* ---------------------------------------------------------------------------------------------
 * State as named arrays */

int enas_controller_num_arrays(void) { return N_ARRAYS; }

EnasArrayInfo enas_controller_array_info(int index) {
    SN_ASSERT(index >= 0 && index < N_ARRAYS, "controller array %d", index);
    static const char *const extra[4] = {"controller.adam.exp_avg", "controller.adam.exp_avg_sq",
                                         "controller.grad", "controller.state"};
    if (index < N_TENSORS) {
        TensorDesc t = tensor_desc(index);
        return (EnasArrayInfo){t.name, t.count};
    }
    return (EnasArrayInfo){extra[index - N_TENSORS], index == N_ARRAYS - 1 ? N_STATE : N_PARAMS};
}

/* The flat buffer behind array `index` (all but the state array). */
static float *array_data(const EnasController *c, int index) {
    if (index < N_TENSORS) return c->params + tensor_desc(index).offset;
    float *flat[3] = {c->adam_m, c->adam_v, c->grads};
    return flat[index - N_TENSORS];
}

void enas_controller_array_get(const EnasController *c, int index, float *out) {
    EnasArrayInfo info = enas_controller_array_info(index);
    if (index < N_ARRAYS - 1) {
        memcpy(out, array_data(c, index), info.count * sizeof(float));
        return;
    }
    float state[N_STATE] = {(float)c->adam_step, (float)c->pending, (float)c->has_baseline, c->baseline,
                            c->last_baseline};
    memcpy(out, state, sizeof state);
}

static int whole_in(float x, double lo, double hi) { return x >= lo && x <= hi && x == floorf(x); }

int enas_controller_array_set(EnasController *c, int index, const float *in) {
    EnasArrayInfo info = enas_controller_array_info(index);
    for (size_t k = 0; k < info.count; k++)
        if (!isfinite(in[k])) return -1;
    if (index < N_ARRAYS - 1) {
        memcpy(array_data(c, index), in, info.count * sizeof(float));
        return 0;
    }
    /* float holds whole numbers exactly up to 2^24 */
    if (!whole_in(in[0], 0, 16777216.0) || !whole_in(in[1], 0, c->cfg.num_aggregate - 1) || !whole_in(in[2], 0, 1))
        return -1;
    c->adam_step = (int)in[0], c->pending = (int)in[1], c->has_baseline = (int)in[2];
    c->baseline = in[3], c->last_baseline = in[4];
    return 0;
}
