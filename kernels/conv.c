/* conv.c: convolution plans on oneDNN (see conv.h). */
#include "conv.h"

#include <stdio.h>

#include "common.h"
#include "dnnl_util.h"

struct ConvPlan {
    ConvShape s;
    Shape4 out;
    DnnlPrim fwd, bwd_data, bwd_weights;
    /* backward-data's jit kernels want the weights in another blocked layout than forward's */
    DnnlPrim weights_for_bwd_data;
    float *bwd_data_weights;
    DnnlPrim import, export;
};

static void describe(const ConvShape *s, const char *pass, char *buf, size_t n) {
    snprintf(buf, n, "conv %dx%d/s%d %d->%d at %dx%d (batch %d) %s", s->kernel, s->kernel, s->stride, s->c_in,
             s->c_out, s->h, s->w, s->n, pass);
}

static void create_forward(ConvPlan *p, const dnnl_memory_desc_t *src, const dnnl_memory_desc_t *wmd,
                           const dnnl_memory_desc_t *dst, const dnnl_dims_t strides, const dnnl_dims_t pad) {
    char what[128];
    dnnl_convolution_desc_t d;
    DNNL_CHECK(dnnl_convolution_forward_desc_init(&d, dnnl_forward_training, dnnl_convolution_direct, src, wmd,
                                                  NULL, dst, strides, pad, pad));
    describe(&p->s, "forward", what, sizeof what);
    static const int ids[] = {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST};
    dnnl_prim_create(&p->fwd, &d, NULL, what, ids, 3);
}

static void create_backward_data(ConvPlan *p, const dnnl_memory_desc_t *src, const dnnl_memory_desc_t *wany,
                                 const dnnl_memory_desc_t *dst, const dnnl_dims_t strides, const dnnl_dims_t pad) {
    char what[128];
    dnnl_convolution_desc_t d;
    DNNL_CHECK(dnnl_convolution_backward_data_desc_init(&d, dnnl_convolution_direct, src, wany, dst, strides, pad, pad));
    describe(&p->s, "backward-data", what, sizeof what);
    static const int ids[] = {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC};
    dnnl_prim_create(&p->bwd_data, &d, p->fwd.pd, what, ids, 3);
    const dnnl_memory_desc_t *wanted = dnnl_prim_md(&p->bwd_data, DNNL_ARG_WEIGHTS);
    dnnl_prim_create_reorder(&p->weights_for_bwd_data, dnnl_prim_md(&p->fwd, DNNL_ARG_WEIGHTS), wanted,
                             "conv weights reorder for backward-data");
    p->bwd_data_weights = sn_alloc(dnnl_memory_desc_get_size(wanted));
}

static void create_backward_weights(ConvPlan *p, const dnnl_memory_desc_t *src, const dnnl_memory_desc_t *wmd,
                                    const dnnl_memory_desc_t *dst, const dnnl_dims_t strides, const dnnl_dims_t pad) {
    char what[128];
    dnnl_convolution_desc_t d;
    DNNL_CHECK(dnnl_convolution_backward_weights_desc_init(&d, dnnl_convolution_direct, src, wmd, NULL, dst,
                                                           strides, pad, pad));
    describe(&p->s, "backward-weights", what, sizeof what);
    static const int ids[] = {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS};
    dnnl_prim_create(&p->bwd_weights, &d, p->fwd.pd, what, ids, 3);
    SN_ASSERT(dnnl_memory_desc_equal(dnnl_prim_md(&p->bwd_weights, DNNL_ARG_DIFF_WEIGHTS),
                                     dnnl_prim_md(&p->fwd, DNNL_ARG_WEIGHTS)),
              "%s: weight gradient layout differs from the weights'", what);
}

static void create_weight_io(ConvPlan *p) {
    const ConvShape *s = &p->s;
    dnnl_dims_t wdims = {s->c_out, s->c_in, s->kernel, s->kernel};
    dnnl_memory_desc_t oihw = dnnl_md_tag(4, wdims, dnnl_oihw);
    const dnnl_memory_desc_t *blocked = dnnl_prim_md(&p->fwd, DNNL_ARG_WEIGHTS);
    dnnl_prim_create_reorder(&p->import, &oihw, blocked, "conv weights import");
    dnnl_prim_create_reorder(&p->export, blocked, &oihw, "conv weights export");
}

ConvPlan *conv_plan_create(ConvShape s) {
    ConvPlan *p = sn_alloc(sizeof *p);
    p->s = s;
    int ho = (s.h + 2 * s.pad - s.kernel) / s.stride + 1, wo = (s.w + 2 * s.pad - s.kernel) / s.stride + 1;
    p->out = (Shape4){s.n, s.c_out, ho, wo};
    dnnl_dims_t in_dims = {s.n, s.c_in, s.h, s.w}, wdims = {s.c_out, s.c_in, s.kernel, s.kernel};
    dnnl_dims_t strides = {s.stride, s.stride}, pad = {s.pad, s.pad};
    dnnl_memory_desc_t src = dnnl_md_tag(4, in_dims, s.plain_input ? dnnl_nchw : dnnl_nChw16c);
    /* Weights are stored in one fixed layout so that plans for different batch sizes share them;
     * backward-data picks its own (format_tag_any) and gets a reorder. */
    dnnl_memory_desc_t wfixed = dnnl_md_tag(4, wdims, s.plain_input ? dnnl_Ohwi16o : dnnl_OIhw16i16o);
    dnnl_memory_desc_t wany = dnnl_md_tag(4, wdims, dnnl_format_tag_any);
    dnnl_memory_desc_t dst = dnnl_md_blocked(p->out);
    create_forward(p, &src, &wfixed, &dst, strides, pad);
    if (!s.plain_input) create_backward_data(p, &src, &wany, &dst, strides, pad);
    create_backward_weights(p, &src, &wfixed, &dst, strides, pad);
    create_weight_io(p);
    return p;
}

void conv_plan_free(ConvPlan *p) {
    if (!p) return;
    DnnlPrim *prims[] = {&p->fwd, &p->bwd_data, &p->bwd_weights, &p->weights_for_bwd_data, &p->import, &p->export};
    for (size_t i = 0; i < sizeof prims / sizeof prims[0]; i++) dnnl_prim_free(prims[i]);
    sn_free(p->bwd_data_weights);
    sn_free(p);
}

Shape4 conv_in_shape(const ConvPlan *p) { return (Shape4){p->s.n, p->s.c_in, p->s.h, p->s.w}; }
Shape4 conv_out_shape(const ConvPlan *p) { return p->out; }

size_t conv_weight_floats(const ConvPlan *p) {
    return dnnl_memory_desc_get_size(dnnl_prim_md(&p->fwd, DNNL_ARG_WEIGHTS)) / sizeof(float);
}

double conv_flops(const ConvPlan *p) {
    return 2.0 * p->out.n * p->out.c * p->out.h * p->out.w * (double)p->s.c_in * p->s.kernel * p->s.kernel;
}

void conv_forward(ConvPlan *p, float *out, const float *in, const float *weight) {
    void *data[] = {(void *)in, (void *)weight, out};
    dnnl_prim_exec(&p->fwd, data);
}

void conv_backward_data(ConvPlan *p, float *din, const float *dout, const float *weight) {
    SN_ASSERT(!p->s.plain_input, "conv_backward_data on a plan whose input is the image batch");
    void *reorder[] = {(void *)weight, p->bwd_data_weights};
    dnnl_prim_exec(&p->weights_for_bwd_data, reorder);
    void *data[] = {(void *)dout, p->bwd_data_weights, din};
    dnnl_prim_exec(&p->bwd_data, data);
}

void conv_backward_weights(ConvPlan *p, float *dweight, const float *in, const float *dout) {
    void *data[] = {(void *)in, (void *)dout, dweight};
    dnnl_prim_exec(&p->bwd_weights, data);
}

void conv_weight_import(ConvPlan *p, float *weight, const float *oihw) {
    void *data[] = {(void *)oihw, weight};
    dnnl_prim_exec(&p->import, data);
}

void conv_weight_export(ConvPlan *p, float *oihw, const float *weight) {
    void *data[] = {(void *)weight, oihw};
    dnnl_prim_exec(&p->export, data);
}
