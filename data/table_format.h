/* table_format.h: the byte layout of the table file (private to data/; the format is described in
 * table.h). Shared by the loader and the builder so the two cannot drift apart. */
#ifndef SN_TABLE_FORMAT_H
#define SN_TABLE_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "table.h"

#define TABLE_MAGIC "SNTB201"
enum {
    TABLE_HEADER_BYTES = 48,
    TABLE_ARCH_VALUES = 2 * TABLE_N_COLS + TABLE_N_TIMES + 2 * TABLE_N_NETS, /* f64s per arch record */
    TABLE_ARCH_RECORD_BYTES = 8 + 8 * TABLE_ARCH_VALUES,
    TABLE_SEED_RECORD_BYTES = 8 * TABLE_N_SEED_COLS,
};

typedef struct {
    uint32_t version, n_archs, n_seed_rows, arch_record_bytes, seed_record_bytes;
    uint64_t payload_bytes, header_checksum; /* FNV-1a-64 of header bytes 0..39 */
} TableHeader;

uint64_t fnv1a64(const uint8_t *p, size_t n);
uint32_t fnv1a32(uint32_t h, const uint8_t *p, size_t n);
#define FNV32_BASIS 2166136261u

void table_header_encode(const TableHeader *h, uint8_t out[TABLE_HEADER_BYTES]);
/* Returns 0, or -1 with the byte offset of the first bad field in *bad_offset (magic -> 0). */
int table_header_decode(const uint8_t in[TABLE_HEADER_BYTES], TableHeader *h, size_t *bad_offset);

/* Arch record without its checksum; the checksum is written by table_arch_seal. */
void table_arch_encode(const TableArch *a, uint8_t out[TABLE_ARCH_RECORD_BYTES]);
void table_arch_decode(const uint8_t in[TABLE_ARCH_RECORD_BYTES], TableArch *a);
/* FNV-1a-32 of the row's index, its record (the checksum field left out) and its seed rows: a row
 * moved to another index fails it like a corrupted one. */
uint32_t table_arch_checksum(const uint8_t record[TABLE_ARCH_RECORD_BYTES], int index, const uint8_t *seeds, int n_seeds);
uint32_t table_arch_stored_checksum(const uint8_t record[TABLE_ARCH_RECORD_BYTES]);
void table_arch_seal(uint8_t record[TABLE_ARCH_RECORD_BYTES], int index, const uint8_t *seeds, int n_seeds);

void table_seed_encode(const TableSeed *s, uint8_t out[TABLE_SEED_RECORD_BYTES]);
void table_seed_decode(const uint8_t in[TABLE_SEED_RECORD_BYTES], TableSeed *s);

#endif
