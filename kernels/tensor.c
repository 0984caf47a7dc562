/* tensor.c: plain NCHW <-> blocked nChw16c conversions (see tensor.h). Used at the edges only:
 * checkpoints, reference tests, exports; never inside a training step. */
#include "tensor.h"

#include <string.h>

void tensor_to_blocked(float *blocked, const float *nchw, Shape4 s) {
    memset(blocked, 0, shape_padded_size(s) * sizeof(float));
    for (int n = 0; n < s.n; n++)
        for (int c = 0; c < s.c; c++)
            for (int h = 0; h < s.h; h++)
                for (int w = 0; w < s.w; w++)
                    blocked[blocked_offset(s, n, c, h, w)] = nchw[(((size_t)n * s.c + c) * s.h + h) * s.w + w];
}

void tensor_to_plain(float *nchw, const float *blocked, Shape4 s) {
    for (int n = 0; n < s.n; n++)
        for (int c = 0; c < s.c; c++)
            for (int h = 0; h < s.h; h++)
                for (int w = 0; w < s.w; w++)
                    nchw[(((size_t)n * s.c + c) * s.h + h) * s.w + w] = blocked[blocked_offset(s, n, c, h, w)];
}
