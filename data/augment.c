/* augment.c: flip, pad-and-crop, normalise (see augment.h). */
#include "augment.h"

CropFlip augment_draw(const DatasetSpec *spec, Rng *rng) {
    CropFlip t;
    uint32_t span = 2 * (uint32_t)spec->crop_pad + 1;
    t.flip = rng_uniform(rng) < 0.5;
    t.top = (int)rng_below(rng, span);
    t.left = (int)rng_below(rng, span);
    return t;
}

/* Output pixel (y, x) is padded pixel (y + top, x + left), i.e. source pixel (y + top - pad,
 * x + left - pad) of the flipped image; outside the image it is padding, byte value 0. */
void augment_apply(float *out, const uint8_t *image, const Dataset *d, CropFlip t) {
    const DatasetSpec *s = d->spec;
    int H = s->height, W = s->width, pad = s->crop_pad;
    for (int c = 0; c < s->channels; c++) {
        const float *lut = d->norm_lut[c];
        const uint8_t *plane = image + (size_t)c * H * W;
        for (int y = 0; y < H; y++) {
            float *row = out + ((size_t)c * H + y) * W;
            int sy = y + t.top - pad;
            if (sy < 0 || sy >= H) {
                for (int x = 0; x < W; x++) row[x] = lut[0];
                continue;
            }
            const uint8_t *src = plane + (size_t)sy * W;
            for (int x = 0; x < W; x++) {
                int sx = x + t.left - pad;
                row[x] = (sx < 0 || sx >= W) ? lut[0] : lut[src[t.flip ? W - 1 - sx : sx]];
            }
        }
    }
}

void augment_train(float *out, const uint8_t *image, const Dataset *d, Rng *rng) {
    augment_apply(out, image, d, augment_draw(d->spec, rng));
}

void augment_eval(float *out, const uint8_t *image, const Dataset *d) {
    const DatasetSpec *s = d->spec;
    size_t plane = (size_t)s->height * s->width;
    for (int c = 0; c < s->channels; c++)
        for (size_t i = 0; i < plane; i++) out[c * plane + i] = d->norm_lut[c][image[c * plane + i]];
}
