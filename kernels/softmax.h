/*
 * softmax.h: row-wise softmax and log-softmax on the architecture parameters alpha (a small plain
 * (rows, cols) matrix: one row per edge, one column per candidate op), and the Gumbel-softmax pieces
 * of GDAS (REFERENCE.md 1.7).
 *
 * Everything is computed in double with the row maximum subtracted and stored as float. Backwards
 * accumulate (+=) into d-prefixed buffers. The Rng is used serially, outside any parallel region, so a
 * draw depends only on the Rng state.
 */
#ifndef SN_SOFTMAX_H
#define SN_SOFTMAX_H

#include "common.h"

/* p[r] = softmax(x[r]) for each of `rows` rows of `cols`. p may alias x. */
void softmax_forward(float *p, const float *x, int rows, int cols);
/* dx[r] += p[r] * (dp[r] - <dp[r], p[r]>), p the forward output. */
void softmax_backward(float *dx, const float *dp, const float *p, int rows, int cols);

/* y[r] = x[r] - logsumexp(x[r]). y may alias x. */
void log_softmax_forward(float *y, const float *x, int rows, int cols);
/* dx[r] += dy[r] - exp(y[r]) * sum(dy[r]), y the forward output. */
void log_softmax_backward(float *dx, const float *dy, const float *y, int rows, int cols);

/* Gumbel-softmax with a given draw g: p[r] = softmax((log_softmax(alpha[r]) + g[r]) / tau). */
void gumbel_softmax_forward(float *p, const float *alpha, const float *gumbel, int rows, int cols, double tau);

/*
 * Backward of gumbel_softmax_forward w.r.t. alpha (g fixed):
 *   dz = p * (dp - <dp, p>);  dlogp = dz / tau;  dalpha += dlogp - softmax(alpha) * sum(dlogp).
 * GDAS's hard one-hot h = one_hot - stopgrad(p) + p is straight-through, so its gradient passes as
 * dp = dL/dh unchanged.
 */
void gumbel_softmax_backward(float *dalpha, const float *dp, const float *p, const float *alpha, int rows, int cols,
                             double tau);

/*
 * One GDAS draw for all rows: gumbel[r][k] = -log(E), E ~ Exp(1); probs = gumbel_softmax_forward(...);
 * choice[r] = argmax probs[r] (lowest index on ties); hard[r] = one_hot(choice[r]). The whole draw is
 * repeated while any gumbel is +-inf or any prob is inf or NaN (the reference's resample guard); a
 * run of 64 bad draws means alpha or tau is not finite, an internal error. The argmax is an exact
 * sample from softmax(alpha[r]).
 */
void gdas_sample(float *hard, float *probs, float *gumbel, int *choice, const float *alpha, int rows, int cols,
                 double tau, Rng *rng);

#endif
