/* test_data_errors.c: every kind of bad dataset input (missing, truncated or empty files, wrong record
 * size, labels out of range, bad IDX headers, corrupt gzip, an empty split, no dataset, an unknown
 * name) ends the program with exit status 2 and one stderr line naming the file and byte offset.
 * Each case runs dataset_open in a child process; one case runs the real `supernet` binary. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "dataset.h"
#include "test_util.h"

static char root[256];

static const char *dir_path(const char *sub) {
    static char p[4][400];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", root, sub);
    return p[k];
}

static void put(const char *sub, const char *file, const void *bytes, size_t len) {
    char cmd[600], path[600];
    snprintf(cmd, sizeof cmd, "mkdir -p %s/%s", root, sub);
    CHECK(system(cmd) == 0, "mkdir %s", sub);
    snprintf(path, sizeof path, "%s/%s/%s", root, sub, file);
    FILE *f = fopen(path, "wb");
    fwrite(bytes, 1, len, f);
    fclose(f);
}

/* n records of `rec` bytes whose label byte(s) are 0, except record bad_at whose byte label_at is bad_label. */
static void put_records(const char *sub, const char *file, int n, int rec, int label_at, int bad_at, int bad_label) {
    uint8_t *b = calloc((size_t)n, (size_t)rec);
    for (int i = 0; i < n * rec; i++) b[i] = (uint8_t)(i % 251);
    for (int k = 0; k < n; k++) { /* every label byte of a record gets the same value */
        uint8_t label = k == bad_at ? (uint8_t)bad_label : 1;
        b[(size_t)k * rec] = label;
        b[(size_t)k * rec + label_at] = label;
    }
    put(sub, file, b, (size_t)n * rec);
    free(b);
}

static void put_cifar10(const char *sub) {
    char name[32];
    for (int f = 1; f <= 5; f++) {
        snprintf(name, sizeof name, "data_batch_%d.bin", f);
        put_records(sub, name, 4, 3073, 0, -1, 0);
    }
    put_records(sub, "test_batch.bin", 4, 3073, 0, -1, 0);
}

static void put_idx(const char *sub, const char *file, uint32_t magic, uint32_t n, int dims, size_t body, int label, int gz) {
    size_t head = 4 + 4 * (size_t)dims;
    uint8_t *b = calloc(head + body + 1, 1);
    uint32_t v[4] = {magic, n, 28, 28};
    for (int i = 0; i <= dims; i++)
        for (int j = 0; j < 4; j++) b[4 * i + j] = (uint8_t)(v[i] >> (24 - 8 * j));
    if (body > 3) b[head + 3] = (uint8_t)label;
    if (!gz) {
        put(sub, file, b, head + body);
    } else {
        char path[600];
        put(sub, file, "", 0);
        snprintf(path, sizeof path, "%s/%s/%s", root, sub, file);
        gzFile f = gzopen(path, "wb");
        gzwrite(f, b, (unsigned)(head + body));
        gzclose(f);
    }
    free(b);
}

static void put_fashion(const char *sub, int n_train, int gz) {
    put_idx(sub, gz ? "train-images-idx3-ubyte.gz" : "train-images-idx3-ubyte", 0x803, (uint32_t)n_train, 3, (size_t)n_train * 784, 0, gz);
    put_idx(sub, gz ? "train-labels-idx1-ubyte.gz" : "train-labels-idx1-ubyte", 0x801, (uint32_t)n_train, 1, (size_t)n_train, 2, gz);
    put_idx(sub, "t10k-images-idx3-ubyte", 0x803, 4, 3, 4 * 784, 0, 0);
    put_idx(sub, "t10k-labels-idx1-ubyte", 0x801, 4, 1, 4, 1, 0);
}

/* Runs dataset_open(sub, name) in a child; checks status 2, one line, and every expected fragment. */
static void expect_error(const char *sub, const char *name, const char *frag1, const char *frag2) {
    char errfile[300], err[2048] = {0};
    snprintf(errfile, sizeof errfile, "%s/stderr.txt", root);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen(errfile, "w", stderr)) _exit(99);
        dataset_free(dataset_open(dir_path(sub), name, 1));
        _exit(0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    FILE *f = fopen(errfile, "r");
    size_t n = f ? fread(err, 1, sizeof err - 1, f) : 0;
    if (f) fclose(f);
    int lines = 0;
    for (size_t i = 0; i < n; i++) lines += err[i] == '\n';
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 2, "%s: exit status %d, expected 2 (%s)", sub, WIFEXITED(st) ? WEXITSTATUS(st) : -1, err);
    CHECK(lines == 1, "%s: %d lines on stderr: %s", sub, lines, err);
    CHECK(strstr(err, frag1) != NULL, "%s: '%s' does not mention '%s'", sub, err, frag1);
    CHECK(!frag2 || strstr(err, frag2) != NULL, "%s: '%s' does not mention '%s'", sub, err, frag2);
}

static void record_file_cases(void) {
    put_cifar10("missing");
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm %s/missing/data_batch_2.bin", root);
    CHECK(system(cmd) == 0, "rm");
    expect_error("missing", NULL, "cannot open", "missing/data_batch_2.bin");

    put_cifar10("truncated");
    put_records("truncated", "data_batch_3.bin", 4, 3073, 0, -1, 0);
    put("truncated", "data_batch_3.bin", "", 0);
    put_records("truncated", "data_batch_3.bin", 3, 3073, 0, -1, 0);
    snprintf(cmd, sizeof cmd, "head -c 100 /dev/zero >> %s/truncated/data_batch_3.bin", root);
    CHECK(system(cmd) == 0, "append");
    expect_error("truncated", NULL, "data_batch_3.bin: offset 9219:", "3073-byte records");

    put_cifar10("empty");
    put("empty", "test_batch.bin", "", 0);
    expect_error("empty", NULL, "test_batch.bin: offset 0: empty file", NULL);

    put_cifar10("label10");
    put_records("label10", "test_batch.bin", 4, 3073, 0, 2, 10);
    expect_error("label10", NULL, "test_batch.bin: offset 6146: label 10 out of range 0..9", NULL);

    /* CIFAR-10 records (3,073 bytes) where CIFAR-100's 3,074-byte records are expected. */
    put_records("recsize", "train.bin", 3, 3073, 0, -1, 0);
    put_records("recsize", "test.bin", 4, 3074, 1, -1, 0);
    expect_error("recsize", NULL, "train.bin: offset 6148:", "3074-byte records");

    snprintf(cmd, sizeof cmd, "cd %s && mkdir -p tar/cifar-10-batches-bin && cp label10/*.bin tar/cifar-10-batches-bin/ && "
             "rm tar/cifar-10-batches-bin/data_batch_4.bin && cd tar && tar czf cifar-10-binary.tar.gz cifar-10-batches-bin && "
             "rm -r cifar-10-batches-bin", root);
    CHECK(system(cmd) == 0, "tar fixture");
    expect_error("tar", NULL, "cifar-10-binary.tar.gz: offset", "no member named data_batch_4.bin");

    put_records("c100label", "train.bin", 3, 3074, 1, 1, 100);
    put_records("c100label", "test.bin", 4, 3074, 1, -1, 0);
    expect_error("c100label", "cifar100", "train.bin: offset 3075: label 100 out of range 0..99", NULL);

    put_records("in16label", "imagenet16-120-train.bin", 4, 769, 0, -1, 0);
    put_records("in16label", "imagenet16-120-val.bin", 4, 769, 0, 2, 120);
    expect_error("in16label", NULL, "imagenet16-120-val.bin: offset 1538: label 120 out of range 0..119", NULL);
}

static void idx_cases(void) {
    put_fashion("idxlabel", 6, 0);
    put_idx("idxlabel", "train-labels-idx1-ubyte", 0x801, 6, 1, 6, 10, 0);
    expect_error("idxlabel", NULL, "train-labels-idx1-ubyte: offset 11: label 10 out of range 0..9", NULL);

    put_fashion("idxmagic", 6, 0);
    put_idx("idxmagic", "t10k-images-idx3-ubyte", 0x801, 4, 3, 4 * 784, 0, 0);
    expect_error("idxmagic", NULL, "t10k-images-idx3-ubyte: offset 0: magic 0x00000801", NULL);

    put_fashion("idxshort", 6, 0);
    put_idx("idxshort", "t10k-images-idx3-ubyte", 0x803, 4, 3, 3 * 784 + 100, 0, 0);
    expect_error("idxshort", NULL, "t10k-images-idx3-ubyte: offset 2468:", "promises 4 images");

    put_fashion("idxcount", 6, 0);
    put_idx("idxcount", "t10k-labels-idx1-ubyte", 0x801, 3, 1, 3, 1, 0);
    expect_error("idxcount", NULL, "t10k-labels-idx1-ubyte: offset 4: 3 labels", NULL);

    put_fashion("badgz", 6, 1);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "cd %s/badgz && head -c 20 train-images-idx3-ubyte.gz > t && mv t train-images-idx3-ubyte.gz", root);
    CHECK(system(cmd) == 0, "cut gz");
    expect_error("badgz", NULL, "train-images-idx3-ubyte.gz: offset", "gzip");

    put_fashion("emptysplit", 1, 1);
    expect_error("emptysplit", NULL, "emptysplit: offset 0: empty split", "search-valid");

    put("nothing", "README", "x", 1);
    expect_error("nothing", NULL, "nothing: no dataset found", NULL);
    expect_error("nothing", "mnist", "unknown dataset name 'mnist'", NULL);
}

/* The real binary reports the same way. */
static void binary_case(void) {
    char cmd[900], err[2048] = {0};
    const char *bin = getenv("SUPERNET_BIN");
    snprintf(cmd, sizeof cmd, "%s bench --mode data --steps 1 --data %s/truncated 2>%s/bin_err.txt >/dev/null",
             bin ? bin : "supernet", root, root);
    int st = system(cmd);
    snprintf(cmd, sizeof cmd, "%s/bin_err.txt", root);
    FILE *f = fopen(cmd, "r");
    size_t n = f ? fread(err, 1, sizeof err - 1, f) : 0;
    if (f) fclose(f);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 2, "supernet bench on a truncated file: status %d", WEXITSTATUS(st));
    CHECK(n > 0 && strchr(err, '\n') == err + n - 1 && strstr(err, "data_batch_3.bin: offset 9219:"), "binary said: %s", err);
}

int main(void) {
    snprintf(root, sizeof root, "/tmp/sn_test_data_errors_%d", (int)getpid());
    record_file_cases();
    idx_cases();
    binary_case();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    CHECK(system(cmd) == 0, "cleanup");
    TEST_EXIT();
}
