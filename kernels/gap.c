/* gap.c: global average pooling over the blocked layout (see gap.h). One (n, channel block) pair per
 * iteration: its H*W pixels are contiguous runs of 16 channels, summed in 16 double lanes. */
#include "gap.h"

#include "common.h"

void gap_forward(float *y, const float *x, Shape4 s) {
    const int cb = shape_cblocks(s), hw = s.h * s.w;
    const double inv = 1.0 / hw;
#pragma omp parallel for schedule(static) if ((size_t)s.n * cb * hw >= 16384)
    for (int nb = 0; nb < s.n * cb; nb++) {
        const float *src = x + (size_t)nb * hw * SN_CBLOCK;
        double lane[SN_CBLOCK] = {0};
        for (int p = 0; p < hw; p++)
            for (int j = 0; j < SN_CBLOCK; j++) lane[j] += src[(size_t)p * SN_CBLOCK + j];
        int n = nb / cb, c0 = nb % cb * SN_CBLOCK;
        for (int j = 0; j < SN_CBLOCK && c0 + j < s.c; j++) y[(size_t)n * s.c + c0 + j] = (float)(lane[j] * inv);
    }
}

void gap_backward(float *dx, const float *dy, Shape4 s) {
    const int cb = shape_cblocks(s), hw = s.h * s.w;
    const float inv = 1.0f / (float)hw;
#pragma omp parallel for schedule(static) if ((size_t)s.n * cb * hw >= 16384)
    for (int nb = 0; nb < s.n * cb; nb++) {
        float *dst = dx + (size_t)nb * hw * SN_CBLOCK;
        int n = nb / cb, c0 = nb % cb * SN_CBLOCK;
        float g[SN_CBLOCK] = {0}; /* stays 0 in padded channels */
        for (int j = 0; j < SN_CBLOCK && c0 + j < s.c; j++) g[j] = dy[(size_t)n * s.c + c0 + j] * inv;
        for (int p = 0; p < hw; p++)
            for (int j = 0; j < SN_CBLOCK; j++) dst[(size_t)p * SN_CBLOCK + j] += g[j];
    }
}
