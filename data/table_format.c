/* table_format.c: little-endian encoding of the table file's header and records (see table.h). */
#include "table_format.h"

#include <string.h>

uint64_t fnv1a64(const uint8_t *p, size_t n) {
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

uint32_t fnv1a32(uint32_t h, const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

static void put_u16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void put_u32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void put_u64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static uint16_t get_u16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get_u32(const uint8_t *p) {
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--) v = v << 8 | p[i];
    return v;
}
static uint64_t get_u64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}
static void put_f64(uint8_t *p, double d) {
    uint64_t v;
    memcpy(&v, &d, 8);
    put_u64(p, v);
}
static double get_f64(const uint8_t *p) {
    uint64_t v = get_u64(p);
    double d;
    memcpy(&d, &v, 8);
    return d;
}

void table_header_encode(const TableHeader *h, uint8_t out[TABLE_HEADER_BYTES]) {
    memset(out, 0, TABLE_HEADER_BYTES);
    memcpy(out, TABLE_MAGIC, 8);
    put_u32(out + 8, h->version);
    put_u32(out + 12, h->n_archs);
    put_u32(out + 16, h->n_seed_rows);
    put_u32(out + 20, h->arch_record_bytes);
    put_u32(out + 24, h->seed_record_bytes);
    put_u64(out + 32, h->payload_bytes);
    put_u64(out + 40, fnv1a64(out, 40));
}

int table_header_decode(const uint8_t in[TABLE_HEADER_BYTES], TableHeader *h, size_t *bad_offset) {
    *bad_offset = 0;
    if (memcmp(in, TABLE_MAGIC, 8) != 0) return -1;
    h->version = get_u32(in + 8);
    h->n_archs = get_u32(in + 12);
    h->n_seed_rows = get_u32(in + 16);
    h->arch_record_bytes = get_u32(in + 20);
    h->seed_record_bytes = get_u32(in + 24);
    h->payload_bytes = get_u64(in + 32);
    h->header_checksum = get_u64(in + 40);
    if (h->header_checksum != fnv1a64(in, 40)) {
        *bad_offset = 40;
        return -1;
    }
    return 0;
}

/* The f64 fields of an arch record, in file order. */
static double *arch_value(TableArch *a, int k) {
    if (k < TABLE_N_COLS) return &a->acc200[k];
    k -= TABLE_N_COLS;
    if (k < TABLE_N_COLS) return &a->acc12[k];
    k -= TABLE_N_COLS;
    if (k < TABLE_N_TIMES) return &a->train_time[k];
    k -= TABLE_N_TIMES;
    if (k < TABLE_N_NETS) return &a->params_m[k];
    return &a->flops_m[k - TABLE_N_NETS];
}

void table_arch_encode(const TableArch *a, uint8_t out[TABLE_ARCH_RECORD_BYTES]) {
    TableArch copy = *a;
    memset(out, 0, TABLE_ARCH_RECORD_BYTES);
    put_u16(out, (uint16_t)a->code);
    out[2] = (uint8_t)a->n_seeds;
    for (int k = 0; k < TABLE_ARCH_VALUES; k++) put_f64(out + 8 + 8 * k, *arch_value(&copy, k));
}

void table_arch_decode(const uint8_t in[TABLE_ARCH_RECORD_BYTES], TableArch *a) {
    a->code = get_u16(in);
    a->n_seeds = in[2];
    for (int k = 0; k < TABLE_ARCH_VALUES; k++) *arch_value(a, k) = get_f64(in + 8 + 8 * k);
}

uint32_t table_arch_checksum(const uint8_t record[TABLE_ARCH_RECORD_BYTES], int index, const uint8_t *seeds, int n_seeds) {
    uint8_t at[4];
    put_u32(at, (uint32_t)index);
    uint32_t h = fnv1a32(FNV32_BASIS, at, 4);
    h = fnv1a32(h, record, 4);
    h = fnv1a32(h, record + 8, TABLE_ARCH_RECORD_BYTES - 8);
    return fnv1a32(h, seeds, (size_t)n_seeds * TABLE_SEED_RECORD_BYTES);
}

void table_arch_seal(uint8_t record[TABLE_ARCH_RECORD_BYTES], int index, const uint8_t *seeds, int n_seeds) {
    put_u32(record + 4, table_arch_checksum(record, index, seeds, n_seeds));
}

uint32_t table_arch_stored_checksum(const uint8_t record[TABLE_ARCH_RECORD_BYTES]) { return get_u32(record + 4); }

void table_seed_encode(const TableSeed *s, uint8_t out[TABLE_SEED_RECORD_BYTES]) {
    for (int k = 0; k < TABLE_N_SEED_COLS; k++) put_f64(out + 8 * k, s->v[k]);
}

void table_seed_decode(const uint8_t in[TABLE_SEED_RECORD_BYTES], TableSeed *s) {
    for (int k = 0; k < TABLE_N_SEED_COLS; k++) s->v[k] = get_f64(in + 8 * k);
}
