/*
 * splits.h: building the Subsets of a Dataset (data/, and `supernet train` for whole training sets): all
 * images, a range, an official NAS-Bench-201 bitmap, or a seeded half/half split. Every subset's index
 * list is sorted.
 */
#ifndef SN_SPLITS_H
#define SN_SPLITS_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"

void subset_range(Subset *s, const ImageArray *images, int begin, int end);
/* Image i goes to `set` when bit i is 1, else to `clear`; images->n must equal nbits. */
void subset_split_bits(Subset *clear, Subset *set, const ImageArray *images, const uint8_t *bits, int nbits);
/* A uniformly random half of the images (n / 2 of them) goes to `second`, the rest to `first`. */
void subset_split_seeded(Subset *first, Subset *second, const ImageArray *images, uint64_t seed);
/* The first 12 hex digits of the SHA-256 of the index list (as little-endian int32): a short name
 * for "exactly this list", printed with every split. */
void subset_digest(const Subset *s, char out[13]);
void subset_free(Subset *s);

#endif
