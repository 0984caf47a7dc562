/*
 * zero_cost.h: the zero-cost proxies of `supernet rank --scorer`: a score of a cell's network at
 * initialisation from one batch, without training, as the proxies' papers and their reference code
 * (SamsungLabs/zero-cost-nas, NASLib's pruner measures) define them. Every sum runs over the weights of
 * the convolutions and the classifier (not BN's, not biases), as theirs do.
 *
 *   grad_norm  sum over those layers of the L2 norm of dL/dw (cross-entropy of the batch, BNs with
 *              batch statistics)
 *   snip       sum of |w * dL/dw| (the same loss)
 *   synflow    sum of |w * dR/dw|, R = the sum of the logits for an all-ones input image, every weight
 *              replaced by its absolute value and every BN normalising with its running statistics
 *              (SynFlow's eval-mode network: at initialisation each BN is then x / sqrt(1 + eps)). R
 *              spans ~1e0..1e45 over the space, beyond float32: R is first measured at a tiny input
 *              scale, and the pass that gives the gradients runs at input and output-gradient scale
 *              1 / sqrt(R), which keeps every activation and gradient near 1 (R is homogeneous of degree
 *              one in the input there, as BN shifts and running means are 0 at initialisation)
 *   jacob_cov  -sum(log(v + k) + 1 / (v + k)), k = 1e-5, v the eigenvalues of the correlation matrix of
 *              the batch's input gradients of the summed logits (BNs with batch statistics)
 *   naswot     log |det K|, K[i][j] = the number of ReLU inputs at which images i and j agree in sign
 *              (x > 0), summed over every ReLU of the network as PyTorch hooks would see them
 *              (supernet_set_relu_observer); BNs with batch statistics
 *
 * The network is a one-cell network (SupernetConfig.single_cell) with max_batch >= batch; scoring
 * changes it (synflow its weights, every score its running statistics): score a fresh one.
 */
#ifndef SN_ZERO_COST_H
#define SN_ZERO_COST_H

#include <stdint.h>

#include "supernet.h"

typedef enum { ZC_SYNFLOW, ZC_SNIP, ZC_GRAD_NORM, ZC_JACOB_COV, ZC_NASWOT, ZC_COUNT } ZeroCost;

#define ZERO_COST_NAMES "synflow|snip|grad_norm|jacob_cov|naswot"

/* The proxy called name, or -1. */
int zero_cost_find(const char *name);

/* The proxy's score of net on images (batch x in_channels x H x W, plain) and labels; NaN when it is
 * undefined (jacob_cov of a network whose input gradients are constant). */
double zero_cost_score(ZeroCost kind, Supernet *net, const float *images, const int32_t *labels, int batch);

/* naswot's kernel step: K (batch x batch) += the agreements in sign (x > 0) of every pair of the batch's
 * rows of per_image floats. Exposed for its test against a naive count. */
void naswot_accumulate(double *k, const float *x, int batch, size_t per_image);

#endif
