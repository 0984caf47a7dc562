/* readers.c: record files and IDX files into ImageArrays, with every size and label checked (see readers.h). */
#define _POSIX_C_SOURCE 200809L
#include "readers.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "common.h"
#include "sha256.h"
#include "whole_file.h"

int file_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The unpacked size a gzip file promises in its trailer (ISIZE, the size mod 2^32), or -1 for a file
 * that is not gzip data. The stream is left at its start. */
static long long gzip_promised_size(FILE *f, long long stored) {
    uint8_t b[4];
    if (stored < 18 || fread(b, 1, 2, f) != 2 || b[0] != 0x1f || b[1] != 0x8b) return rewind(f), -1;
    if (fseek(f, -4, SEEK_END) != 0 || fread(b, 1, 4, f) != 4) return rewind(f), -1;
    rewind(f);
    return (long long)((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24);
}

/* Inflates (or copies) exactly `size` bytes; one byte more is the sign of a file that lied. */
static uint8_t *read_promised(const char *path, size_t size, int gzip) {
    gzFile f = gzopen(path, "rb");
    if (!f) sn_die(SN_EXIT_USAGE, "cannot open %s: %s", path, strerror(errno));
    uint8_t *buf = sn_alloc(size + 1);
    size_t n = 0;
    for (;;) {
        size_t left = size + 1 - n;
        int got = left ? gzread(f, buf + n, left > (1u << 30) ? (1u << 30) : (unsigned)left) : 0;
        if (got < 0) {
            int code;
            const char *msg = gzerror(f, &code);
            sn_die(SN_EXIT_USAGE, "%s: offset %zu of the unpacked data: corrupt or truncated gzip data (%s)", path, n, msg);
        }
        if (got == 0) break;
        n += (size_t)got;
    }
    int code;
    const char *msg = gzerror(f, &code);
    if (code != Z_OK && code != Z_BUF_ERROR) sn_die(SN_EXIT_USAGE, "%s: offset %zu: read error (%s)", path, n, msg);
    if (code == Z_BUF_ERROR || n < size)
        sn_die(SN_EXIT_USAGE, "%s: offset %zu of the unpacked data: truncated %s", path, n, gzip ? "gzip data" : "file");
    if (n > size)
        sn_die(SN_EXIT_USAGE, "%s: unpacks to more than the %zu bytes its gzip trailer promises (corrupt, or a "
               "member of 4 GiB or more)", path, size);
    gzclose(f);
    return buf;
}

uint8_t *read_file_bytes(const char *path, size_t *len) {
    char why[256];
    FILE *f = open_input_file(path, DATASET_FILE_MAX_BYTES, why, sizeof why);
    if (!f) sn_die(SN_EXIT_USAGE, "%s: %s", path, why);
    struct stat st;
    fstat(fileno(f), &st);
    long long promised = gzip_promised_size(f, (long long)st.st_size);
    fclose(f);
    if (promised > (long long)DATASET_FILE_MAX_BYTES)
        sn_die(SN_EXIT_USAGE, "%s: its gzip trailer promises %lld unpacked bytes, more than the %zu a dataset file may have",
               path, promised, (size_t)DATASET_FILE_MAX_BYTES);
    *len = promised >= 0 ? (size_t)promised : (size_t)st.st_size;
    return read_promised(path, *len, promised >= 0);
}

void image_array_free(ImageArray *a) {
    sn_free(a->pixels);
    sn_free(a->labels);
    a->pixels = NULL, a->labels = NULL, a->n = 0;
}

static size_t count_records(size_t len, const char *name, const RecordFormat *fmt) {
    size_t rec = (size_t)(fmt->label_bytes + fmt->pixel_bytes);
    if (len == 0) sn_die(SN_EXIT_USAGE, "%s: offset 0: empty file, no records", name);
    if (len % rec)
        sn_die(SN_EXIT_USAGE, "%s: offset %zu: %zu bytes is not a whole number of %zu-byte records "
               "(truncated, or not this dataset's format)", name, len - len % rec, len, rec);
    if (len / rec > INT32_MAX) sn_die(SN_EXIT_USAGE, "%s: offset 0: too many records", name);
    return len / rec;
}

/* Copies `count` records into out at position `at`, checking each label. */
static void copy_records(ImageArray *out, int at, const uint8_t *bytes, size_t count, const char *name,
                         const RecordFormat *fmt) {
    size_t rec = (size_t)(fmt->label_bytes + fmt->pixel_bytes);
    for (size_t i = 0; i < count; i++) {
        const uint8_t *r = bytes + i * rec;
        int label = r[fmt->label_at];
        if (label >= fmt->n_classes)
            sn_die(SN_EXIT_USAGE, "%s: offset %zu: label %d out of range 0..%d", name, i * rec + (size_t)fmt->label_at,
                   label, fmt->n_classes - 1);
        out->labels[at + (int)i] = label;
        memcpy(out->pixels + (size_t)(at + (int)i) * (size_t)fmt->pixel_bytes, r + fmt->label_bytes, (size_t)fmt->pixel_bytes);
    }
}

static void image_array_alloc(ImageArray *a, size_t n, size_t pixel_bytes) {
    a->n = (int)n;
    a->pixels = sn_alloc(n * pixel_bytes);
    a->labels = sn_alloc(n * sizeof(int32_t));
}

void parse_record_bytes(ImageArray *out, const uint8_t *bytes, size_t len, const char *name, const RecordFormat *fmt) {
    size_t n = count_records(len, name, fmt);
    image_array_alloc(out, n, (size_t)fmt->pixel_bytes);
    copy_records(out, 0, bytes, n, name, fmt);
}

void load_record_buffers(ImageArray *out, const uint8_t *const *bytes, const size_t *lens, const char *const *names,
                         int n, const RecordFormat *fmt, char (*sha256)[65]) {
    size_t total = 0;
    for (int f = 0; f < n; f++) {
        total += count_records(lens[f], names[f], fmt);
        if (sha256) sha256_hex(bytes[f], lens[f], sha256[f]);
    }
    image_array_alloc(out, total, (size_t)fmt->pixel_bytes);
    int at = 0;
    for (int f = 0; f < n; f++) {
        size_t count = lens[f] / (size_t)(fmt->label_bytes + fmt->pixel_bytes);
        copy_records(out, at, bytes[f], count, names[f], fmt);
        at += (int)count;
    }
}

void load_record_files(ImageArray *out, const char *const *paths, int n_files, const RecordFormat *fmt,
                       char (*sha256)[65]) {
    uint8_t *bytes[16] = {0};
    size_t lens[16] = {0};
    SN_ASSERT(n_files >= 1 && n_files <= 16, "too many record files (%d)", n_files);
    for (int f = 0; f < n_files; f++) bytes[f] = read_file_bytes(paths[f], &lens[f]);
    load_record_buffers(out, (const uint8_t *const *)bytes, lens, paths, n_files, fmt, sha256);
    for (int f = 0; f < n_files; f++) sn_free(bytes[f]);
}

void file_sha256(const char *path, char hex[65], size_t *size) {
    char why[256];
    FILE *f = open_input_file(path, DATASET_FILE_MAX_BYTES, why, sizeof why);
    if (!f) sn_die(SN_EXIT_USAGE, "%s: %s", path, why);
    static uint8_t chunk[1 << 16];
    Sha256 h;
    uint8_t d[32];
    size_t got;
    sha256_init(&h);
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) sha256_update(&h, chunk, got);
    fclose(f);
    *size = (size_t)h.total;
    sha256_final(&h, d);
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

/* ustar header fields: name [0, 100), size in octal [124, 136), type flag at 156, prefix [345, 500). */
static size_t tar_octal(const uint8_t *field, int width) {
    size_t v = 0;
    for (int i = 0; i < width && field[i] >= '0' && field[i] <= '7'; i++) v = v * 8 + (size_t)(field[i] - '0');
    return v;
}

static int tar_name_matches(const uint8_t *h, const char *file) {
    char name[101];
    memcpy(name, h, 100);
    name[100] = '\0';
    const char *base = strrchr(name, '/');
    return strcmp(base ? base + 1 : name, file) == 0;
}

const uint8_t *tar_member(const uint8_t *tar, size_t len, const char *archive, const char *file, size_t *member_len) {
    size_t at = 0;
    while (at + 512 <= len && tar[at] != 0) {
        const uint8_t *h = tar + at;
        if (memcmp(h + 257, "ustar", 5) != 0)
            sn_die(SN_EXIT_USAGE, "%s: offset %zu of the unpacked data: not a tar header", archive, at);
        size_t size = tar_octal(h + 124, 12);
        if (at + 512 + size > len)
            sn_die(SN_EXIT_USAGE, "%s: offset %zu of the unpacked data: member of %zu bytes runs past the end", archive, at, size);
        if ((h[156] == '0' || h[156] == 0) && tar_name_matches(h, file)) {
            *member_len = size;
            return h + 512;
        }
        at += 512 + (size + 511) / 512 * 512;
    }
    sn_die(SN_EXIT_USAGE, "%s: offset %zu of the unpacked data: no member named %s", archive, at, file);
}

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

/* Checks an IDX header: magic, then `dims` big-endian sizes; returns the item count. */
static uint32_t idx_header(const uint8_t *b, size_t len, const char *path, uint32_t magic, int dims) {
    if (len < 4 + 4 * (size_t)dims)
        sn_die(SN_EXIT_USAGE, "%s: offset %zu: truncated IDX header (%d bytes expected)", path, len, 4 + 4 * dims);
    if (be32(b) != magic)
        sn_die(SN_EXIT_USAGE, "%s: offset 0: magic 0x%08x, expected 0x%08x (an IDX file of %d dimension%s)", path,
               be32(b), magic, dims, dims > 1 ? "s" : "");
    uint32_t n = be32(b + 4);
    if (n == 0) sn_die(SN_EXIT_USAGE, "%s: offset 4: empty file, no records", path);
    return n;
}

void load_idx_pair(ImageArray *out, const char *images_path, const char *labels_path, const DatasetSpec *spec) {
    size_t ilen, llen;
    uint8_t *img = read_file_bytes(images_path, &ilen), *lab = read_file_bytes(labels_path, &llen);
    uint32_t n = idx_header(img, ilen, images_path, 0x00000803u, 3);
    if (be32(img + 8) != (uint32_t)spec->height || be32(img + 12) != (uint32_t)spec->width)
        sn_die(SN_EXIT_USAGE, "%s: offset 8: images are %ux%u, %s images are %dx%d", images_path, be32(img + 8),
               be32(img + 12), spec->name, spec->height, spec->width);
    size_t pix = (size_t)spec->height * (size_t)spec->width;
    if (ilen != 16 + n * pix)
        sn_die(SN_EXIT_USAGE, "%s: offset %zu: the header promises %u images (%zu bytes) but the file has %zu bytes",
               images_path, ilen < 16 + n * pix ? ilen : 16 + n * pix, n, 16 + n * pix, ilen);
    uint32_t nl = idx_header(lab, llen, labels_path, 0x00000801u, 1);
    if (nl != n) sn_die(SN_EXIT_USAGE, "%s: offset 4: %u labels but %s has %u images", labels_path, nl, images_path, n);
    if (llen != 8 + (size_t)n)
        sn_die(SN_EXIT_USAGE, "%s: offset %zu: the header promises %u labels but the file has %zu bytes", labels_path,
               llen < 8 + (size_t)n ? llen : 8 + (size_t)n, n, llen);
    image_array_alloc(out, n, pix);
    for (uint32_t i = 0; i < n; i++) {
        if (lab[8 + i] >= spec->n_classes)
            sn_die(SN_EXIT_USAGE, "%s: offset %u: label %d out of range 0..%d", labels_path, 8 + i, lab[8 + i],
                   spec->n_classes - 1);
        out->labels[i] = lab[8 + i];
    }
    memcpy(out->pixels, img + 16, n * pix);
    sn_free(img);
    sn_free(lab);
}
