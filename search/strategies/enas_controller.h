/*
 * enas_controller.h: the ENAS architecture controller of REFERENCE.md 6.6 and its REINFORCE update.
 *
 * Network (xautodl's search_model_enas_utils.Controller): a 2-layer LSTM of hidden size 32 (torch gate
 * order, both biases, zero initial state), a learned start token `input_vars` (32), an embedding table
 * (5 x 32) shared by all edges, and a linear head 32 -> 5. For the six edges in order 1<-0, 2<-0, 2<-1,
 * 3<-0, 3<-1, 3<-2: one LSTM step on the current input (the start token, then the embedding of the op
 * just chosen); logits t = tanh_constant * tanh(head(h_top) / temperature); op ~ softmax(t).
 * A sample carries sum log p(op) and the sum of the per-edge entropies, with the activations that the
 * backward needs.
 *
 * Initialisation (the reference's): U(-0.1, 0.1) for input_vars, the layer-0 LSTM weights (ih and hh),
 * the embedding and the head weight; torch defaults U(-1/sqrt(32), 1/sqrt(32)) for the layer-1 LSTM
 * weights, every LSTM bias and the head bias.
 *
 * Update (enas_controller_feedback, one call per scored sample), with acc the sample's batch accuracy
 * as a fraction, H its entropy sum, w the entropy weight, d the baseline decay, n the aggregation count:
 *   reward R = acc + w H
 *   reference mode (default; REFERENCE 6.6 quirks a-c): b = acc while no baseline B is stored (the
 *     whole first epoch), else b = B - (1 - d)(B - R); B is replaced by the last b only at
 *     enas_controller_end_epoch. H is not detached: R - b depends on H (slope w, or d w once B exists).
 *   canonical mode (REFERENCE 12.4): R is a constant; the stored baseline starts at 0 and moves with
 *     every sample, B <- B - (1 - d)(B - R), before b = B is used (as TensorFlow ENAS does).
 *   loss = -(sum log p)(R - b) / n, gradients accumulated; every n samples: clip the controller's
 *   gradient norm to grad_clip (if > 0), one Adam step (no weight decay), zero the gradient.
 */
#ifndef SN_ENAS_CONTROLLER_H
#define SN_ENAS_CONTROLLER_H

#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "common.h"
#include "optim.h"

enum { ENAS_HIDDEN = 32, ENAS_LAYERS = 2, ENAS_STEPS = ARCH_N_EDGES };

typedef enum { ENAS_BASELINE_REFERENCE, ENAS_BASELINE_CANONICAL } EnasBaselineMode;

typedef struct {
    double temperature;    /* 5 */
    double tanh_constant;  /* 2.5 */
    double entropy_weight; /* 1e-4 */
    double baseline_decay; /* 0.99 */
    int num_aggregate;     /* 20 samples per Adam step */
    double grad_clip;      /* 5; 0: no clipping */
    AdamConfig adam;       /* lr 1e-3, betas (0, 0.999), eps 1e-3, no weight decay */
    EnasBaselineMode baseline_mode;
} EnasConfig;

EnasConfig enas_config_default(void);

/* One pass of the controller over the six edges and what its backward needs. */
typedef struct {
    Arch arch;
    double log_prob; /* sum over edges of log p(op) */
    double entropy;  /* sum over edges of -sum_k p log p */
    float x[ENAS_STEPS][ENAS_HIDDEN];                            /* LSTM input of each step */
    float h[ENAS_STEPS + 1][ENAS_LAYERS * ENAS_HIDDEN];          /* states; [0] is the zero state */
    float c[ENAS_STEPS + 1][ENAS_LAYERS * ENAS_HIDDEN];
    float gates[ENAS_STEPS][ENAS_LAYERS * 4 * ENAS_HIDDEN];
    float logits[ENAS_STEPS][ARCH_N_OPS];                        /* t = tanh_constant tanh(z / T) */
    float logp[ENAS_STEPS][ARCH_N_OPS];                          /* log_softmax(t) */
} EnasSample;

/* What one feedback call did. */
typedef struct {
    double reward, baseline, advantage; /* R, b, R - b */
    int stepped;                        /* 1 when this call completed an aggregate and stepped Adam */
    double grad_norm;                   /* the norm before clipping, when stepped */
} EnasFeedback;

typedef struct EnasController EnasController;

/* Parameters drawn from rng_seed(seed, stream 0) with the reference's initialisation. */
EnasController *enas_controller_create(const EnasConfig *cfg, uint64_t seed);
void enas_controller_free(EnasController *c);
const EnasConfig *enas_controller_config(const EnasController *c);

/* Draws an architecture; one rng_uniform per edge. */
void enas_controller_sample(EnasController *c, Rng *rng, EnasSample *out);
/* The same pass with the ops given (teacher forcing): log p and entropy of `arch`. */
void enas_controller_replay(EnasController *c, const Arch *arch, EnasSample *out);
/* Greedy decode: the most likely op at each edge given the greedy prefix; probs (may be NULL) gets
 * softmax(t) of every edge along that path, the probabilities the run logs report. */
void enas_controller_greedy(EnasController *c, Arch *out, float probs[ARCH_N_EDGES][ARCH_N_OPS]);

/* Accumulates into the gradient the gradient of coef_logp * log_prob + coef_entropy * entropy. */
void enas_controller_backward(EnasController *c, const EnasSample *s, double coef_logp, double coef_entropy);
/* The REINFORCE update for one scored sample (see the file head); acc in [0, 1]. */
EnasFeedback enas_controller_feedback(EnasController *c, const EnasSample *s, double acc);
/* End of a controller epoch: in reference mode the stored baseline B becomes the last b. */
void enas_controller_end_epoch(EnasController *c);

/* Flat parameters and gradient, layout: input_vars (32), LSTM (lstm.h layout, input = hidden = 32,
 * 2 layers), embedding (5 x 32), head weight (5 x 32), head bias (5). */
size_t enas_controller_num_params(void);
float *enas_controller_params(EnasController *c);
float *enas_controller_grads(EnasController *c);

/* ---------------------------------------------------------------------------------------------
 * The whole controller state as named float arrays, for checkpoints: every parameter tensor under
 * its PyTorch name ("controller.w_lstm.weight_ih_l0", ...), Adam's exp_avg and exp_avg_sq (flat), the
 * gradient accumulated since the last step (flat), and "controller.state" = {Adam step count, samples
 * pending in the aggregate, baseline stored (0/1), stored baseline B, last b}. Setting every array of
 * a saved state reproduces the controller exactly. */
typedef struct {
    const char *name;
    size_t count;
} EnasArrayInfo;

int enas_controller_num_arrays(void);
EnasArrayInfo enas_controller_array_info(int index);
void enas_controller_array_get(const EnasController *c, int index, float *out);
/* Returns 0, or -1 (nothing changed) when the values cannot be a controller state: non-finite
 * numbers, or counters that are not whole numbers in range. */
int enas_controller_array_set(EnasController *c, int index, const float *in);

#endif
