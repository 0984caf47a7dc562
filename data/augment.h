/*
 * augment.h: one image (uint8, C x H x W planes) to the network's float32 input, as REFERENCE.md 2.1:
 *
 *   train: horizontal flip with p = 0.5, then zero padding by crop_pad pixels on every side in pixel
 *          space and a random H x W crop, then (v / 255 - mean) / std. A padded pixel is therefore
 *          -mean / std after normalisation.
 *   eval:  normalisation only.
 *
 * The random draws are made in this order from the caller's Rng: flip = rng_uniform < 0.5, then the
 * crop's top offset = rng_below(2 * pad + 1), then its left offset = rng_below(2 * pad + 1).
 */
#ifndef SN_AUGMENT_H
#define SN_AUGMENT_H

#include <stdint.h>

#include "common.h"
#include "dataset.h"

typedef struct {
    int flip;     /* mirrored left-right before the crop */
    int top, left; /* crop offset inside the padded image, 0..2*pad */
} CropFlip;

CropFlip augment_draw(const DatasetSpec *spec, Rng *rng);
/* out: (C, H, W) float32. */
void augment_apply(float *out, const uint8_t *image, const Dataset *d, CropFlip t);
void augment_train(float *out, const uint8_t *image, const Dataset *d, Rng *rng);
void augment_eval(float *out, const uint8_t *image, const Dataset *d);

#endif
