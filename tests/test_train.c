/*
 * test_train.c: `supernet train` through the binary, on a tiny configuration of the embedded data (one
 * cell per stage, 96 training and 32 evaluation images, batch 32, 2 epochs, 1 thread):
 *   - a rerun writes the same records; a run killed with SIGKILL right after its first checkpoint and
 *     resumed writes exactly the records of the uninterrupted one, and the same summary;
 *   - the recipe's learning rate per epoch (nb201-12: 0.1 cosine to 0 over 12 epochs, set once per
 *     epoch) against values worked out by hand;
 *   - --from takes a finished search run's chosen cell;
 *   - --cells trains each cell into cell-<index>, skips finished ones on a rerun; --report compares them
 *     with the table (comparison.md / .csv / .png);
 *   - a run stopped before its first checkpoint starts again with the same command;
 *   - bad --arch / --from / --dataset / --set / flag combinations end with one line and exit 2.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"
#include "testlib.h"

static char logs[512];

/* `supernet train` with the tiny settings and the given extra words (NULL-terminated). */
static int spawn_train(const char *run, const char *const *extra) {
    char *argv[64];
    int n = 0;
    static const char *const tiny[] = {"--set", "cells=1", "--set", "train_images=96", "--set", "valid_images=32",
                                       "--batch", "32", "--set", "valid_batch=32", "--threads", "1", "--quiet", NULL};
    argv[n++] = (char *)supernet_bin(), argv[n++] = "train";
    if (run) {
        argv[n++] = "--logs", argv[n++] = logs, argv[n++] = "--run", argv[n++] = (char *)run;
        for (int i = 0; tiny[i]; i++) argv[n++] = (char *)tiny[i];
    }
    for (int i = 0; extra[i]; i++) argv[n++] = (char *)extra[i];
    argv[n] = NULL;
    return spawn_quiet(argv);
}

static void run_dir(char *out, size_t n, const char *run, const char *file) { snprintf(out, n, "%s/%s/%s", logs, run, file); }

static void compare_files(const char *run_a, const char *run_b, const char *file, int lines_expected, const char *what) {
    static char a[1 << 16], b[1 << 16];
    char pa[1024], pb[1024];
    run_dir(pa, sizeof pa, run_a, file), run_dir(pb, sizeof pb, run_b, file);
    read_without_seconds(pa, a, sizeof a), read_without_seconds(pb, b, sizeof b);
    int lines = 0;
    for (const char *p = a; *p; p++) lines += *p == '\n';
    CHECK(lines == lines_expected, "%s: %d lines in %s", what, lines, pa);
    CHECK(strcmp(a, b) == 0, "%s: %s differs from %s:\n%s\n---\n%s", what, pb, pa, b, a);
}

static void test_resume(void) {
    const char *const cell[] = {"--arch", "11472", "--epochs", "2", NULL};
    CHECK(wait_exit_status(spawn_train("a", cell)) == 0, "first run failed");
    CHECK(wait_exit_status(spawn_train("b", cell)) == 0, "rerun failed");
    compare_files("a", "b", "epochs.csv", 3, "rerun");
    char ckpt[1024], summary[1024], dir[1024], png[1024];
    run_dir(ckpt, sizeof ckpt, "k", "checkpoint.bin"), run_dir(summary, sizeof summary, "k", "summary.json");
    CHECK(kill_once_file_exists(spawn_train("k", cell), ckpt), "the training was not killed mid-run");
    CHECK(path_exists(ckpt) && !path_exists(summary), "a killed run should have a checkpoint and no summary");
    snprintf(dir, sizeof dir, "%s/k", logs);
    const char *const resume[] = {"--resume", dir, "--threads", "1", "--quiet", NULL};
    CHECK(wait_exit_status(spawn_train(NULL, resume)) == 0, "resume failed");
    compare_files("a", "k", "epochs.csv", 3, "kill + resume");
    compare_files("a", "k", "epochs.jsonl", 2, "kill + resume");
    compare_files("a", "k", "summary.json", 1, "kill + resume");
    run_dir(png, sizeof png, "k", "curve.png");
    CHECK(path_exists(png), "no curve.png");
    CHECK(wait_exit_status(spawn_train(NULL, resume)) == 0, "resuming a finished run should say so and exit 0");
}

/* nb201-12's learning rate of epoch e is 0.05 (1 + cos(pi e / 12)), worked out by hand. */
static void test_learning_rates(void) {
    static const double want[12] = {0.1, 0.0982962913, 0.0933012702, 0.0853553391, 0.075, 0.0629409523,
                                    0.05, 0.0370590477, 0.025, 0.0146446609, 0.0066987298, 0.0017037087};
    const char *const cell[] = {"--arch", "303101", NULL};
    CHECK(wait_exit_status(spawn_train("lr", cell)) == 0, "12-epoch run failed");
    char path[1024], line[512];
    run_dir(path, sizeof path, "lr", "epochs.csv");
    FILE *f = fopen(path, "r");
    CHECK(f != NULL, "no %s", path);
    int e = 0;
    while (f && fgets(line, sizeof line, f))
        if (line[0] >= '0' && line[0] <= '9' && e < 12) {
            double lr = strtod(strchr(strchr(line, ',') + 1, ',') + 1, NULL);
            CHECK(fabs(lr - want[e]) < 1e-9, "epoch %d: lr %.10g, expected %.10g", e, lr, want[e]);
            e++;
        }
    if (f) fclose(f);
    CHECK(e == 12, "%d epochs recorded, expected the recipe's 12", e);
}

/* --from: a search run folder's summary.json names the cell. */
static void test_from(void) {
    char dir[1024], path[1100];
    snprintf(dir, sizeof dir, "%s/search", logs);
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/summary.json", dir);
    write_text_file(path, "{\"method\": \"gdas\", \"arch\": \"|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|none~0|"
                          "nor_conv_3x3~1|skip_connect~2|\", \"index\": 0}\n");
    snprintf(path, sizeof path, "%s/config.cfg", dir);
    write_text_file(path, "method = gdas\ndata =\n");
    const char *const from[] = {"--from", dir, "--epochs", "1", NULL};
    CHECK(wait_exit_status(spawn_train("from", from)) == 0, "--from failed");
    snprintf(path, sizeof path, "%s/from/summary.json", logs);
    CHECK(strstr(read_text_file(path), "\"code\": \"421031\"") != NULL, "--from trained another cell: %s", read_text_file(path));
}

static void test_cells_and_report(void) {
    char study[1024], out[8192], cmd[2048];
    snprintf(study, sizeof study, "%s/study", logs);
    snprintf(cmd, sizeof cmd, "%s train --cells 11472,444444 --epochs 1 --logs %s --set cells=1 --set train_images=32 "
             "--set valid_images=32 --batch 32 --threads 1 --quiet 2>&1", supernet_bin(), study);
    CHECK(run_command(cmd, out, sizeof out) == 0, "--cells failed: %s", out);
    CHECK(run_command(cmd, out, sizeof out) == 0 && strstr(out, "cell-11472: finished") && strstr(out, "cell-7581: finished"),
          "a rerun of --cells should skip both finished cells: %s", out);
    snprintf(cmd, sizeof cmd, "%s train --report %s --against cifar10-valid 2>&1", supernet_bin(), study);
    CHECK(run_command(cmd, out, sizeof out) == 0 && strstr(out, "| cell-7581 | 7581 | 444444 | embedded | nb201-12 |") &&
              strstr(out, "| 27.14 |") && strstr(out, "2 cells compared"),
          "--report: %s", out);
    char png[1100];
    snprintf(png, sizeof png, "%s/comparison.png", study);
    CHECK(path_exists(png), "no comparison.png");
}

static void expect_usage_error(const char *args, const char *expect) {
    char cmd[2048], out[4096];
    snprintf(cmd, sizeof cmd, "%s train --logs %s %s 2>&1", supernet_bin(), logs, args);
    int status = run_command(cmd, out, sizeof out);
    int lines = 0;
    for (const char *p = out; *p; p++) lines += *p == '\n';
    CHECK(status == 2 && lines == 1 && strstr(out, expect), "'%s': status %d, %d lines: %s", args, status, lines, out);
}

static void test_bad_input(void) {
    char empty[1024], args[2048];
    expect_usage_error("--arch 15625", "out of range");
    expect_usage_error("--arch '|nor_conv_3x3~0|+|bogus~0|none~1|+|none~0|none~1|none~2|'", "bad architecture string");
    expect_usage_error("--arch 12x", "neither an architecture string");
    expect_usage_error("--arch 303109", "is not an op 0..4");
    expect_usage_error("", "exactly one of --arch, --from, --cells, --resume and --report");
    expect_usage_error("--cells 11472,99999", "out of range");
    expect_usage_error("--report /nonexistent", "cannot open the folder");
    snprintf(args, sizeof args, "--report %s --against mnist", logs);
    expect_usage_error(args, "not a benchmark dataset");
    expect_usage_error("--arch 1 --against cifar10", "--against goes with --report");
    expect_usage_error("--arch 1 --from /nonexistent", "exactly one of");
    expect_usage_error("--from /nonexistent/run", "summary.json");
    snprintf(empty, sizeof empty, "%s/empty", logs);
    mkdir(empty, 0755);
    snprintf(args, sizeof args, "--from %s", empty);
    expect_usage_error(args, "summary.json");
    snprintf(args, sizeof args, "%s/empty/summary.json", logs);
    write_text_file(args, "{\"arch\": \"|nor_conv_3x3~0|\"}\n");
    snprintf(args, sizeof args, "--from %s", empty);
    expect_usage_error(args, "no valid \"arch\"");
    expect_usage_error("--arch 1 --dataset cifar100", "needs a folder of its dataset");
    expect_usage_error("--arch 1 --dataset mnist", "--dataset");
    expect_usage_error("--arch 1 --set tau_max=3", "has no effect on this command");
    expect_usage_error("--arch 1 --set lr=abc", "lr = 'abc'");
    expect_usage_error("--arch 1 --recipe nb201-90", "--recipe");
    expect_usage_error("--resume /nonexistent/run", "checkpoint.bin");
    snprintf(args, sizeof args, "--resume %s/a --arch 1", logs);
    expect_usage_error(args, "exactly one of");
    snprintf(args, sizeof args, "--resume %s/a --epochs 3", logs);
    expect_usage_error(args, "--resume continues with the saved settings");
    snprintf(args, sizeof args, "--arch 11472 --run a --epochs 2");
    expect_usage_error(args, "already holds a run");
}

/* A run stopped before its first checkpoint (records begun, no checkpoint) starts again with the same command. */
static void test_restart_before_checkpoint(void) {
    char dir[1024], path[1100];
    snprintf(dir, sizeof dir, "%s/early", logs);
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/epochs.csv", dir);
    write_text_file(path, "epoch,seconds,lr,train_loss,train_acc,valid_loss,valid_acc,test_loss,test_acc\n");
    const char *const cell[] = {"--arch", "11472", "--epochs", "1", NULL};
    CHECK(wait_exit_status(spawn_train("early", cell)) == 0, "a run without a checkpoint was not started again");
    snprintf(path, sizeof path, "%s/summary.json", dir);
    CHECK(path_exists(path), "the restarted run did not finish");
}

int main(void) {
    make_temp_dir(logs, sizeof logs, "train");
    test_resume();
    test_learning_rates();
    test_from();
    test_cells_and_report();
    test_restart_before_checkpoint();
    test_bad_input();
    if (test_failures == 0) remove_tree(logs);
    TEST_EXIT();
}
