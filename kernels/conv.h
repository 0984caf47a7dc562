/*
 * conv.h: 2-D convolution without bias on oneDNN: forward, backward-data, backward-weights.
 *
 * A ConvPlan holds the primitives for one shape, created once and reused by every layer of that
 * shape. Activations are nChw16c (kernels/tensor.h), except a `plain_input` (the NCHW image batch;
 * its input gradient is plain NCHW too). Weights live in the forward primitive's blocked layout: use
 * conv_weight_import / conv_weight_export to move between it and PyTorch's (O, I, kh, kw).
 *
 * Unlike the other kernels, the backward functions OVERWRITE din / dweight: oneDNN's backward
 * primitives cannot accumulate. Callers that sum several contributions add them explicitly.
 */
#ifndef SN_CONV_H
#define SN_CONV_H

#include <stddef.h>

#include "tensor.h"

typedef struct {
    int n, c_in, c_out, h, w; /* input batch, channels, spatial size */
    int kernel, stride, pad;  /* square kernel, same stride and padding on both axes */
    int plain_input;          /* input is the plain NCHW image batch */
    int direct_only;          /* 0: Winograd where oneDNN has it and it is faster (3x3, stride 1, >= 32
                                 channels); 1: direct convolution only */
    int bf16;                 /* the three passes on oneDNN's bf16 kernels: input, weights and output
                                 gradient rounded to bf16 at each call, results and weights fp32
                                 (not for a plain_input plan; direct only) */
} ConvShape;

typedef struct ConvPlan ConvPlan;

ConvPlan *conv_plan_create(ConvShape s);
/* 1 when this CPU runs oneDNN's bf16 convolutions natively (AVX-512 BF16 or AMX). */
int conv_bf16_supported(void);
void conv_plan_free(ConvPlan *p);

Shape4 conv_in_shape(const ConvPlan *p);
Shape4 conv_out_shape(const ConvPlan *p);
size_t conv_weight_floats(const ConvPlan *p); /* floats in a weight buffer, layout padding included */
int conv_is_winograd(const ConvPlan *p);      /* forward runs oneDNN's Winograd kernel */
double conv_flops(const ConvPlan *p);         /* 2 * multiply-adds of one forward pass */

/* out (n, c_out, h', w') = conv(in (n, c_in, h, w), weight) */
void conv_forward(ConvPlan *p, float *out, const float *in, const float *weight);
/* din = conv_transpose(dout, weight) */
void conv_backward_data(ConvPlan *p, float *din, const float *dout, const float *weight);
/* dweight = correlation of in with dout */
void conv_backward_weights(ConvPlan *p, float *dweight, const float *in, const float *dout);

/* The bf16 plans' own entry points, for callers that hold the input in bf16 already (the cells: one
 * ReLU per node, rounded once, feeds every convolution that reads the node). Forward as conv_forward;
 * backward runs both passes of one layer, dweight = correlation of in with dout and din =
 * conv_transpose(dout, weight), rounding dout to bf16 once for the two. */
void conv_forward_bf16(ConvPlan *p, float *out, const bfloat16 *in, const float *weight);
void conv_backward_bf16(ConvPlan *p, float *din, float *dweight, const bfloat16 *in, const float *dout,
                        const float *weight);

void conv_weight_import(ConvPlan *p, float *weight, const float *oihw);
void conv_weight_export(ConvPlan *p, float *oihw, const float *weight);

#endif
