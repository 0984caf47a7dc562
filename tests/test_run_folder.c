/* test_run_folder.c: a run folder is one run (issue 19). Run names and --logs are checked; default
 * names of runs started in the same second differ; a run that died before its first checkpoint starts
 * again with the same command; --resume refuses a checkpoint made by another run; a subset larger than
 * its split is an error; a failed atomic write leaves no temporary file and a kill's leftovers go on
 * resume. Runs the real binary on tiny GDAS / DARTS-V1 searches (one epoch, 64 images). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "atomic_file.h"
#include "table_format.h" /* fnv1a64, the checkpoint's checksum too */
#include "whole_file.h"
#include "run/run_folder.h"
#include "test_util.h"
#include "testlib.h"

static char dir[256];

#define TINY "--set cells=1 --set epochs=1 --set train_images=64 --set valid_images=64 --set batch_size=32 --threads 1 --quiet"

static void expect_refused(const char *args, const char *what) {
    char err[4096];
    int status = run_supernet(args, err, sizeof err);
    CHECK(status == 2 && count_lines(err) == 1 && strstr(err, what), "'%s' exited %d: '%s' (expected exit 2, one line naming '%s')",
          args, status, err, what);
}

static void expect_runs(const char *args) {
    char err[8192];
    int status = run_supernet(args, err, sizeof err);
    CHECK(status == 0, "'%s' exited %d: %s", args, status, err);
}

static void names(void) {
    char args[1024];
    expect_refused("search --method gdas --logs ''", "--logs ''");
    snprintf(args, sizeof args, "search --method gdas --logs %s --run ..", dir), expect_refused(args, "--run '..'");
    snprintf(args, sizeof args, "search --method gdas --logs %s --run a/b", dir), expect_refused(args, "offset 1");
    snprintf(args, sizeof args, "train --arch 1 --logs %s --run ''", dir), expect_refused(args, "--run ''");
    char a[512], b[512], logs[400];
    snprintf(logs, sizeof logs, "%s/names", dir);
    run_folder_default_name(logs, "gdas-x-s1", a, sizeof a);
    run_folder_default_name(logs, "gdas-x-s1", b, sizeof b);
    CHECK(strcmp(a, b) != 0, "two default names in one second are the same: %s", a);
}

/* A folder with the run's configuration but no checkpoint: what a run killed in its first epoch leaves. */
static void died_before_first_checkpoint(void) {
    char args[1024], cmd[2048], out[256];
    snprintf(cmd, sizeof cmd, "mkdir -p %s/early && printf 'method = gdas\\n' > %s/early/config.cfg && printf 'epoch\\n' > %s/early/epochs.csv && "
             "touch %s/early/epochs.csv.tmp.12345", dir, dir, dir, dir);
    CHECK(run_command(cmd, out, sizeof out) == 0, "%s", cmd);
    snprintf(args, sizeof args, "search --resume %s/early", dir);
    expect_refused(args, "the run stopped before its first checkpoint; start it again with the command");
    snprintf(args, sizeof args, "search --method gdas --logs %s --run early " TINY, dir);
    expect_runs(args);
    snprintf(cmd, sizeof cmd, "%s/early/summary.json", dir);
    CHECK(path_exists(cmd), "the restarted run did not finish");
    snprintf(cmd, sizeof cmd, "%s/early/epochs.csv.tmp.12345", dir);
    CHECK(!path_exists(cmd), "a leftover temporary file survived the restart");
}

static void foreign_checkpoint(void) {
    char args[1024], cmd[2048], out[256];
    snprintf(args, sizeof args, "search --method gdas --logs %s --run g " TINY, dir), expect_runs(args);
    snprintf(args, sizeof args, "search --method darts-v1 --logs %s --run d " TINY, dir), expect_runs(args);
    snprintf(cmd, sizeof cmd, "cp %s/g/checkpoint.bin %s/d/checkpoint.bin && touch %s/g/checkpoint.bin.tmp.777", dir, dir, dir);
    CHECK(run_command(cmd, out, sizeof out) == 0, "%s", cmd);
    snprintf(args, sizeof args, "search --resume %s/d", dir);
    expect_refused(args, "was not made by the run of");
    snprintf(args, sizeof args, "search --resume %s/g --quiet", dir), expect_runs(args);
    snprintf(cmd, sizeof cmd, "%s/g/checkpoint.bin.tmp.777", dir);
    CHECK(!path_exists(cmd), "resume left a kill's temporary file");
}

/* The data of checkpoint entry `name` in bytes (u16 name length, name, u8 type, u8 ndims, u32 dims, data). */
static uint8_t *entry_data(uint8_t *bytes, size_t len, const char *name) {
    size_t n = strlen(name);
    for (size_t at = 0; at + 2 + n + 2 < len; at++) {
        uint16_t l;
        memcpy(&l, bytes + at, 2);
        if (l == n && memcmp(bytes + at + 2, name, n) == 0) return bytes + at + 2 + n + 2 + 4 * bytes[at + 2 + n + 1];
    }
    return NULL;
}

/* A copy of finished run g whose checkpoint has `value` (8 bytes) at entry `name`, resealed: well-formed,
 * but a state no run reaches. */
static void expect_impossible(const char *name, const void *value, size_t size, const char *what) {
    char cmd[1200], out[256], path[600], args[700];
    snprintf(cmd, sizeof cmd, "rm -rf %s/bad && cp -r %s/g %s/bad", dir, dir, dir);
    CHECK(run_command(cmd, out, sizeof out) == 0, "%s", cmd);
    snprintf(path, sizeof path, "%s/bad/checkpoint.bin", dir);
    size_t len;
    char why[256];
    uint8_t *bytes = (uint8_t *)read_whole_file(path, 1 << 30, &len, why, sizeof why);
    uint8_t *data = bytes ? entry_data(bytes, len, name) : NULL;
    CHECK(data != NULL, "no entry %s in %s", name, path);
    if (!data) return free(bytes);
    memcpy(data, value, size);
    uint64_t sum = fnv1a64(bytes, len - 8);
    memcpy(bytes + len - 8, &sum, 8);
    CHECK(write_bytes_file(path, bytes, len) == 0, "cannot write %s", path);
    free(bytes);
    snprintf(args, sizeof args, "search --resume %s/bad --quiet", dir);
    expect_refused(args, what);
}

static void impossible_checkpoint_values(void) {
    const uint64_t epochs_done = 999;
    const float nan_alpha = NAN;
    const double negative = -5;
    expect_impossible("progress", &epochs_done, 8, "entry 'progress' (999 epochs done");
    expect_impossible("arch.alpha", &nan_alpha, 4, "entry 'arch.alpha' holds nan at position 0");
    expect_impossible("seconds", &negative, 8, "entry 'seconds' is -5");
}

static void subset_larger_than_split(void) {
    char args[1024];
    snprintf(args, sizeof args, "search --method gdas --logs %s --run big --set train_images=2501", dir);
    expect_refused(args, "train_images = 2501, but the search-train split");
    snprintf(args, sizeof args, "search --method gdas --logs %s --run big --set valid_images=9999", dir);
    expect_refused(args, "valid_images = 9999");
    snprintf(args, sizeof args, "train --arch 1 --logs %s --run big --set train_images=999999", dir);
    expect_refused(args, "train_images = 999999");
}

/* A write cut short (here by a file-size limit, as a full disk would) must not leave its temporary file. */
static void write_too_big(void *path) {
    struct rlimit lim = {4096, 4096};
    signal(SIGXFSZ, SIG_IGN);
    setrlimit(RLIMIT_FSIZE, &lim);
    static char bytes[1 << 16];
    atomic_write_file(path, bytes, sizeof bytes);
}

static void failed_write(void) {
    char path[400], err[512], cmd[600], out[4096];
    snprintf(path, sizeof path, "%s/full/record.bin", dir);
    make_directories(path);
    rmdir(path);
    int status = run_in_child(write_too_big, path, err, sizeof err);
    CHECK(status == 2 && strstr(err, "cannot write"), "a failed write exited %d: %s", status, err);
    snprintf(cmd, sizeof cmd, "ls -A %s/full", dir);
    CHECK(run_command(cmd, out, sizeof out) == 0 && out[0] == '\0', "a failed write left: %s", out);
}

int main(void) {
    make_temp_dir(dir, sizeof dir, "run_folder");
    names();
    died_before_first_checkpoint();
    foreign_checkpoint();
    impossible_checkpoint_values();
    subset_larger_than_split();
    failed_write();
    remove_tree(dir);
    TEST_EXIT();
}
