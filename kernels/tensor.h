/*
 * tensor.h: the one activation layout of the whole network.
 *
 * Every activation and activation gradient is float32 in oneDNN's blocked layout nChw16c: channels are
 * grouped in blocks of 16, and element (n, c, h, w) of a tensor with C channels lives at
 *
 *     ((n * CB + c / 16) * H * W + h * W + w) * 16 + c % 16,      CB = ceil(C / 16).
 *
 * C = 16, 32, 64 (the NAS-Bench-201 widths) need no padding; for other C the padded channels
 * [C, 16*CB) exist in memory and are kept at zero, so elementwise kernels and reductions may run
 * over the whole padded buffer (shape_padded_size) without knowing the layout. The only plain
 * (NCHW) tensor is the input image batch; the only 2-D tensors are (N, C) features and logits.
 */
#ifndef SN_TENSOR_H
#define SN_TENSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SN_CBLOCK 16

/* A bfloat16 value: the upper 16 bits of a float32. bf16 activations (the bf16 convolutions' inputs,
 * kernels/conv.h) use the same blocked layout as float ones, one bf16 per float. */
typedef uint16_t bfloat16;

/* Round to nearest, ties to even, as oneDNN's conversions (vcvtneps2bf16) do; NaN inputs are not
 * preserved (the engine stops on a NaN loss long before one reaches a convolution). */
static inline bfloat16 bf16_from_float(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return (bfloat16)((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}

static inline float bf16_to_float(bfloat16 b) {
    uint32_t u = (uint32_t)b << 16;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

typedef struct {
    int n, c, h, w;
} Shape4;

static inline int shape_cblocks(Shape4 s) { return (s.c + SN_CBLOCK - 1) / SN_CBLOCK; }

/* Floats in a blocked tensor of this shape, padding included. */
static inline size_t shape_padded_size(Shape4 s) {
    return (size_t)s.n * (size_t)shape_cblocks(s) * SN_CBLOCK * (size_t)s.h * (size_t)s.w;
}

/* Offset of element (n, c, h, w) in the blocked layout. */
static inline size_t blocked_offset(Shape4 s, int n, int c, int h, int w) {
    return (((size_t)n * (size_t)shape_cblocks(s) + (size_t)(c / SN_CBLOCK)) * (size_t)s.h * (size_t)s.w +
            (size_t)h * (size_t)s.w + (size_t)w) * SN_CBLOCK + (size_t)(c % SN_CBLOCK);
}

/* Conversions between plain NCHW and the blocked layout (padded channels written as zero). */
void tensor_to_blocked(float *blocked, const float *nchw, Shape4 s);
void tensor_to_plain(float *nchw, const float *blocked, Shape4 s);

#endif
