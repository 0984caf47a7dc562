/*
 * embedded.h: data compiled into the binary (internal to data/): the default CIFAR-10 subset and the
 * official NAS-Bench-201 split lists as bitmaps. Each blob runs from `name` to `name_end`.
 */
#ifndef SN_EMBEDDED_H
#define SN_EMBEDDED_H

#include <stdint.h>

extern const uint8_t sn_blob_cifar10_subset[], sn_blob_cifar10_subset_end[];
/* Bit i (byte i / 8, bit i % 8) = 1: image i is in the valid (xvalid) list, 0: in train (xtest). */
extern const uint8_t sn_blob_cifar10_valid_bits[], sn_blob_cifar10_valid_bits_end[];
extern const uint8_t sn_blob_cifar100_xvalid_bits[], sn_blob_cifar100_xvalid_bits_end[];
extern const uint8_t sn_blob_imagenet16_xvalid_bits[], sn_blob_imagenet16_xvalid_bits_end[];

#endif
