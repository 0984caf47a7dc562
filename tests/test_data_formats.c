/* test_data_formats.c: every dataset format on fixtures this test writes, format detection, the split
 * rules (official bitmaps, seeded halves), SHA-256, and the embedded default subset with its
 * provenance digest. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "dataset.h"
#include "embedded.h"
#include "sha256.h"
#include "splits.h"
#include "test_util.h"

static char root[256];

static const char *fixture_path(const char *sub, const char *file) {
    static char p[512];
    snprintf(p, sizeof p, "%s/%s/%s", root, sub, file);
    return p;
}

static void make_dir(const char *sub) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "mkdir -p %s/%s", root, sub);
    CHECK(system(cmd) == 0, "cannot create %s", sub);
}

/* A pixel value every test can recompute: depends on the image's global number, its channel and position. */
static uint8_t pixel(int image, int c, int i) { return (uint8_t)(image * 7 + c * 31 + i * 3); }

/* Writes n records (label bytes, then C planes of `plane` bytes) for images first..first+n-1. */
static void write_records(const char *path, int first, int n, int label_bytes, int n_classes, int channels, int plane) {
    FILE *f = fopen(path, "wb");
    for (int k = first; k < first + n; k++) {
        for (int b = 0; b < label_bytes; b++) fputc(b == label_bytes - 1 ? k % n_classes : (k * 3) % 20, f);
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < plane; i++) fputc(pixel(k, c, i), f);
    }
    fclose(f);
}

static void check_images(const ImageArray *a, int first, int n, int n_classes, int channels, int plane, const char *what) {
    CHECK(a->n == n, "%s: %d images, expected %d", what, a->n, n);
    int bad = 0;
    for (int k = 0; k < a->n && k < n; k++) {
        bad += a->labels[k] != (first + k) % n_classes;
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < plane; i += 17) bad += a->pixels[((size_t)k * channels + c) * plane + i] != pixel(first + k, c, i);
    }
    CHECK(bad == 0, "%s: %d wrong labels or pixels", what, bad);
}

static int is_partition(const Subset *a, const Subset *b, int n) {
    char *seen = calloc((size_t)n, 1);
    int ok = a->n + b->n == n;
    for (int i = 0; i < a->n; i++) ok &= a->index[i] >= 0 && a->index[i] < n && !seen[a->index[i]]++ && (i == 0 || a->index[i] > a->index[i - 1]);
    for (int i = 0; i < b->n; i++) ok &= b->index[i] >= 0 && b->index[i] < n && !seen[b->index[i]]++ && (i == 0 || b->index[i] > b->index[i - 1]);
    free(seen);
    return ok;
}

static void test_cifar10(void) {
    make_dir("c10");
    char name[32];
    for (int f = 0; f < 5; f++) {
        snprintf(name, sizeof name, "data_batch_%d.bin", f + 1);
        write_records(fixture_path("c10", name), f * 4, 4, 1, 10, 3, 1024);
    }
    write_records(fixture_path("c10", "test_batch.bin"), 100, 6, 1, 10, 3, 1024);
    char dir[300];
    snprintf(dir, sizeof dir, "%s/c10", root);
    Dataset *d = dataset_open(dir, NULL, 5);
    CHECK(d->spec->kind == DATASET_CIFAR10, "cifar10 not detected");
    check_images(&d->train, 0, 20, 10, 3, 1024, "cifar10 train");
    check_images(&d->test, 100, 6, 10, 3, 1024, "cifar10 test");
    CHECK(d->search_train.n == 10 && d->search_valid.n == 10 && d->eval_test.n == 6, "cifar10 split %d/%d/%d",
          d->search_train.n, d->search_valid.n, d->eval_test.n);
    CHECK(is_partition(&d->search_train, &d->search_valid, 20), "cifar10 seeded split is not a sorted partition");
    CHECK(strstr(d->split_note, "seeded split (seed 5)") && strstr(d->split_note, "not recognised"), "note: %s", d->split_note);
    Dataset *again = dataset_open(dir, "CIFAR10", 5), *other = dataset_open(dir, "cifar10", 6);
    CHECK(memcmp(again->search_valid.index, d->search_valid.index, sizeof(int32_t) * 10) == 0, "same seed, other split");
    CHECK(memcmp(other->search_valid.index, d->search_valid.index, sizeof(int32_t) * 10) != 0, "seed 6 gave seed 5's split");
    dataset_free(again), dataset_free(other);
    /* The same files packed as the authors' archive (not extracted) read the same. */
    char cmd[700];
    make_dir("c10tar/cifar-10-batches-bin");
    snprintf(cmd, sizeof cmd, "cd %s && cp c10/*.bin c10tar/cifar-10-batches-bin/ && cd c10tar && "
             "tar czf cifar-10-binary.tar.gz --format=ustar cifar-10-batches-bin && rm -r cifar-10-batches-bin", root);
    CHECK(system(cmd) == 0, "cannot make the archive fixture");
    snprintf(dir, sizeof dir, "%s/c10tar", root);
    Dataset *packed = dataset_open(dir, NULL, 5);
    check_images(&packed->train, 0, 20, 10, 3, 1024, "cifar10 archive train");
    check_images(&packed->test, 100, 6, 10, 3, 1024, "cifar10 archive test");
    CHECK(memcmp(packed->search_valid.index, d->search_valid.index, sizeof(int32_t) * 10) == 0, "archive split differs");
    CHECK(strstr(packed->split_note, "archive cifar-10-binary.tar.gz not recognised"), "note: %s", packed->split_note);
    /* The split lists written for the run log: three lines with 10, 10 and 6 indices. */
    FILE *log = tmpfile();
    dataset_write_split(d, log);
    rewind(log);
    char line[8192];
    int counts[3] = {0}, k = 0;
    while (fgets(line, sizeof line, log) && k < 3)
        if (line[0] != '#') {
            for (char *c = line; *c; c++) counts[k] += *c == ' ';
            k++;
        }
    fclose(log);
    CHECK(counts[0] == 10 && counts[1] == 10 && counts[2] == 6, "written split lists have %d/%d/%d entries", counts[0],
          counts[1], counts[2]);
    dataset_free(packed), dataset_free(d);
}

/* CIFAR-100: the fine label (second byte) is the class; with a 10,000-image test set the official
 * xvalid/xtest lists apply, otherwise seeded halves. */
static void test_cifar100(void) {
    char dir[300];
    make_dir("c100");
    snprintf(dir, sizeof dir, "%s/c100", root);
    write_records(fixture_path("c100", "train.bin"), 0, 7, 2, 100, 3, 1024);
    write_records(fixture_path("c100", "test.bin"), 0, 10000, 2, 100, 3, 1024);
    Dataset *d = dataset_open(dir, NULL, 1);
    CHECK(d->spec->kind == DATASET_CIFAR100 && d->spec->n_classes == 100, "cifar100 not detected");
    check_images(&d->train, 0, 7, 100, 3, 1024, "cifar100 train");
    CHECK(d->search_train.n == 7, "cifar100 searches on the whole training set");
    CHECK(d->search_valid.n == 5000 && d->eval_test.n == 5000, "cifar100 xvalid/xtest %d/%d", d->search_valid.n, d->eval_test.n);
    const int32_t first_xvalid[6] = {1, 3, 4, 5, 8, 10}; /* cifar100-test-split.txt */
    CHECK(memcmp(d->search_valid.index, first_xvalid, sizeof first_xvalid) == 0 && d->search_valid.index[4999] == 9999,
          "cifar100 xvalid is not the official list");
    CHECK(strstr(d->split_note, "official") != NULL, "note: %s", d->split_note);
    dataset_free(d);
    write_records(fixture_path("c100", "test.bin"), 0, 9, 2, 100, 3, 1024);
    d = dataset_open(dir, "cifar100", 1);
    CHECK(d->search_valid.n == 4 && d->eval_test.n == 5 && is_partition(&d->eval_test, &d->search_valid, 9),
          "cifar100 seeded halves %d/%d", d->search_valid.n, d->eval_test.n);
    CHECK(strstr(d->split_note, "seeded") != NULL, "note: %s", d->split_note);
    dataset_free(d);
}

static void test_imagenet16(void) {
    char dir[300];
    make_dir("in16");
    snprintf(dir, sizeof dir, "%s/in16", root);
    write_records(fixture_path("in16", "imagenet16-120-train.bin"), 0, 130, 1, 120, 3, 256);
    write_records(fixture_path("in16", "imagenet16-120-val.bin"), 0, 6000, 1, 120, 3, 256);
    Dataset *d = dataset_open(dir, NULL, 1);
    CHECK(d->spec->kind == DATASET_IMAGENET16_120 && d->spec->height == 16, "ImageNet16-120 not detected");
    check_images(&d->train, 0, 130, 120, 3, 256, "imagenet16 train");
    check_images(&d->test, 0, 6000, 120, 3, 256, "imagenet16 val");
    const int32_t first_xvalid[6] = {1, 2, 3, 6, 7, 8}; /* imagenet-16-120-test-split.txt */
    CHECK(d->search_valid.n == 3000 && d->eval_test.n == 3000 &&
          memcmp(d->search_valid.index, first_xvalid, sizeof first_xvalid) == 0, "ImageNet16-120 xvalid is not official");
    dataset_free(d);
}

static void write_idx(const char *path, int gz, uint32_t magic, int dims, const uint32_t *size, const uint8_t *body, size_t len) {
    uint8_t head[16];
    for (int i = 0; i <= dims; i++) {
        uint32_t v = i == 0 ? magic : size[i - 1];
        head[4 * i] = (uint8_t)(v >> 24), head[4 * i + 1] = (uint8_t)(v >> 16), head[4 * i + 2] = (uint8_t)(v >> 8), head[4 * i + 3] = (uint8_t)v;
    }
    gzFile f = gzopen(path, gz ? "wb" : "wbT"); /* T: write uncompressed */
    gzwrite(f, head, (unsigned)(4 + 4 * dims));
    gzwrite(f, body, (unsigned)len);
    gzclose(f);
}

static void write_fashion(const char *sub, const char *prefix, int first, int n, int gz) {
    uint8_t *img = malloc((size_t)n * 784), *lab = malloc((size_t)n);
    for (int k = 0; k < n; k++) {
        lab[k] = (uint8_t)((first + k) % 10);
        for (int i = 0; i < 784; i++) img[(size_t)k * 784 + i] = pixel(first + k, 0, i);
    }
    char name[64];
    uint32_t isize[3] = {(uint32_t)n, 28, 28}, lsize[1] = {(uint32_t)n};
    snprintf(name, sizeof name, "%s-images-idx3-ubyte%s", prefix, gz ? ".gz" : "");
    write_idx(fixture_path(sub, name), gz, 0x803, 3, isize, img, (size_t)n * 784);
    snprintf(name, sizeof name, "%s-labels-idx1-ubyte%s", prefix, gz ? ".gz" : "");
    write_idx(fixture_path(sub, name), gz, 0x801, 1, lsize, lab, (size_t)n);
    free(img), free(lab);
}

static void test_fashion_mnist(void) {
    char dir[300];
    for (int gz = 0; gz < 2; gz++) {
        const char *sub = gz ? "fm_gz" : "fm";
        make_dir(sub);
        snprintf(dir, sizeof dir, "%s/%s", root, sub);
        write_fashion(sub, "train", 0, 12, gz);
        write_fashion(sub, "t10k", 50, 5, gz);
        Dataset *d = dataset_open(dir, NULL, 3);
        CHECK(d->spec->kind == DATASET_FASHION_MNIST && d->spec->channels == 1, "fashion-mnist (gz %d) not detected", gz);
        check_images(&d->train, 0, 12, 10, 1, 784, "fashion-mnist train");
        check_images(&d->test, 50, 5, 10, 1, 784, "fashion-mnist test");
        CHECK(d->search_train.n == 6 && d->search_valid.n == 6 && d->eval_test.n == 5, "fashion-mnist split");
        dataset_free(d);
    }
}

/* The committed bitmaps against the first and last entries of the official JSON lists. */
static void test_official_cifar10_bits(void) {
    ImageArray fifty = {50000, NULL, NULL};
    Subset train, valid;
    subset_split_bits(&train, &valid, &fifty, sn_blob_cifar10_valid_bits, 50000);
    const int32_t t0[6] = {0, 5, 7, 11, 13, 15}, v0[6] = {1, 2, 3, 4, 6, 8}; /* cifar-split.txt */
    CHECK(train.n == 25000 && valid.n == 25000, "official cifar10 split %d/%d", train.n, valid.n);
    CHECK(memcmp(train.index, t0, sizeof t0) == 0 && memcmp(valid.index, v0, sizeof v0) == 0, "official list heads differ");
    CHECK(train.index[24999] == 49994 && valid.index[24999] == 49999, "official list tails differ");
    subset_free(&train), subset_free(&valid);
}

static void test_sha256(void) {
    char hex[65];
    sha256_hex("abc", 3, hex);
    CHECK(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0, "sha256(abc) = %s", hex);
    sha256_hex("", 0, hex);
    CHECK(strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0, "sha256('') = %s", hex);
    char *a = malloc(1000000);
    memset(a, 'a', 1000000);
    sha256_hex(a, 1000000, hex);
    CHECK(strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0, "sha256(a x 1e6) = %s", hex);
    free(a);
}

/* The embedded subset: documented counts (250 / 250 / 100 per class) and the digest recorded in
 * data/embedded/PROVENANCE.md. */
static void test_embedded(void) {
    Dataset *d = dataset_open_default();
    CHECK(d->search_train.n == 2500 && d->search_valid.n == 2500 && d->eval_test.n == 1000, "embedded counts %d/%d/%d",
          d->search_train.n, d->search_valid.n, d->eval_test.n);
    int counts[3][10] = {{0}};
    const Subset *parts[3] = {&d->search_train, &d->search_valid, &d->eval_test};
    for (int p = 0; p < 3; p++)
        for (int i = 0; i < parts[p]->n; i++) counts[p][parts[p]->images->labels[parts[p]->index[i]]]++;
    int bad = 0;
    for (int c = 0; c < 10; c++) bad += counts[0][c] != 250 || counts[1][c] != 250 || counts[2][c] != 100;
    CHECK(bad == 0, "embedded subset is not 250/250/100 per class");
    size_t len;
    char hex[65], doc[8192] = {0}, path[600];
    const uint8_t *bytes = dataset_embedded_bytes(&len);
    sha256_hex(bytes, len, hex);
    CHECK(len == 6000 * 3073, "embedded subset is %zu bytes", len);
    CHECK(strcmp(hex, DATASET_EMBEDDED_SHA256) == 0, "embedded subset sha256 %s", hex);
    snprintf(path, sizeof path, "%s/data/embedded/PROVENANCE.md", getenv("SUPERNET_ROOT") ? getenv("SUPERNET_ROOT") : "..");
    FILE *f = fopen(path, "r");
    if (f) fread(doc, 1, sizeof doc - 1, f), fclose(f);
    CHECK(strstr(doc, hex) != NULL, "%s does not record the subset's sha256 %s", path, hex);
    dataset_free(d);
}

int main(void) {
    snprintf(root, sizeof root, "/tmp/sn_test_data_formats_%d", (int)getpid());
    test_sha256();
    test_cifar10();
    test_cifar100();
    test_imagenet16();
    test_fashion_mnist();
    test_official_cifar10_bits();
    test_embedded();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    CHECK(system(cmd) == 0, "cleanup");
    TEST_EXIT();
}
