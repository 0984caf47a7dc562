/* conv.c: convolution plans on oneDNN (see conv.h). */
#include "conv.h"

#include <stdio.h>
#include <string.h>

#include "common.h"
#include "dnnl_util.h"

struct ConvPlan {
    ConvShape s;
    Shape4 out;
    dnnl_memory_desc_t weights_md; /* the fp32 weights' layout, whatever the passes compute in */
    DnnlPrim fwd, bwd_data, bwd_weights;
    /* backward-data's jit kernels want the weights in another blocked layout than forward's */
    DnnlPrim weights_for_bwd_data;
    void *bwd_data_weights;
    DnnlPrim import, export;
    /* a plain_input plan's backward-data: oneDNN's fast kernels write the input gradient blocked (channels
     * padded to 16), then a reorder makes it plain */
    DnnlPrim din_to_plain;
    void *din_blocked;
    /* bf16: the operands' bf16 copies, made at every call (the callers keep fp32) */
    DnnlPrim src_to_bf16, dout_to_bf16, weights_to_bf16;
    void *src_bf16, *dout_bf16, *weights_bf16;
};

static void describe(const ConvShape *s, const char *pass, char *buf, size_t n) {
    snprintf(buf, n, "conv %dx%d/s%d %d->%d at %dx%d (batch %d) %s", s->kernel, s->kernel, s->stride, s->c_in,
             s->c_out, s->h, s->w, s->n, pass);
}

/* Winograd F(4x4, 3x3) needs 4x fewer multiplications; measured on AVX-512 at batch 64 it runs 3x3
 * convolutions of 32 and 64 channels 1.6-2x faster than direct, and 16 channels slower. */
static int wants_winograd(const ConvShape *s) {
    return !s->direct_only && !s->bf16 && s->kernel == 3 && s->stride == 1 && s->c_in >= 32 && s->c_out >= 32;
}

/* Creates the primitive of one pass: Winograd where wanted and oneDNN has it, direct otherwise. */
typedef void (*ConvDescInit)(dnnl_convolution_desc_t *d, dnnl_alg_kind_t alg, const void *ctx);

static void create_pass(ConvPlan *p, DnnlPrim *prim, ConvDescInit init, const void *ctx, const char *pass,
                        const_dnnl_primitive_desc_t hint, const int *ids, int n_ids) {
    char what[128];
    dnnl_convolution_desc_t d;
    describe(&p->s, pass, what, sizeof what);
    if (wants_winograd(&p->s)) {
        init(&d, dnnl_convolution_winograd, ctx);
        if (dnnl_prim_try_create(prim, &d, hint, what, ids, n_ids)) return;
    }
    init(&d, dnnl_convolution_direct, ctx);
    dnnl_prim_create(prim, &d, hint, what, ids, n_ids);
}

typedef struct {
    const dnnl_memory_desc_t *src, *weights, *dst;
    const dnnl_dims_t *strides, *pad;
} ConvDescs;

static void init_forward(dnnl_convolution_desc_t *d, dnnl_alg_kind_t alg, const void *ctx) {
    const ConvDescs *c = ctx;
    DNNL_CHECK(dnnl_convolution_forward_desc_init(d, dnnl_forward_training, alg, c->src, c->weights, NULL, c->dst,
                                                  *c->strides, *c->pad, *c->pad));
}

static void init_backward_data(dnnl_convolution_desc_t *d, dnnl_alg_kind_t alg, const void *ctx) {
    const ConvDescs *c = ctx;
    DNNL_CHECK(dnnl_convolution_backward_data_desc_init(d, alg, c->src, c->weights, c->dst, *c->strides, *c->pad, *c->pad));
}

static void init_backward_weights(dnnl_convolution_desc_t *d, dnnl_alg_kind_t alg, const void *ctx) {
    const ConvDescs *c = ctx;
    DNNL_CHECK(dnnl_convolution_backward_weights_desc_init(d, alg, c->src, c->weights, NULL, c->dst, *c->strides,
                                                           *c->pad, *c->pad));
}

static void create_forward(ConvPlan *p, const ConvDescs *c) {
    static const int ids[] = {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST};
    create_pass(p, &p->fwd, init_forward, c, "forward", NULL, ids, 3);
}

static void create_backward_data(ConvPlan *p, const ConvDescs *c) {
    static const int ids[] = {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC};
    create_pass(p, &p->bwd_data, init_backward_data, c, "backward-data", p->fwd.pd, ids, 3);
    const dnnl_memory_desc_t *wanted = dnnl_prim_md(&p->bwd_data, DNNL_ARG_WEIGHTS);
    dnnl_prim_create_reorder(&p->weights_for_bwd_data, &p->weights_md, wanted,
                             "conv weights reorder for backward-data");
    p->bwd_data_weights = sn_alloc(dnnl_memory_desc_get_size(wanted));
}

/* The backward-data of a plain_input plan, through a blocked input gradient. */
static void create_plain_backward_data(ConvPlan *p, const ConvDescs *c, const dnnl_dims_t in_dims) {
    dnnl_memory_desc_t blocked = dnnl_md_tag(4, in_dims, dnnl_nChw16c), plain = *c->src;
    ConvDescs via_blocked = *c;
    via_blocked.src = &blocked;
    create_backward_data(p, &via_blocked);
    dnnl_prim_create_reorder(&p->din_to_plain, &blocked, &plain, "conv input gradient to the plain image layout");
    p->din_blocked = sn_alloc(dnnl_memory_desc_get_size(&blocked));
}

static void create_backward_weights(ConvPlan *p, const ConvDescs *c) {
    static const int ids[] = {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS};
    create_pass(p, &p->bwd_weights, init_backward_weights, c, "backward-weights", p->fwd.pd, ids, 3);
    SN_ASSERT(dnnl_memory_desc_equal(dnnl_prim_md(&p->bwd_weights, DNNL_ARG_DIFF_WEIGHTS), &p->weights_md),
              "conv backward-weights: weight gradient layout differs from the weights'");
}

static void create_weight_io(ConvPlan *p) {
    const ConvShape *s = &p->s;
    dnnl_dims_t wdims = {s->c_out, s->c_in, s->kernel, s->kernel};
    dnnl_memory_desc_t oihw = dnnl_md_tag(4, wdims, dnnl_oihw);
    dnnl_prim_create_reorder(&p->import, &oihw, &p->weights_md, "conv weights import");
    dnnl_prim_create_reorder(&p->export, &p->weights_md, &oihw, "conv weights export");
}

/* A reorder from an fp32 operand to its bf16 copy in the layout a pass wants, and the copy's buffer. */
static void *create_to_bf16(DnnlPrim *prim, const dnnl_memory_desc_t *from, const dnnl_memory_desc_t *to, const char *what) {
    dnnl_prim_create_reorder(prim, from, to, what);
    return sn_alloc(dnnl_memory_desc_get_size(to));
}

/* bf16 passes: src, weights and diff_dst in bf16, dst, diff_src and diff_weights in fp32, so that the
 * callers' tensors and the optimizer stay fp32. Activations keep nChw16c; weights take the layout
 * oneDNN's bf16 kernels choose, converted from the fp32 master layout at every call. */
static void create_bf16_plan(ConvPlan *p, const dnnl_dims_t in_dims, const dnnl_dims_t wdims, dnnl_dims_t strides,
                             dnnl_dims_t pad) {
    const ConvShape s = p->s;
    SN_ASSERT(!s.plain_input, "a bf16 convolution of the image batch (the stem stays fp32)");
    dnnl_dims_t out_dims = {p->out.n, p->out.c, p->out.h, p->out.w};
    dnnl_memory_desc_t src = dnnl_md_typed(4, in_dims, dnnl_bf16, dnnl_nChw16c), src32 = dnnl_md_tag(4, in_dims, dnnl_nChw16c);
    dnnl_memory_desc_t dst = dnnl_md_tag(4, out_dims, dnnl_nChw16c), ddst = dnnl_md_typed(4, out_dims, dnnl_bf16, dnnl_nChw16c);
    dnnl_memory_desc_t wany = dnnl_md_typed(4, wdims, dnnl_bf16, dnnl_format_tag_any);
    ConvDescs fwd = {&src, &wany, &dst, (const dnnl_dims_t *)strides, (const dnnl_dims_t *)pad};
    create_forward(p, &fwd);
    ConvDescs bwd = {&src32, &wany, &ddst, (const dnnl_dims_t *)strides, (const dnnl_dims_t *)pad};
    create_backward_data(p, &bwd);
    ConvDescs bww = {&src, &p->weights_md, &ddst, (const dnnl_dims_t *)strides, (const dnnl_dims_t *)pad};
    create_backward_weights(p, &bww);
    p->src_bf16 = create_to_bf16(&p->src_to_bf16, &src32, &src, "conv input to bf16");
    p->dout_bf16 = create_to_bf16(&p->dout_to_bf16, &dst, &ddst, "conv output gradient to bf16");
    p->weights_bf16 = create_to_bf16(&p->weights_to_bf16, &p->weights_md, dnnl_prim_md(&p->fwd, DNNL_ARG_WEIGHTS),
                                     "conv weights to bf16");
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
    p->weights_md = wfixed;
    if (s.bf16) {
        create_bf16_plan(p, in_dims, wdims, strides, pad);
    } else {
        ConvDescs fixed = {&src, &wfixed, &dst, &strides, &pad}, any = {&src, &wany, &dst, &strides, &pad};
        create_forward(p, &fixed);
        if (s.plain_input) create_plain_backward_data(p, &any, in_dims);
        else create_backward_data(p, &any);
        create_backward_weights(p, &fixed);
    }
    create_weight_io(p);
    return p;
}

int conv_bf16_supported(void) { return __builtin_cpu_supports("avx512bf16") || __builtin_cpu_supports("amx-bf16"); }

void conv_plan_free(ConvPlan *p) {
    if (!p) return;
    DnnlPrim *prims[] = {&p->fwd, &p->bwd_data, &p->bwd_weights, &p->weights_for_bwd_data, &p->import, &p->export,
                         &p->din_to_plain, &p->src_to_bf16, &p->dout_to_bf16, &p->weights_to_bf16};
    for (size_t i = 0; i < sizeof prims / sizeof prims[0]; i++) dnnl_prim_free(prims[i]);
    void *buffers[] = {p->bwd_data_weights, p->din_blocked, p->src_bf16, p->dout_bf16, p->weights_bf16};
    for (size_t i = 0; i < sizeof buffers / sizeof buffers[0]; i++) sn_free(buffers[i]);
    sn_free(p);
}

Shape4 conv_in_shape(const ConvPlan *p) { return (Shape4){p->s.n, p->s.c_in, p->s.h, p->s.w}; }
Shape4 conv_out_shape(const ConvPlan *p) { return p->out; }

size_t conv_weight_floats(const ConvPlan *p) { return dnnl_memory_desc_get_size(&p->weights_md) / sizeof(float); }

int conv_is_winograd(const ConvPlan *p) { return strstr(dnnl_prim_impl(&p->fwd), "wino") != NULL; }

double conv_flops(const ConvPlan *p) {
    return 2.0 * p->out.n * p->out.c * p->out.h * p->out.w * (double)p->s.c_in * p->s.kernel * p->s.kernel;
}

/* The operand a pass reads: x itself, or (bf16 plans) its bf16 copy made now. */
static const void *operand(DnnlPrim *to_bf16, void *copy, const void *x) {
    if (!copy) return x;
    void *data[] = {(void *)x, copy};
    dnnl_prim_exec(to_bf16, data);
    return copy;
}

void conv_forward(ConvPlan *p, float *out, const float *in, const float *weight) {
    void *data[] = {(void *)operand(&p->src_to_bf16, p->src_bf16, in), (void *)operand(&p->weights_to_bf16, p->weights_bf16, weight), out};
    dnnl_prim_exec(&p->fwd, data);
}

/* The passes on operands in the types the plan computes in (fp32, or bf16 for bf16 plans). */
static void run_backward_data(ConvPlan *p, float *din, const void *dout, const float *weight) {
    void *reorder[] = {(void *)weight, p->bwd_data_weights};
    dnnl_prim_exec(&p->weights_for_bwd_data, reorder);
    void *data[] = {(void *)dout, p->bwd_data_weights, p->din_blocked ? p->din_blocked : din};
    dnnl_prim_exec(&p->bwd_data, data);
    if (!p->din_blocked) return;
    void *to_plain[] = {p->din_blocked, din};
    dnnl_prim_exec(&p->din_to_plain, to_plain);
}

static void run_backward_weights(ConvPlan *p, float *dweight, const void *in, const void *dout) {
    void *data[] = {(void *)in, (void *)dout, dweight};
    dnnl_prim_exec(&p->bwd_weights, data);
}

void conv_backward_data(ConvPlan *p, float *din, const float *dout, const float *weight) {
    run_backward_data(p, din, operand(&p->dout_to_bf16, p->dout_bf16, dout), weight);
}

void conv_backward_weights(ConvPlan *p, float *dweight, const float *in, const float *dout) {
    run_backward_weights(p, dweight, operand(&p->src_to_bf16, p->src_bf16, in),
                         operand(&p->dout_to_bf16, p->dout_bf16, dout));
}

void conv_forward_bf16(ConvPlan *p, float *out, const bfloat16 *in, const float *weight) {
    SN_ASSERT(p->s.bf16, "conv_forward_bf16 on an fp32 plan");
    void *data[] = {(void *)in, (void *)operand(&p->weights_to_bf16, p->weights_bf16, weight), out};
    dnnl_prim_exec(&p->fwd, data);
}

void conv_backward_bf16(ConvPlan *p, float *din, float *dweight, const bfloat16 *in, const float *dout,
                        const float *weight) {
    SN_ASSERT(p->s.bf16, "conv_backward_bf16 on an fp32 plan");
    const void *dout_bf16 = operand(&p->dout_to_bf16, p->dout_bf16, dout);
    run_backward_weights(p, dweight, in, dout_bf16);
    run_backward_data(p, din, dout_bf16, weight);
}

void conv_weight_import(ConvPlan *p, float *weight, const float *oihw) {
    void *data[] = {(void *)oihw, weight};
    dnnl_prim_exec(&p->import, data);
}

void conv_weight_export(ConvPlan *p, float *oihw, const float *weight) {
    void *data[] = {(void *)weight, oihw};
    dnnl_prim_exec(&p->export, data);
}
