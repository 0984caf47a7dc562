/* readers.c: record files and IDX files into ImageArrays, with every size and label checked (see readers.h). */
#define _POSIX_C_SOURCE 200809L
#include "readers.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "common.h"
#include "sha256.h"

int file_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

uint8_t *read_file_bytes(const char *path, size_t *len) {
    /* gzread passes plain files through unchanged, so one reader serves .gz and raw files. */
    errno = 0;
    if (!file_exists(path))
        sn_die(SN_EXIT_USAGE, "cannot open %s: %s", path, errno ? strerror(errno) : "not a regular file");
    gzFile f = gzopen(path, "rb");
    if (!f) sn_die(SN_EXIT_USAGE, "cannot open %s: %s", path, strerror(errno));
    size_t cap = 1 << 20, n = 0;
    uint8_t *buf = sn_alloc(cap);
    for (;;) {
        if (n == cap) {
            uint8_t *bigger = sn_alloc(cap * 2);
            memcpy(bigger, buf, n);
            sn_free(buf);
            buf = bigger, cap *= 2;
        }
        unsigned want = cap - n > (1u << 30) ? (1u << 30) : (unsigned)(cap - n);
        int got = gzread(f, buf + n, want);
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
    if (code == Z_BUF_ERROR) sn_die(SN_EXIT_USAGE, "%s: offset %zu of the unpacked data: truncated gzip data", path, n);
    gzclose(f);
    *len = n;
    return buf;
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

void load_record_files(ImageArray *out, const char *const *paths, int n_files, const RecordFormat *fmt,
                       char (*sha256)[65]) {
    uint8_t *bytes[16];
    size_t lens[16], total = 0;
    SN_ASSERT(n_files <= 16, "too many record files (%d)", n_files);
    for (int f = 0; f < n_files; f++) {
        bytes[f] = read_file_bytes(paths[f], &lens[f]);
        total += count_records(lens[f], paths[f], fmt);
        if (sha256) sha256_hex(bytes[f], lens[f], sha256[f]);
    }
    image_array_alloc(out, total, (size_t)fmt->pixel_bytes);
    int at = 0;
    for (int f = 0; f < n_files; f++) {
        size_t n = lens[f] / (size_t)(fmt->label_bytes + fmt->pixel_bytes);
        copy_records(out, at, bytes[f], n, paths[f], fmt);
        at += (int)n;
        sn_free(bytes[f]);
    }
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
