/*
 * dataset.h: the datasets the supernet is searched on, held in memory as uint8 images, and the
 * NAS-Bench-201 splits over them (REFERENCE.md section 2).
 *
 * Images are stored exactly as the files hold them: per image C planes of H x W bytes (CHW), never
 * normalised or copied per epoch. A Subset is a list of positions into one ImageArray; the three
 * subsets a search needs are fixed when the dataset is opened:
 *
 *   dataset          search_train (weight step)   search_valid (arch step)   eval_test
 *   cifar10          train split of the 50k       valid split of the 50k     the 10k test set
 *   cifar100         all 50k training images      xvalid half of test        xtest half of test
 *   ImageNet16-120   all 151,700 training images  xvalid half of val         xtest half of val
 *   fashion-mnist    seeded half of the 60k       the other half             the 10k test set
 *
 * Which split lists are used (the official NAS-Bench-201 ones or a seeded split) is decided by
 * dataset_open and explained in Dataset.split_note, which the caller prints and logs.
 *
 * Every problem with the input (missing or truncated file, wrong record size, label out of range,
 * empty split) ends the program through sn_die with exit status 2 and one line naming the file and
 * the byte offset.
 */
#ifndef SN_DATASET_H
#define SN_DATASET_H

#include <stdint.h>
#include <stdio.h>

typedef enum { DATASET_CIFAR10, DATASET_CIFAR100, DATASET_IMAGENET16_120, DATASET_FASHION_MNIST, DATASET_KINDS } DatasetKind;

/* What a dataset is, independent of where its files are. mean/std are in pixel units (0..255), as the
 * reference writes them (e.g. 125.3 / 63.0), so normalised = (v - mean) / std with v in 0..255. */
typedef struct {
    DatasetKind kind;
    const char *name; /* the --data name: cifar10, cifar100, ImageNet16-120, fashion-mnist */
    int channels, height, width;
    int n_classes;
    int crop_pad; /* zero padding of the random crop, in pixels */
    double mean[3], std[3]; /* double: the reference divides these Python floats by 255 before rounding to float32 */
} DatasetSpec;

typedef struct {
    int n;
    uint8_t *pixels; /* (n, C, H, W) bytes */
    int32_t *labels; /* (n), in 0..n_classes-1 */
} ImageArray;

typedef struct {
    const ImageArray *images;
    int32_t *index; /* (n) positions into images, sorted */
    int n;
} Subset;

typedef struct {
    const DatasetSpec *spec;
    ImageArray train, test;
    Subset search_train, search_valid, eval_test;
    float norm_lut[3][256]; /* (v / 255 - mean / 255) / (std / 255) for every byte value, per channel */
    char source[512];       /* folder it was read from, or "embedded CIFAR-10 subset" */
    char split_note[512];   /* one line: which split lists are used and why */
} Dataset;

/* Seed of the seeded splits when the caller has no reason to pick another: a fixed value, so that
 * searches with different run seeds still share one split, as they do with the official lists. */
#define DATASET_SPLIT_SEED 20240601u

/* The spec whose name matches (case-insensitive), or NULL. */
const DatasetSpec *dataset_spec_by_name(const char *name);

/* The CIFAR-10 subset committed in the project and compiled into the binary (data/embedded/PROVENANCE.md):
 * 2,500 search-train, 2,500 search-valid and 1,000 test images, 250 / 250 / 100 of each class. */
Dataset *dataset_open_default(void);

/* A dataset folder given with --data. name selects the format (a DatasetSpec name); NULL detects it
 * from the files present. split_seed seeds the split when the official lists do not apply. */
Dataset *dataset_open(const char *folder, const char *name, uint64_t split_seed);

void dataset_free(Dataset *d);

/* Writes the search_train / search_valid / eval_test index lists, one "name: i i i ..." line each, so
 * a run's log records exactly which images it searched on. */
void dataset_write_split(const Dataset *d, FILE *out);

/* The embedded subset's bytes and their recorded SHA-256 (the provenance check of the tests). */
const uint8_t *dataset_embedded_bytes(size_t *len);
extern const char DATASET_EMBEDDED_SHA256[65];

#endif
