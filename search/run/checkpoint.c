/* checkpoint.c: the checkpoint container and the supernet's entries in it (see checkpoint.h). */
#include "run/checkpoint.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "common.h"
#include "table_format.h" /* fnv1a64 */
#include "whole_file.h"

#define CKPT_MAGIC "SNCKPT\r\n"
#define CKPT_VERSION 1u
#define HEADER_BYTES 24 /* magic 8, version 4, entry count 4, payload bytes 8 */
#define MAX_DIMS 4

struct CkptWriter {
    uint8_t *buf;
    size_t len, cap;
    uint32_t entries;
};

typedef struct {
    char name[128];
    CkptType type;
    int ndims;
    int dims[MAX_DIMS];
    size_t count;       /* elements (bytes for text) */
    const uint8_t *data;
} CkptEntry;

struct Checkpoint {
    char path[1024];
    uint8_t *file;
    CkptEntry *entries;
    uint32_t count;
    char *text; /* NUL-terminated copy of the last text fetched */
};

/* ---------------------------------------------------------------------------------------------
 * Writing */

static void append(CkptWriter *w, const void *p, size_t n) {
    if (w->len + n > w->cap) {
        size_t cap = w->cap ? w->cap : 1 << 16;
        while (cap < w->len + n) cap *= 2;
        uint8_t *grown = sn_alloc(cap);
        if (w->len) memcpy(grown, w->buf, w->len);
        sn_free(w->buf);
        w->buf = grown, w->cap = cap;
    }
    memcpy(w->buf + w->len, p, n);
    w->len += n;
}

static void append_u32(CkptWriter *w, uint32_t v) { append(w, &v, 4); }

CkptWriter *ckpt_writer_new(void) {
    CkptWriter *w = sn_alloc(sizeof *w);
    uint8_t header[HEADER_BYTES] = {0};
    append(w, header, sizeof header); /* filled in by commit */
    return w;
}

static void put_entry(CkptWriter *w, const char *name, CkptType type, int ndims, const int *dims, const void *data,
                      size_t elem) {
    size_t name_len = strlen(name), count = 1;
    SN_ASSERT(name_len > 0 && name_len < 128 && ndims >= 0 && ndims <= MAX_DIMS, "bad checkpoint entry '%s'", name);
    uint16_t len16 = (uint16_t)name_len;
    uint8_t type8 = (uint8_t)type, ndims8 = (uint8_t)ndims;
    append(w, &len16, 2);
    append(w, name, name_len);
    append(w, &type8, 1);
    append(w, &ndims8, 1);
    for (int d = 0; d < ndims; d++) append_u32(w, (uint32_t)dims[d]), count *= (size_t)dims[d];
    append(w, data, count * elem);
    w->entries++;
}

void ckpt_put_f32(CkptWriter *w, const char *name, int ndims, const int *dims, const float *data) {
    put_entry(w, name, CKPT_F32, ndims, dims, data, sizeof(float));
}

void ckpt_put_f64(CkptWriter *w, const char *name, size_t n, const double *data) {
    int dims[1] = {(int)n};
    put_entry(w, name, CKPT_F64, 1, dims, data, sizeof(double));
}

void ckpt_put_u64(CkptWriter *w, const char *name, size_t n, const uint64_t *data) {
    int dims[1] = {(int)n};
    put_entry(w, name, CKPT_U64, 1, dims, data, sizeof(uint64_t));
}

void ckpt_put_text(CkptWriter *w, const char *name, const char *text) {
    int dims[1] = {(int)strlen(text)};
    put_entry(w, name, CKPT_TEXT, 1, dims, text, 1);
}

void ckpt_writer_commit(CkptWriter *w, const char *path) {
    uint32_t version = CKPT_VERSION;
    uint64_t payload = w->len - HEADER_BYTES;
    memcpy(w->buf, CKPT_MAGIC, 8);
    memcpy(w->buf + 8, &version, 4);
    memcpy(w->buf + 12, &w->entries, 4);
    memcpy(w->buf + 16, &payload, 8);
    uint64_t sum = fnv1a64(w->buf, w->len);
    append(w, &sum, 8);
    atomic_write_file(path, w->buf, w->len);
    ckpt_writer_discard(w);
}

uint64_t ckpt_writer_digest(const CkptWriter *w) { return fnv1a64(w->buf + HEADER_BYTES, w->len - HEADER_BYTES); }

void ckpt_writer_discard(CkptWriter *w) {
    sn_free(w->buf);
    sn_free(w);
}

/* ---------------------------------------------------------------------------------------------
 * Reading */

/* The largest checkpoint read: the network's weights twice (SGD momentum) and a strategy's state. */
#define CKPT_MAX_FILE_BYTES ((size_t)16 << 30)

static uint8_t *read_checkpoint_file(const char *path, size_t *len) {
    char why[256];
    uint8_t *bytes = (uint8_t *)read_whole_file(path, CKPT_MAX_FILE_BYTES, len, why, sizeof why);
    if (!bytes) sn_die(SN_EXIT_USAGE, "checkpoint %s: %s", path, why);
    return bytes;
}

static size_t type_size(CkptType t) { return t == CKPT_F32 ? 4 : t == CKPT_TEXT ? 1 : 8; }

/* Parses entry headers from p (bounded by end); returns the byte after the entry or NULL if malformed. */
static const uint8_t *parse_entry(const uint8_t *p, const uint8_t *end, CkptEntry *e) {
    uint16_t len;
    if (end - p < 2) return NULL;
    memcpy(&len, p, 2), p += 2;
    if (len == 0 || len >= sizeof e->name || end - p < len + 2) return NULL;
    memcpy(e->name, p, len), e->name[len] = '\0', p += len;
    e->type = (CkptType)*p++;
    e->ndims = *p++;
    if (e->type < CKPT_F32 || e->type > CKPT_TEXT || e->ndims > MAX_DIMS || end - p < 4 * e->ndims) return NULL;
    e->count = 1;
    for (int d = 0; d < e->ndims; d++) {
        uint32_t dim;
        memcpy(&dim, p, 4), p += 4;
        e->dims[d] = (int)dim, e->count *= dim;
    }
    size_t bytes = e->count * type_size(e->type);
    if ((size_t)(end - p) < bytes) return NULL;
    e->data = p;
    return p + bytes;
}

static void check_header(const Checkpoint *ck, size_t len) {
    const uint8_t *f = ck->file;
    uint32_t version;
    uint64_t payload, sum;
    if (len < HEADER_BYTES + 8 || memcmp(f, CKPT_MAGIC, 8) != 0)
        sn_die(SN_EXIT_USAGE, "%s is not a supernet checkpoint (bad magic)", ck->path);
    memcpy(&version, f + 8, 4), memcpy(&payload, f + 16, 8);
    if (version != CKPT_VERSION)
        sn_die(SN_EXIT_USAGE, "%s: checkpoint version %u, this build reads version %u", ck->path, version, CKPT_VERSION);
    if (payload != len - HEADER_BYTES - 8)
        sn_die(SN_EXIT_USAGE, "%s: truncated or extended checkpoint (%zu bytes, header says %llu)", ck->path, len,
               (unsigned long long)(payload + HEADER_BYTES + 8));
    memcpy(&sum, f + len - 8, 8);
    if (sum != fnv1a64(f, len - 8)) sn_die(SN_EXIT_USAGE, "%s: checksum mismatch, the checkpoint is corrupted", ck->path);
}

Checkpoint *ckpt_read(const char *path) {
    Checkpoint *ck = sn_alloc(sizeof *ck);
    size_t len;
    snprintf(ck->path, sizeof ck->path, "%s", path);
    ck->file = read_checkpoint_file(path, &len);
    check_header(ck, len);
    memcpy(&ck->count, ck->file + 12, 4);
    ck->entries = sn_alloc(sizeof(CkptEntry) * (ck->count ? ck->count : 1));
    const uint8_t *p = ck->file + HEADER_BYTES, *end = ck->file + len - 8;
    for (uint32_t i = 0; i < ck->count; i++)
        if (!(p = parse_entry(p, end, &ck->entries[i])))
            sn_die(SN_EXIT_USAGE, "%s: malformed entry %u of %u", path, i + 1, ck->count);
    if (p != end) sn_die(SN_EXIT_USAGE, "%s: %zu stray bytes after the last entry", path, (size_t)(end - p));
    return ck;
}

void ckpt_free(Checkpoint *ck) {
    if (!ck) return;
    free(ck->file), sn_free(ck->entries), sn_free(ck->text), sn_free(ck);
}

static const CkptEntry *find(const Checkpoint *ck, const char *name) {
    for (uint32_t i = 0; i < ck->count; i++)
        if (strcmp(ck->entries[i].name, name) == 0) return &ck->entries[i];
    return NULL;
}

int ckpt_has(const Checkpoint *ck, const char *name) { return find(ck, name) != NULL; }

static const CkptEntry *need(const Checkpoint *ck, const char *name, CkptType type) {
    static const char *type_names[] = {"", "float32", "float64", "uint64", "text"};
    const CkptEntry *e = find(ck, name);
    if (!e) sn_die(SN_EXIT_USAGE, "%s: no entry '%s'", ck->path, name);
    if (e->type != type)
        sn_die(SN_EXIT_USAGE, "%s: entry '%s' is %s, expected %s", ck->path, name, type_names[e->type], type_names[type]);
    return e;
}

static void shape_text(char *buf, size_t n, int ndims, const int *dims) {
    size_t used = (size_t)snprintf(buf, n, "(");
    for (int d = 0; d < ndims && used < n; d++) used += (size_t)snprintf(buf + used, n - used, d ? ", %d" : "%d", dims[d]);
    if (used < n) snprintf(buf + used, n - used, ")");
}

void ckpt_get_f32(const Checkpoint *ck, const char *name, int ndims, const int *dims, float *out) {
    const CkptEntry *e = need(ck, name, CKPT_F32);
    int same = e->ndims == ndims;
    for (int d = 0; d < ndims && same; d++) same = e->dims[d] == dims[d];
    if (!same) {
        char have[64], want[64];
        shape_text(have, sizeof have, e->ndims, e->dims), shape_text(want, sizeof want, ndims, dims);
        sn_die(SN_EXIT_USAGE, "%s: entry '%s' has shape %s, expected %s", ck->path, name, have, want);
    }
    memcpy(out, e->data, e->count * sizeof(float));
    for (size_t i = 0; i < e->count; i++)
        if (!isfinite(out[i])) sn_die(SN_EXIT_USAGE, "%s: entry '%s' holds %g at position %zu: no state of a run is "
                                      "infinite or NaN", ck->path, name, out[i], i);
}

static void get_vector(const Checkpoint *ck, const char *name, CkptType type, size_t n, void *out) {
    const CkptEntry *e = need(ck, name, type);
    if (e->count != n) sn_die(SN_EXIT_USAGE, "%s: entry '%s' has %zu values, expected %zu", ck->path, name, e->count, n);
    memcpy(out, e->data, n * type_size(type));
}

void ckpt_get_f64(const Checkpoint *ck, const char *name, size_t n, double *out) {
    get_vector(ck, name, CKPT_F64, n, out);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(out[i])) sn_die(SN_EXIT_USAGE, "%s: entry '%s' holds %g at position %zu: no state of a run is "
                                      "infinite or NaN", ck->path, name, out[i], i);
}
void ckpt_get_u64(const Checkpoint *ck, const char *name, size_t n, uint64_t *out) { get_vector(ck, name, CKPT_U64, n, out); }

const char *ckpt_path(const Checkpoint *ck) { return ck->path; }

const char *ckpt_get_text(const Checkpoint *ck, const char *name) {
    const CkptEntry *e = need(ck, name, CKPT_TEXT);
    Checkpoint *mut = (Checkpoint *)ck;
    sn_free(mut->text);
    mut->text = sn_alloc(e->count + 1);
    memcpy(mut->text, e->data, e->count);
    return mut->text;
}

/* ---------------------------------------------------------------------------------------------
 * The supernet's tensors */

static float *tensor_buffer(Supernet *net) {
    size_t largest = 1;
    for (int i = 0; i < supernet_num_tensors(net); i++)
        if (supernet_tensor(net, i)->count > largest) largest = supernet_tensor(net, i)->count;
    return sn_alloc(largest * sizeof(float));
}

void ckpt_put_supernet(CkptWriter *w, Supernet *net, const char *prefix, const float *flat) {
    float *buf = tensor_buffer(net);
    for (int i = 0; i < supernet_num_tensors(net); i++) {
        const TensorInfo *t = supernet_tensor(net, i);
        char name[128];
        if (flat && t->kind != TENSOR_WEIGHT) continue;
        snprintf(name, sizeof name, "%s.%s", prefix, t->name);
        if (flat) supernet_flat_get(net, i, flat, buf);
        else supernet_tensor_get(net, i, buf);
        ckpt_put_f32(w, name, t->ndims, t->dims, buf);
    }
    sn_free(buf);
}

void ckpt_get_supernet(const Checkpoint *ck, Supernet *net, const char *prefix, float *flat) {
    float *buf = tensor_buffer(net);
    for (int i = 0; i < supernet_num_tensors(net); i++) {
        const TensorInfo *t = supernet_tensor(net, i);
        char name[128];
        if (flat && t->kind != TENSOR_WEIGHT) continue;
        snprintf(name, sizeof name, "%s.%s", prefix, t->name);
        ckpt_get_f32(ck, name, t->ndims, t->dims, buf);
        if (flat) supernet_flat_set(net, i, flat, buf);
        else supernet_tensor_set(net, i, buf);
    }
    sn_free(buf);
}
