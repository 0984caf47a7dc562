/*
 * bn.h: batch normalization over nChw16c activations on oneDNN (eps 1e-5, as PyTorch).
 *
 * Training normalises with the batch mean and biased variance, which forward returns in mean/var
 * (C floats each) for backward and for the running-statistics update. Eval normalises with given
 * statistics (the running ones). `affine` adds the per-channel scale gamma and shift beta; without
 * it those pointers are ignored and may be NULL.
 *
 * bn_backward OVERWRITES din, dgamma and dbeta (oneDNN's backward cannot accumulate).
 */
#ifndef SN_BN_H
#define SN_BN_H

#include <stddef.h>

#include "tensor.h"

#define SN_BN_EPS 1e-5f

typedef struct BnPlan BnPlan;

BnPlan *bn_plan_create(Shape4 s, int affine);
void bn_plan_free(BnPlan *p);

void bn_forward_train(BnPlan *p, float *out, float *mean, float *var, const float *in, const float *gamma,
                      const float *beta);
void bn_forward_eval(BnPlan *p, float *out, const float *in, const float *mean, const float *var,
                     const float *gamma, const float *beta);
/* The batch mean and biased variance alone (C floats each), as bn_forward_train computes them; summed
 * in double in a fixed order, so the same for any number of threads. For the search cells, whose BN
 * output is formed inside the node sums (node_pass.h). */
void bn_batch_stats(BnPlan *p, float *mean, float *var, const float *in);
/* The two halves of bn_batch_stats, for a batch shared by several processes: the per-channel sums and
 * sums of squares of in (C doubles each), and mean and biased variance from sums over count values. */
void bn_batch_sums(BnPlan *p, double *sum, double *sq, const float *in);
void bn_stats_from_sums(float *mean, float *var, const double *sum, const double *sq, int c, double count);
/* The input gradient of a BN whose statistics and backward reductions cover a larger batch than this
 * plan's (the whole batch that in is a share of): din = gamma rstd (dout - S1 / count - xhat S2 / count),
 * xhat = (in - mean) rstd, with S1 = sum of dout and S2 = sum of dout xhat over the whole batch
 * (bn_backward's dbeta and dgamma, summed over the shares). gamma may be NULL (1). */
void bn_backward_data_sums(BnPlan *p, float *din, const float *dout, const float *in, const float *mean,
                           const float *var, const float *gamma, const double *sum_dout, const double *sum_dout_xhat,
                           double count);
void bn_backward(BnPlan *p, float *din, float *dgamma, float *dbeta, const float *dout, const float *in,
                 const float *mean, const float *var, const float *gamma, const float *beta);

/* The backward of a BN that normalised with given statistics (mean and var, not the batch's): din =
 * gamma rstd dout, dgamma = sum of dout xhat, dbeta = sum of dout, xhat = (in - mean) rstd. OVERWRITES
 * din, dgamma and dbeta; gamma may be NULL (1), dgamma and dbeta too (not wanted). */
void bn_backward_frozen(BnPlan *p, float *din, float *dgamma, float *dbeta, const float *dout, const float *in,
                        const float *mean, const float *var, const float *gamma);

/* running = (1 - momentum) * running + momentum * batch, with the batch variance made unbiased by
 * count / (count - 1), count = N * H * W (PyTorch's BatchNorm2d). */
void bn_update_running(float *running_mean, float *running_var, const float *mean, const float *var, int c,
                       size_t count, float momentum);

#endif
