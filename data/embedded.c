/*
 * embedded.c: links the committed data files into the binary with the assembler's .incbin, so the
 * program never needs the source tree at run time. CMake passes SN_DATA_DIR (this folder) and makes
 * this file depend on the blobs, so editing a blob rebuilds it.
 */
#include "embedded.h"

#define SN_INCBIN(sym, file)                                                                     \
    __asm__(".pushsection .rodata\n.balign 64\n.globl " #sym "\n" #sym ":\n.incbin \"" SN_DATA_DIR \
            "/" file "\"\n.globl " #sym "_end\n" #sym "_end:\n.byte 0\n.popsection\n")

SN_INCBIN(sn_blob_cifar10_subset, "embedded/cifar10-subset.bin");
SN_INCBIN(sn_blob_cifar10_valid_bits, "splits/cifar10-valid.bits");
SN_INCBIN(sn_blob_cifar100_xvalid_bits, "splits/cifar100-xvalid.bits");
SN_INCBIN(sn_blob_imagenet16_xvalid_bits, "splits/imagenet16-120-xvalid.bits");
