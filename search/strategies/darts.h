/*
 * darts.h: DARTS-V2's architecture gradient (REFERENCE 6.2), exposed for its finite-difference test.
 *
 * With W = softmax(alpha), the current LR eta, momentum mu, weight decay lambda and the SGD momentum
 * buffer buf (zeros before the first SGD step):
 *   g_w   = grad_w L_train(w, alpha)                              (batch x, y; train mode)
 *   w'    = w - eta (mu buf + g_w + lambda w)                     (Nesterov ignored, as the reference)
 *   dA    = grad_alpha L_val(w', alpha),  v = grad_w' L_val(w', alpha)   (batch xa, ya)
 *   R     = r / ||v||_2 (r = DARTS_HVP_R = 0.01 in the reference),  h = (grad_alpha L_train(w + R v) - grad_alpha L_train(w - R v)) / (2R)
 *   dalpha = dA - eta h
 * The network's weights and running statistics are as before the call, except that the first
 * forward (on x) updated the tracked running statistics, as the reference's does; the forward at w'
 * runs on a throw-away copy in the reference, so its running-statistics update is undone here.
 */
#ifndef SN_DARTS_H
#define SN_DARTS_H

#include <stdint.h>

#include "loader.h"
#include "supernet.h"

#define DARTS_HVP_R 0.01

typedef struct {
    float *saved_w, *v; /* weights-shaped scratch */
    float *stats;       /* the running statistics */
    size_t n_stats;
} DartsScratch;

DartsScratch darts_scratch_create(Supernet *net);
void darts_scratch_free(DartsScratch *s);

/* Returns L_val(w', alpha) and its top-1 hits in *correct; writes dalpha (30 floats, overwritten).
 * momentum may be NULL (no buffer yet). */
double darts_v2_arch_grad(Supernet *net, const float *alpha, const Batch *b, double lr, double mu, double wd,
                          const float *momentum, double r, DartsScratch *s, float *dalpha, int *correct);

/* The running statistics (every TENSOR_RUNNING_STAT tensor, concatenated) out of and into stats. */
size_t supernet_running_stats_count(Supernet *net);
void supernet_running_stats_get(Supernet *net, float *stats);
void supernet_running_stats_set(Supernet *net, const float *stats);

#endif
