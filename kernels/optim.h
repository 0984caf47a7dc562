/*
 * optim.h: the optimisers of REFERENCE.md section 5, with PyTorch 1.x semantics, on flat float arrays.
 *
 *   adam_step       torch.optim.Adam, weight decay as L2 added to the gradient (not AdamW)
 *   sgd_step        torch.optim.SGD, dampening 0, coupled weight decay, optional Nesterov
 *   clip_grad_norm  torch.nn.utils.clip_grad_norm_ over several buffers
 *   cosine_lr       the per-epoch cosine schedule of xautodl/procedures/optimizers.py
 *
 * Steps are counted from 1 (t = 1 on the first step). Parameters and their state are updated in place.
 */
#ifndef SN_OPTIM_H
#define SN_OPTIM_H

#include <stddef.h>

typedef struct {
    double lr, beta1, beta2, eps, weight_decay;
} AdamConfig;

/* param, m, v, grad are (n); m and v start at zero. With g = grad + weight_decay * param:
 *   m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2;
 *   param -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps). */
void adam_step(float *param, float *m, float *v, const float *grad, size_t n, AdamConfig cfg, int t);

typedef struct {
    double lr, momentum, weight_decay;
    int nesterov; /* 1: Nesterov momentum (needs momentum > 0) */
} SgdConfig;

/* param, buf, grad are (n). With g = grad + weight_decay * param:
 *   buf = g on step t = 1, else buf = momentum buf + g;
 *   param -= lr * (nesterov ? g + momentum buf : buf).
 * With momentum 0 there is no buffer (buf may be NULL) and param -= lr * g. */
void sgd_step(float *param, float *buf, const float *grad, size_t n, SgdConfig cfg, int t);

/* Global-norm clipping over `count` buffers grads[i] of sizes[i] floats: total = sqrt(sum of all
 * squared entries); if max_norm / (total + 1e-6) < 1, every buffer is scaled by that factor.
 * Returns total (before clipping). The sum is thread-count independent (elementwise.h). */
double clip_grad_norm(float *const *grads, const size_t *sizes, int count, double max_norm);

/* Learning rate of epoch `epoch` (0-based), set once at the start of the epoch:
 *   eta_min + (base_lr - eta_min) (1 + cos(pi epoch / t_max)) / 2   for epoch < epochs,
 *   eta_min                                                          for epoch >= epochs.
 * t_max is normally epochs; ENAS uses t_max = 10 with 250 epochs, a cosine wave of period 2 t_max. */
double cosine_lr(double base_lr, double eta_min, int epoch, int epochs, int t_max);

#endif
