/*
 * optim.c: Adam, SGD, gradient clipping and the cosine schedule (see optim.h).
 *
 * Per-element arithmetic is float32 in the order PyTorch 1.x's Adam/SGD perform it (each tensor op
 * rounds to float), with the step-dependent scalars computed in double as Python does.
 */
#include "optim.h"

#include <math.h>

#include "common.h"
#include "elementwise.h"

#define PARALLEL_MIN 32768
#define PI 3.14159265358979323846

void adam_step(float *param, float *m, float *v, const float *grad, size_t n, AdamConfig cfg, int t) {
    SN_ASSERT(t >= 1, "adam_step: step count %d, steps start at 1", t);
    double bias1 = 1.0 - pow(cfg.beta1, t), bias2 = 1.0 - pow(cfg.beta2, t);
    const float b1 = (float)cfg.beta1, one_b1 = (float)(1.0 - cfg.beta1);
    const float b2 = (float)cfg.beta2, one_b2 = (float)(1.0 - cfg.beta2);
    const float wd = (float)cfg.weight_decay, eps = (float)cfg.eps;
    const float step = (float)(cfg.lr / bias1), sqrt_bias2 = (float)sqrt(bias2);
#pragma omp parallel for simd schedule(static) if (n >= PARALLEL_MIN)
    for (size_t i = 0; i < n; i++) {
        float g = grad[i] + wd * param[i];
        m[i] = b1 * m[i] + one_b1 * g;
        v[i] = b2 * v[i] + one_b2 * g * g;
        float denom = sqrtf(v[i]) / sqrt_bias2 + eps;
        param[i] -= step * (m[i] / denom);
    }
}

void sgd_step(float *param, float *buf, const float *grad, size_t n, SgdConfig cfg, int t) {
    SN_ASSERT(t >= 1, "sgd_step: step count %d, steps start at 1", t);
    SN_ASSERT(!cfg.nesterov || cfg.momentum > 0.0, "sgd_step: Nesterov needs momentum > 0");
    const float lr = (float)cfg.lr, mu = (float)cfg.momentum, wd = (float)cfg.weight_decay;
    const int use_buf = cfg.momentum != 0.0, first = t == 1, nesterov = cfg.nesterov;
    SN_ASSERT(!use_buf || buf, "sgd_step: momentum %g needs a buffer", cfg.momentum);
#pragma omp parallel for simd schedule(static) if (n >= PARALLEL_MIN)
    for (size_t i = 0; i < n; i++) {
        float g = grad[i] + wd * param[i], d = g;
        if (use_buf) {
            buf[i] = first ? g : mu * buf[i] + g;
            d = nesterov ? g + mu * buf[i] : buf[i];
        }
        param[i] -= lr * d;
    }
}

double clip_grad_norm(float *const *grads, const size_t *sizes, int count, double max_norm) {
    double sumsq = 0.0;
    for (int b = 0; b < count; b++) sumsq += vec_dot(grads[b], grads[b], sizes[b]);
    double total = sqrt(sumsq), coef = max_norm / (total + 1e-6);
    /* PyTorch 1.x tests the factor, not total > max_norm; the two differ only within 1e-6 of max_norm. */
    if (coef < 1.0)
        for (int b = 0; b < count; b++) vec_scale(grads[b], (float)coef, sizes[b]);
    return total;
}

double cosine_lr(double base_lr, double eta_min, int epoch, int epochs, int t_max) {
    SN_ASSERT(epoch >= 0 && t_max > 0, "cosine_lr: epoch %d, t_max %d", epoch, t_max);
    if (epoch >= epochs) return eta_min;
    return eta_min + (base_lr - eta_min) * (1.0 + cos(PI * epoch / t_max)) / 2.0;
}
