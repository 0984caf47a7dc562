/*
 * test_checkpoint.c: the checkpoint container and the supernet's entries in it.
 *   - a round trip restores every tensor bit for bit (weights, running statistics, a momentum array
 *     in the weights' layout, text, u64 and f64 entries);
 *   - every damaged file is refused with exit status 2 and one line naming the file and the problem:
 *     a flipped byte (checksum), truncation, a wrong magic, a missing entry, a wrong shape or type;
 *   - kill -9 at random moments while checkpoints are being rewritten never leaves a file that does
 *     not load (the write is temp file + fsync + rename).
 */
#define _POSIX_C_SOURCE 200809L
#include <omp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run/checkpoint.h"
#include "common.h"
#include "supernet.h"
#include "test_util.h"
#include "testlib.h"
#include "whole_file.h"

static char dir[256], path[300];

static Supernet *tiny_net(uint64_t seed) {
    SupernetConfig cfg = {.channels = 16, .cells = 1, .classes = 10, .in_channels = 3, .image_size = 8, .max_batch = 2,
                          .max_eval_batch = 2, .darts = 0, .track_running_stats = 1, .seed = seed, .direct_conv = 0};
    return supernet_create(&cfg);
}

static void write_checkpoint(Supernet *net, const float *momentum, uint64_t step) {
    CkptWriter *w = ckpt_writer_new();
    ckpt_put_text(w, "config", "method = gdas\nseed = 3\n");
    ckpt_put_supernet(w, net, "net", NULL);
    ckpt_put_supernet(w, net, "momentum", momentum);
    ckpt_put_u64(w, "step", 1, &step);
    double lr = 0.025;
    ckpt_put_f64(w, "lr", 1, &lr);
    ckpt_writer_commit(w, path);
}

static void check_round_trip(void) {
    Supernet *a = tiny_net(1), *b = tiny_net(2);
    size_t n = supernet_weights_floats(a);
    Rng rng;
    rng_seed(&rng, 5, 0);
    float *momentum = random_array(n, &rng, -1, 1), *momentum_b = sn_alloc(n * sizeof(float));
    write_checkpoint(a, momentum, 1234);
    Checkpoint *ck = ckpt_read(path);
    ckpt_get_supernet(ck, b, "net", NULL);
    ckpt_get_supernet(ck, b, "momentum", momentum_b);
    uint64_t step;
    double lr;
    ckpt_get_u64(ck, "step", 1, &step);
    ckpt_get_f64(ck, "lr", 1, &lr);
    CHECK(step == 1234 && lr == 0.025, "scalars: %llu %g", (unsigned long long)step, lr);
    CHECK(strcmp(ckpt_get_text(ck, "config"), "method = gdas\nseed = 3\n") == 0, "config text");
    CHECK(memcmp(supernet_weights(a), supernet_weights(b), n * sizeof(float)) == 0, "weights differ after the round trip");
    float *ta = sn_alloc(64 * 64 * 9 * sizeof(float)), *tb = sn_alloc(64 * 64 * 9 * sizeof(float));
    int stats = 0;
    for (int i = 0; i < supernet_num_tensors(a); i++) {
        const TensorInfo *t = supernet_tensor(a, i);
        supernet_tensor_get(a, i, ta), supernet_tensor_get(b, i, tb);
        CHECK(memcmp(ta, tb, t->count * sizeof(float)) == 0, "%s differs after the round trip", t->name);
        stats += t->kind == TENSOR_RUNNING_STAT;
        if (t->kind != TENSOR_WEIGHT) continue;
        supernet_flat_get(a, i, momentum, ta), supernet_flat_get(b, i, momentum_b, tb);
        CHECK(memcmp(ta, tb, t->count * sizeof(float)) == 0, "momentum of %s differs", t->name);
    }
    CHECK(stats > 0, "the tiny network tracks running statistics, none were checked");
    ckpt_free(ck);
    sn_free(ta), sn_free(tb), sn_free(momentum), sn_free(momentum_b);
    supernet_free(a), supernet_free(b);
}

/* ---- damaged files: each case runs in a child, which must exit 2 with one line */

typedef struct {
    const char *file;
    const char *entry;
    int want_shape_error;
} LoadCase;

static void load_into_net(void *arg) {
    const LoadCase *c = arg;
    Checkpoint *ck = ckpt_read(c->file);
    if (c->entry) {
        float buf[16];
        int dims[1] = {c->want_shape_error ? 15 : 16};
        ckpt_get_f32(ck, c->entry, 1, dims, buf);
    }
    Supernet *net = tiny_net(1);
    ckpt_get_supernet(ck, net, "net", NULL);
}

static void expect_refused(const char *file, const char *entry, int shape, const char *must_contain) {
    LoadCase c = {file, entry, shape};
    char err[1024];
    int status = run_in_child(load_into_net, &c, err, sizeof err);
    int lines = 0;
    for (const char *s = err; *s; s++) lines += *s == '\n';
    CHECK(status == 2, "%s: exit status %d, expected 2 (%s)", must_contain, status, err);
    CHECK(lines == 1 && strstr(err, must_contain) && strstr(err, file), "expected one line naming %s and '%s', got: %s", file,
          must_contain, err);
}

static void write_bytes(const char *file, const unsigned char *data, size_t n) {
    FILE *fp = fopen(file, "wb");
    fwrite(data, 1, n, fp);
    fclose(fp);
}

static void check_damage(void) {
    Supernet *net = tiny_net(1);
    float *momentum = sn_alloc(supernet_weights_floats(net) * sizeof(float));
    write_checkpoint(net, momentum, 7);
    char why[256];
    size_t n = 0;
    unsigned char *good = (unsigned char *)read_whole_file(path, 64 << 20, &n, why, sizeof why);
    CHECK(good != NULL, "read back: %s", why);
    if (!good) return;
    unsigned char *bad = sn_alloc(n);
    char damaged[320];
    snprintf(damaged, sizeof damaged, "%s/damaged.bin", dir);

    memcpy(bad, good, n), bad[n / 2] ^= 0x10;
    write_bytes(damaged, bad, n);
    expect_refused(damaged, NULL, 0, "checksum");
    write_bytes(damaged, good, n - 100);
    expect_refused(damaged, NULL, 0, "truncated");
    memcpy(bad, good, n), bad[0] = 'X';
    write_bytes(damaged, bad, n);
    expect_refused(damaged, NULL, 0, "magic");
    expect_refused(path, "no.such.tensor", 0, "no entry 'no.such.tensor'");
    expect_refused(path, "net.stem.bn.weight", 1, "shape (16), expected (15)");
    expect_refused(path, "config", 0, "is text, expected float32");
    free(good), sn_free(bad), sn_free(momentum);
    supernet_free(net);
}

/* ---- kill -9 while checkpoints are rewritten in a loop */

static void check_kill_during_write(void) {
    Supernet *net = tiny_net(3);
    float *momentum = sn_alloc(supernet_weights_floats(net) * sizeof(float));
    write_checkpoint(net, momentum, 0);
    struct timespec pause = {0, 0};
    for (int round = 0; round < 20; round++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            for (uint64_t step = 1;; step++) write_checkpoint(net, momentum, step);
        }
        pause.tv_nsec = 1000000L * (2 + (round * 7) % 23); /* 2..24 ms into the write loop */
        nanosleep(&pause, NULL);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        LoadCase c = {path, NULL, 0};
        char err[512];
        int status = run_in_child(load_into_net, &c, err, sizeof err);
        CHECK(status == 0, "round %d: the checkpoint left by kill -9 does not load: %s", round, err);
    }
    sn_free(momentum);
    supernet_free(net);
}

int main(void) {
    omp_set_num_threads(1); /* the test forks; see run_in_child */
    snprintf(dir, sizeof dir, "/tmp/sn_test_checkpoint_%d", (int)getpid());
    snprintf(path, sizeof path, "%s/checkpoint.bin", dir);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    CHECK(system(cmd) == 0, "mkdir %s", dir);
    check_round_trip();
    check_damage();
    check_kill_during_write();
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0, "rm %s", dir);
    TEST_EXIT();
}
