/*
 * sha256.h: SHA-256 (FIPS 180-4), used to recognise dataset files by checksum (which CIFAR-10 copy
 * is this?) and to check the embedded subset against its recorded provenance digest.
 */
#ifndef SN_SHA256_H
#define SN_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t state[8];
    uint64_t total; /* bytes hashed so far */
    uint8_t block[64];
    size_t used; /* bytes waiting in block */
} Sha256;

void sha256_init(Sha256 *h);
void sha256_update(Sha256 *h, const void *data, size_t len);
void sha256_final(Sha256 *h, uint8_t digest[32]);
/* The digest of one buffer as 64 lowercase hex digits plus the terminating NUL. */
void sha256_hex(const void *data, size_t len, char hex[65]);

#endif
