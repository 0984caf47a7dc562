/* test_ablate_search.c: `supernet ablate` with the real `supernet search` on a tiny profile: DARTS-V1
 * and GDAS x two seeds (2 epochs, 64 images, one cell per stage). The ablate process is killed with
 * SIGKILL while the second run is between its epochs; the rerun must skip the finished run without
 * touching it, resume the killed run from its checkpoint and run the rest, and the summary table must
 * hold the mean and sample std of the runs' own summary.json values. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_util.h"
#include "testlib.h"

static char root[64];
static char out[1 << 16];
static const char *const METHODS[2] = {"darts-v1", "gdas"};
static const char *const KEYS[7] = {"search_seconds", "cifar10_valid", "cifar10_test", "cifar100_valid",
                                    "cifar100_test", "imagenet16_valid", "imagenet16_test"};


static void run_path(char *out_path, size_t len, const char *run, const char *file) {
    snprintf(out_path, len, "%s/out/runs/%s/%s", root, run, file);
}

/* Waits until path exists, giving up when the process `pid` ends first. */
static int wait_for_file(const char *path, pid_t pid) {
    for (int i = 0; i < 12000; i++) { /* up to 120 s: a bound on waiting, not a timing check */
        if (access(path, F_OK) == 0) return 1;
        if (waitpid(pid, NULL, WNOHANG) == pid) return 0;
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    return 0;
}

static double json_number(const char *text, const char *key) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *k = strstr(text, pat);
    return k ? strtod(k + strlen(pat), NULL) : NAN;
}

/* The summary.csv row of a method: mean and std of each key, from the runs' summary.json. */
static void check_summary_row(const char *csv, int m) {
    double v[2][7];
    char path[256];
    for (int s = 0; s < 2; s++) {
        char run[64];
        snprintf(run, sizeof run, "%s-s%d", METHODS[m], s + 1);
        run_path(path, sizeof path, run, "summary.json");
        const char *text = read_text_file(path);
        for (int k = 0; k < 7; k++) v[s][k] = json_number(text, KEYS[k]);
    }
    char prefix[64];
    snprintf(prefix, sizeof prefix, "\n%s,2,2,", METHODS[m]);
    const char *row = strstr(csv, prefix);
    CHECK(row != NULL, "no row for %s in %s", METHODS[m], csv);
    if (!row) return;
    row += strlen(prefix);
    for (int k = 0; k < 7; k++) {
        char *end;
        double mean = strtod(row, &end), std = strtod(end + 1, &end);
        row = end + 1;
        CHECK_CLOSE(mean, (v[0][k] + v[1][k]) / 2, 1e-5, 0, KEYS[k]);
        CHECK_CLOSE(std, fabs(v[0][k] - v[1][k]) / sqrt(2.0), 1e-5, 0, KEYS[k]); /* sample std of two values */
    }
}

int main(void) {
    make_temp_dir(root, sizeof root, "test_ablsearch");
    CHECK(write_tiny_ablation(root, METHODS, 2, "methods = darts-v1, gdas\nseeds = 1, 2\nprofile = tiny\nset = epochs=2\n"
                                                "set = train_images=64\nset = valid_images=64\nset = batch_size=32\n"
                                                "set = cells=1\nset = valid_pass=0\njobs = 1\n") == 0, "cannot write the configs");
    char cmd[2048], path[256], log[256];
    snprintf(log, sizeof log, "%s/first.log", root);
    snprintf(cmd, sizeof cmd, "exec '%s' ablate %s/configs/ablations/tiny.cfg --out %s/out --threads 1 > %s 2>&1", supernet_bin(), root, root, log);
    pid_t ablate = fork();
    if (ablate == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    /* The second run's checkpoint appears after its first epoch: kill ablate then. */
    run_path(path, sizeof path, "darts-v1-s2", "checkpoint.bin");
    CHECK(wait_for_file(path, ablate), "run 2 never wrote a checkpoint: %s", read_text_file(log));
    kill(ablate, SIGKILL);
    waitpid(ablate, NULL, 0);
    /* Its child gets SIGTERM with its parent; wait until the process of its pid file has exited
     * (gone, or a zombie: an orphan may wait for a reaper). */
    snprintf(path, sizeof path, "%s/out/runs/darts-v1-s2.pid", root);
    process_ends_within(atoi(read_text_file(path)), 120000);
    run_path(path, sizeof path, "darts-v1-s2", "summary.json");
    CHECK(access(path, F_OK) != 0, "run 2 finished although ablate was killed: %s", read_text_file(log));
    struct stat first;
    run_path(path, sizeof path, "darts-v1-s1", "summary.json");
    CHECK(stat(path, &first) == 0, "run 1 did not finish: %s", read_text_file(log));

    snprintf(cmd, sizeof cmd, "'%s' ablate %s/configs/ablations/tiny.cfg --out %s/out --threads 1 2>&1", supernet_bin(), root, root);
    CHECK(run_command(cmd, out, sizeof out) == 0, "rerun failed: %s", out);
    CHECK(strstr(out, "skip   darts-v1-s1") && strstr(out, "resume darts-v1-s2") && strstr(out, "start  gdas-s1") &&
          strstr(out, "start  gdas-s2"), "rerun: %s", out);
    struct stat again;
    CHECK(stat(path, &again) == 0 && again.st_ino == first.st_ino && again.st_mtim.tv_sec == first.st_mtim.tv_sec &&
          again.st_mtim.tv_nsec == first.st_mtim.tv_nsec, "the finished run was redone");
    run_path(path, sizeof path, "darts-v1-s2", "epochs.csv");
    const char *csv_text = read_text_file(path);
    const char *line2 = strchr(csv_text, '\n');
    CHECK(line2 && strncmp(line2 + 1, "0,", 2) == 0 && strstr(line2, "\n1,") && !strstr(line2, "\n2,"),
          "the resumed run's records: %s", csv_text);
    snprintf(path, sizeof path, "%s/out/summary.csv", root);
    const char *summary = read_text_file(path);
    char copy[1 << 14];
    snprintf(copy, sizeof copy, "%s", summary);
    for (int m = 0; m < 2; m++) check_summary_row(copy, m);
    snprintf(path, sizeof path, "%s/out/summary.md", root);
    CHECK(strstr(read_text_file(path), "| darts-v1 | 2/2 |") && strstr(read_text_file(path), "| gdas | 2/2 |"), "markdown: %s", read_text_file(path));
    /* The paper's GDAS row (Table 5, v1.0: C10 valid 89.89 ± 0.08, C10 test 93.61 ± 0.09) under the table. */
    CHECK(strstr(read_text_file(path), "| gdas | paper Table 5 (v1.0, BN=1) | 89.89±0.08 | 93.61±0.09 |"), "no paper row: %s",
          read_text_file(path));
    if (test_failures == 0) remove_tree(root);
    TEST_EXIT();
}
