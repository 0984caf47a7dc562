/*
 * bn_layer.c: the batch-norm steps of every layer (stem, reductions, head, cell edges) with or without
 * synchronisation over the processes that share a batch (supernet_set_bn_sum), and the frozen mode
 * (supernet_set_bn_frozen). The kernels see one
 * process's share; the sums over the shares happen here, between kernel calls.
 */
#include <string.h>

#include "common.h"
#include "internal.h"

void supernet_set_bn_sum(Supernet *net, SupernetSumFn sum) {
    net->bn_sum = sum;
    if (sum && !net->bn_sums) net->bn_sums = sn_alloc(sizeof(double) * (2 * (size_t)net->stage_channels[N_STAGES - 1] + 1));
}

void supernet_set_global_batch(Supernet *net, int global_batch) { net->global_batch = global_batch; }

void supernet_set_bn_frozen(Supernet *net, int on) {
    SN_ASSERT(!on || net->cfg.single_cell || net->cfg.track_running_stats,
              "frozen batch norm needs running statistics in every BN (a one-cell network or track_running_stats)");
    net->bn_frozen = on;
}

void supernet_set_bn_momentum(Supernet *net, float momentum) { net->bn_momentum = momentum; }

void bn_layer_keep_running(float *mean, float *var, const BnParams *p, int c) {
    memcpy(mean, p->mean, sizeof(float) * (size_t)c);
    memcpy(var, p->var, sizeof(float) * (size_t)c);
}

/* The batch mean and biased variance of in (C floats each): of this process's share, or with a BN sum
 * of the whole batch. Returns the number of values per channel they cover. */
size_t bn_layer_stats(const Supernet *net, BnPlan *plan, float *mean, float *var, const float *in, Shape4 s) {
    size_t count = (size_t)s.n * s.h * s.w;
    if (!net->bn_sum) {
        bn_batch_stats(plan, mean, var, in);
        return count;
    }
    double *sum = net->bn_sums, *sq = sum + s.c;
    bn_batch_sums(plan, sum, sq, in);
    sum[2 * s.c] = (double)count;
    net->bn_sum(sum, 2 * (size_t)s.c + 1);
    bn_stats_from_sums(mean, var, sum, sq, s.c, sum[2 * s.c]);
    return (size_t)sum[2 * s.c];
}

/* bn_backward; with a BN sum, din becomes the whole batch's input gradient. dgamma and dbeta keep this
 * share's part: the weight gradients are summed over the processes later, with all the others. */
void bn_layer_backward(const Supernet *net, BnPlan *plan, float *din, float *dgamma, float *dbeta,
                       const float *dout, const float *in, const float *mean, const float *var,
                       const float *gamma, const float *beta, Shape4 s) {
    if (net->bn_frozen) {
        bn_backward_frozen(plan, din, dgamma, dbeta, dout, in, mean, var, gamma);
        return;
    }
    bn_backward(plan, din, dgamma, dbeta, dout, in, mean, var, gamma, beta);
    if (!net->bn_sum) return;
    double *sum_dout = net->bn_sums, *sum_dout_xhat = sum_dout + s.c;
    for (int c = 0; c < s.c; c++) sum_dout[c] = dbeta[c], sum_dout_xhat[c] = dgamma[c];
    sum_dout[2 * s.c] = (double)s.n * s.h * s.w;
    net->bn_sum(sum_dout, 2 * (size_t)s.c + 1);
    bn_backward_data_sums(plan, din, dout, in, mean, var, gamma, sum_dout, sum_dout_xhat, sum_dout[2 * s.c]);
}
