/* pool.c: average-pooling plans on oneDNN (see pool.h). */
#include "pool.h"

#include <stdio.h>

#include "common.h"
#include "dnnl_util.h"

struct PoolPlan {
    Shape4 in, out;
    DnnlPrim fwd, bwd;
};

PoolPlan *pool_plan_create(Shape4 in, int kernel, int stride, int pad) {
    PoolPlan *p = sn_alloc(sizeof *p);
    p->in = in;
    p->out = (Shape4){in.n, in.c, (in.h + 2 * pad - kernel) / stride + 1, (in.w + 2 * pad - kernel) / stride + 1};
    dnnl_memory_desc_t src = dnnl_md_blocked(p->in), dst = dnnl_md_blocked(p->out);
    dnnl_dims_t k = {kernel, kernel}, st = {stride, stride}, dil = {0, 0}, pd = {pad, pad};
    char what[96];
    dnnl_pooling_v2_desc_t d;
    DNNL_CHECK(dnnl_pooling_v2_forward_desc_init(&d, dnnl_forward_training, dnnl_pooling_avg_exclude_padding, &src,
                                                 &dst, st, k, dil, pd, pd));
    snprintf(what, sizeof what, "avg pool %dx%d/s%d C=%d at %dx%d forward", kernel, kernel, stride, in.c, in.h, in.w);
    static const int fwd_ids[] = {DNNL_ARG_SRC, DNNL_ARG_DST};
    dnnl_prim_create(&p->fwd, &d, NULL, what, fwd_ids, 2);
    DNNL_CHECK(dnnl_pooling_v2_backward_desc_init(&d, dnnl_pooling_avg_exclude_padding, &src, &dst, st, k, dil, pd, pd));
    snprintf(what, sizeof what, "avg pool %dx%d/s%d C=%d at %dx%d backward", kernel, kernel, stride, in.c, in.h, in.w);
    static const int bwd_ids[] = {DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_SRC};
    dnnl_prim_create(&p->bwd, &d, p->fwd.pd, what, bwd_ids, 2);
    return p;
}

void pool_plan_free(PoolPlan *p) {
    if (!p) return;
    dnnl_prim_free(&p->fwd);
    dnnl_prim_free(&p->bwd);
    sn_free(p);
}

Shape4 pool_out_shape(const PoolPlan *p) { return p->out; }

void pool_forward(PoolPlan *p, float *out, const float *in) {
    void *data[] = {(void *)in, out};
    dnnl_prim_exec(&p->fwd, data);
}

void pool_backward(PoolPlan *p, float *din, const float *dout) {
    void *data[] = {(void *)dout, din};
    dnnl_prim_exec(&p->bwd, data);
}
