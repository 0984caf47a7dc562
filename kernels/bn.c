/* bn.c: batch-normalization plans on oneDNN (see bn.h). */
#include "bn.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "dnnl_util.h"
#include "profile.h"

/* bn_batch_stats splits the batch of each channel block into at most STAT_GROUPS fixed groups. */
#define STAT_GROUPS 16

struct BnPlan {
    Shape4 s;
    int affine;
    DnnlPrim fwd_train, fwd_eval, bwd;
    double *stat_parts; /* per (channel block, group): 16 lane sums, then 16 lane sums of squares */
    double *sums;       /* bn_batch_stats: C sums, then C sums of squares */
    float *coef;        /* bn_backward_data_sums: per channel the factors of dout and in, then the constant */
};

static unsigned affine_flags(int affine) { return affine ? (unsigned)(dnnl_use_scale | dnnl_use_shift) : 0u; }

static void create_forward(BnPlan *p, DnnlPrim *prim, dnnl_prop_kind_t prop, unsigned flags, const char *pass) {
    char what[96];
    snprintf(what, sizeof what, "batch norm C=%d at %dx%d (batch %d) %s", p->s.c, p->s.h, p->s.w, p->s.n, pass);
    dnnl_memory_desc_t md = dnnl_md_blocked(p->s);
    dnnl_batch_normalization_desc_t d;
    DNNL_CHECK(dnnl_batch_normalization_forward_desc_init(&d, prop, &md, SN_BN_EPS, flags));
    int ids[7], n = 0;
    ids[n++] = DNNL_ARG_SRC;
    ids[n++] = DNNL_ARG_DST;
    ids[n++] = DNNL_ARG_MEAN;
    ids[n++] = DNNL_ARG_VARIANCE;
    if (p->affine) ids[n++] = DNNL_ARG_SCALE, ids[n++] = DNNL_ARG_SHIFT;
    dnnl_prim_create(prim, &d, NULL, what, ids, n);
}

static void create_backward(BnPlan *p) {
    char what[96];
    snprintf(what, sizeof what, "batch norm C=%d at %dx%d (batch %d) backward", p->s.c, p->s.h, p->s.w, p->s.n);
    dnnl_memory_desc_t md = dnnl_md_blocked(p->s);
    dnnl_batch_normalization_desc_t d;
    dnnl_prop_kind_t prop = p->affine ? dnnl_backward : dnnl_backward_data;
    DNNL_CHECK(dnnl_batch_normalization_backward_desc_init(&d, prop, &md, &md, SN_BN_EPS, affine_flags(p->affine)));
    int ids[9], n = 0;
    ids[n++] = DNNL_ARG_SRC;
    ids[n++] = DNNL_ARG_MEAN;
    ids[n++] = DNNL_ARG_VARIANCE;
    ids[n++] = DNNL_ARG_DIFF_DST;
    ids[n++] = DNNL_ARG_DIFF_SRC;
    /* oneDNN 2.6 wants the shift as an input too, though the gradient does not depend on it */
    if (p->affine)
        ids[n++] = DNNL_ARG_SCALE, ids[n++] = DNNL_ARG_SHIFT, ids[n++] = DNNL_ARG_DIFF_SCALE, ids[n++] = DNNL_ARG_DIFF_SHIFT;
    dnnl_prim_create(&p->bwd, &d, p->fwd_train.pd, what, ids, n);
}

BnPlan *bn_plan_create(Shape4 s, int affine) {
    BnPlan *p = sn_alloc(sizeof *p);
    p->s = s;
    p->affine = affine;
    create_forward(p, &p->fwd_train, dnnl_forward_training, affine_flags(affine), "forward");
    create_forward(p, &p->fwd_eval, dnnl_forward_inference, affine_flags(affine) | dnnl_use_global_stats,
                   "forward (running statistics)");
    create_backward(p);
    p->stat_parts = sn_alloc(sizeof(double) * 2 * SN_CBLOCK * STAT_GROUPS * (size_t)shape_cblocks(s));
    p->sums = sn_alloc(sizeof(double) * 2 * (size_t)s.c);
    p->coef = sn_alloc(sizeof(float) * 3 * SN_CBLOCK * (size_t)shape_cblocks(s)); /* padding lanes stay 0 */
    return p;
}

void bn_plan_free(BnPlan *p) {
    if (!p) return;
    dnnl_prim_free(&p->fwd_train);
    dnnl_prim_free(&p->fwd_eval);
    dnnl_prim_free(&p->bwd);
    sn_free(p->stat_parts), sn_free(p->sums), sn_free(p->coef);
    sn_free(p);
}

void bn_forward_train(BnPlan *p, float *out, float *mean, float *var, const float *in, const float *gamma,
                      const float *beta) {
    void *data[] = {(void *)in, out, mean, var, (void *)gamma, (void *)beta};
    dnnl_prim_exec(&p->fwd_train, data);
}

void bn_forward_eval(BnPlan *p, float *out, const float *in, const float *mean, const float *var,
                     const float *gamma, const float *beta) {
    void *data[] = {(void *)in, out, (void *)mean, (void *)var, (void *)gamma, (void *)beta};
    dnnl_prim_exec(&p->fwd_eval, data);
}

void bn_backward(BnPlan *p, float *din, float *dgamma, float *dbeta, const float *dout, const float *in,
                 const float *mean, const float *var, const float *gamma, const float *beta) {
    void *data[] = {(void *)in, (void *)mean, (void *)var, (void *)dout, din, (void *)gamma, (void *)beta, dgamma, dbeta};
    dnnl_prim_exec(&p->bwd, data);
}

static int stat_groups(Shape4 s) { return s.n < STAT_GROUPS ? s.n : STAT_GROUPS; }

/* Lane sums and sums of squares of channel block cb over images [n0, n1), into parts[0..32). */
static void stat_group(double *parts, const float *in, Shape4 s, int cb, int n0, int n1) {
    double sum[SN_CBLOCK] = {0}, sq[SN_CBLOCK] = {0};
    size_t plane = (size_t)s.h * s.w * SN_CBLOCK;
    for (int n = n0; n < n1; n++) {
        const float *x = in + ((size_t)n * shape_cblocks(s) + (size_t)cb) * plane;
        for (size_t i = 0; i < plane; i += SN_CBLOCK)
            for (int l = 0; l < SN_CBLOCK; l++) {
                double v = x[i + l];
                sum[l] += v, sq[l] += v * v;
            }
    }
    memcpy(parts, sum, sizeof sum);
    memcpy(parts + SN_CBLOCK, sq, sizeof sq);
}

void bn_batch_sums(BnPlan *p, double *sum, double *sq, const float *in) {
    double t0 = profile_start();
    Shape4 s = p->s;
    int groups = stat_groups(s), cblocks = shape_cblocks(s);
#pragma omp parallel for schedule(static) if (shape_padded_size(s) >= SN_PARALLEL_MIN)
    for (int task = 0; task < cblocks * groups; task++) {
        int cb = task / groups, g = task % groups;
        stat_group(p->stat_parts + (size_t)task * 2 * SN_CBLOCK, in, s, cb, g * s.n / groups, (g + 1) * s.n / groups);
    }
    for (int c = 0; c < s.c; c++) {
        int cb = c / SN_CBLOCK, l = c % SN_CBLOCK;
        sum[c] = 0.0, sq[c] = 0.0;
        for (int g = 0; g < groups; g++) {
            const double *parts = p->stat_parts + ((size_t)cb * groups + (size_t)g) * 2 * SN_CBLOCK;
            sum[c] += parts[l], sq[c] += parts[SN_CBLOCK + l];
        }
    }
    profile_stop(PROF_BN_STATS, t0);
}

void bn_stats_from_sums(float *mean, float *var, const double *sum, const double *sq, int c, double count) {
    for (int i = 0; i < c; i++) {
        double m = sum[i] / count, v = sq[i] / count - m * m;
        mean[i] = (float)m, var[i] = (float)(v > 0.0 ? v : 0.0);
    }
}

void bn_batch_stats(BnPlan *p, float *mean, float *var, const float *in) {
    Shape4 s = p->s;
    bn_batch_sums(p, p->sums, p->sums + s.c, in);
    bn_stats_from_sums(mean, var, p->sums, p->sums + s.c, s.c, (double)s.n * s.h * s.w);
}

void bn_backward_data_sums(BnPlan *p, float *din, const float *dout, const float *in, const float *mean,
                           const float *var, const float *gamma, const double *sum_dout, const double *sum_dout_xhat,
                           double count) {
    double t0 = profile_start();
    Shape4 s = p->s;
    int cblocks = shape_cblocks(s), lanes = cblocks * SN_CBLOCK;
    float *k_dout = p->coef, *k_in = p->coef + lanes, *k_one = p->coef + 2 * lanes;
    for (int c = 0; c < s.c; c++) { /* din = k_dout dout + k_in in + k_one */
        double rstd = 1.0 / sqrt((double)var[c] + SN_BN_EPS), g = (gamma ? gamma[c] : 1.0) * rstd;
        double kx = -g * rstd * sum_dout_xhat[c] / count;
        k_dout[c] = (float)g, k_in[c] = (float)kx, k_one[c] = (float)(-g * sum_dout[c] / count - kx * mean[c]);
    }
    size_t plane = (size_t)s.h * s.w * SN_CBLOCK;
#pragma omp parallel for schedule(static) if (shape_padded_size(s) >= SN_PARALLEL_MIN)
    for (int task = 0; task < s.n * cblocks; task++) {
        int cb = task % cblocks;
        size_t at = (size_t)task * plane;
        for (size_t i = 0; i < plane; i += SN_CBLOCK)
            for (int l = 0; l < SN_CBLOCK; l++) {
                int c = cb * SN_CBLOCK + l;
                din[at + i + l] = k_dout[c] * dout[at + i + l] + k_in[c] * in[at + i + l] + k_one[c];
            }
    }
    profile_stop(PROF_BN_BACKWARD, t0);
}

/* Channel block cb's din, and its lanes' sums of dout xhat and dout over every image. */
static void frozen_block(BnPlan *p, float *din, double *dgamma, double *dbeta, const float *dout, const float *in,
                         const float *mean, const float *var, const float *gamma, int cb) {
    Shape4 s = p->s;
    size_t plane = (size_t)s.h * s.w * SN_CBLOCK;
    float rstd[SN_CBLOCK], scale[SN_CBLOCK], mu[SN_CBLOCK];
    for (int l = 0; l < SN_CBLOCK; l++) {
        int c = cb * SN_CBLOCK + l, real = c < s.c;
        rstd[l] = real ? 1.0f / sqrtf(var[c] + SN_BN_EPS) : 0.0f, mu[l] = real ? mean[c] : 0.0f;
        scale[l] = real ? (gamma ? gamma[c] : 1.0f) * rstd[l] : 0.0f;
        dgamma[l] = 0.0, dbeta[l] = 0.0;
    }
    for (int n = 0; n < s.n; n++) {
        size_t at = ((size_t)n * shape_cblocks(s) + (size_t)cb) * plane;
        for (size_t i = 0; i < plane; i += SN_CBLOCK)
            for (int l = 0; l < SN_CBLOCK; l++) {
                float dy = dout[at + i + l];
                din[at + i + l] = scale[l] * dy;
                dgamma[l] += (double)dy * (in[at + i + l] - mu[l]) * rstd[l], dbeta[l] += dy;
            }
    }
}

void bn_backward_frozen(BnPlan *p, float *din, float *dgamma, float *dbeta, const float *dout, const float *in,
                        const float *mean, const float *var, const float *gamma) {
    Shape4 s = p->s;
    int cblocks = shape_cblocks(s);
    double *sums = p->stat_parts; /* 2 x 16 lanes per block: room for cblocks x STAT_GROUPS */
#pragma omp parallel for schedule(static)
    for (int cb = 0; cb < cblocks; cb++)
        frozen_block(p, din, sums + 2 * SN_CBLOCK * (size_t)cb, sums + 2 * SN_CBLOCK * (size_t)cb + SN_CBLOCK, dout, in,
                     mean, var, gamma, cb);
    for (int c = 0; c < s.c; c++) {
        const double *block = sums + 2 * SN_CBLOCK * (size_t)(c / SN_CBLOCK);
        if (dgamma) dgamma[c] = (float)block[c % SN_CBLOCK];
        if (dbeta) dbeta[c] = (float)block[SN_CBLOCK + c % SN_CBLOCK];
    }
}

void bn_update_running(float *running_mean, float *running_var, const float *mean, const float *var, int c,
                       size_t count, float momentum) {
    double unbias = count > 1 ? (double)count / (double)(count - 1) : 1.0;
    for (int i = 0; i < c; i++) {
        running_mean[i] = (1.0f - momentum) * running_mean[i] + momentum * mean[i];
        running_var[i] = (float)((1.0 - momentum) * running_var[i] + momentum * unbias * var[i]);
    }
}
