/*
 * readers.h: the on-disk formats, turned into ImageArrays (internal to data/). Every reader checks
 * sizes and labels and stops with sn_die(SN_EXIT_USAGE, ...) naming the file and byte offset.
 *
 *   record files   CIFAR-10 (1 label byte + 3,072 pixel bytes), CIFAR-100 (coarse + fine label bytes
 *                  + 3,072), converted ImageNet16-120 (1 label byte + 768): fixed-size records, the
 *                  pixels as R, G, B planes, each row-major.
 *   IDX            Fashion-MNIST: big-endian header (magic, counts, rows, cols), then bytes; plain or
 *                  gzip-compressed.
 */
#ifndef SN_READERS_H
#define SN_READERS_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"

typedef struct {
    int label_bytes; /* bytes before the pixels */
    int label_at;    /* which of them is the class label */
    int pixel_bytes; /* C * H * W */
    int n_classes;
} RecordFormat;

/* The most bytes a dataset file may hold, stored or unpacked (the largest, the CIFAR-10 archive,
 * unpacks to about 180 MB; a converted ImageNet16-120 training file is 117 MB). */
#define DATASET_FILE_MAX_BYTES ((size_t)1 << 30)

/* The whole file, gunzipped if it is gzip data: exactly the size its gzip trailer promises, never more
 * (a member of 4 GiB or more, whose trailer holds the size mod 2^32, is refused). Missing, irregular,
 * oversized, corrupt or lying files stop the program, exit 2. */
uint8_t *read_file_bytes(const char *path, size_t *len);
int file_exists(const char *path);

/* SHA-256 (hex) and size of a file's bytes as stored (no gunzip). */
void file_sha256(const char *path, char hex[65], size_t *size);

/* Parses the record files in order into one array (out must be empty). If sha256 is not NULL it
 * receives each file's digest (hex). `name` is printed in errors for the in-memory variants. */
void load_record_files(ImageArray *out, const char *const *paths, int n_files, const RecordFormat *fmt,
                       char (*sha256)[65]);
void load_record_buffers(ImageArray *out, const uint8_t *const *bytes, const size_t *lens, const char *const *names,
                         int n, const RecordFormat *fmt, char (*sha256)[65]);

/* The member of an (already gunzipped) ustar archive whose path ends in "/<file>" or is <file>;
 * stops the program if it is missing or the archive is malformed. */
const uint8_t *tar_member(const uint8_t *tar, size_t len, const char *archive, const char *file, size_t *member_len);
void parse_record_bytes(ImageArray *out, const uint8_t *bytes, size_t len, const char *name, const RecordFormat *fmt);

/* An IDX image file with its IDX label file (Fashion-MNIST). */
void load_idx_pair(ImageArray *out, const char *images_path, const char *labels_path, const DatasetSpec *spec);

void image_array_free(ImageArray *a);

#endif
