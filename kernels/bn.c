/* bn.c: batch-normalization plans on oneDNN (see bn.h). */
#include "bn.h"

#include <stdio.h>

#include "common.h"
#include "dnnl_util.h"

struct BnPlan {
    Shape4 s;
    int affine;
    DnnlPrim fwd_train, fwd_eval, bwd;
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
    return p;
}

void bn_plan_free(BnPlan *p) {
    if (!p) return;
    dnnl_prim_free(&p->fwd_train);
    dnnl_prim_free(&p->fwd_eval);
    dnnl_prim_free(&p->bwd);
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

void bn_update_running(float *running_mean, float *running_var, const float *mean, const float *var, int c,
                       size_t count, float momentum) {
    double unbias = count > 1 ? (double)count / (double)(count - 1) : 1.0;
    for (int i = 0; i < c; i++) {
        running_mean[i] = (1.0f - momentum) * running_mean[i] + momentum * mean[i];
        running_var[i] = (float)((1.0 - momentum) * running_var[i] + momentum * unbias * var[i]);
    }
}
