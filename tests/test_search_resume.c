/*
 * test_search_resume.c: every weight-sharing strategy, on a tiny configuration (C = 16, N = 1, 48
 * search-train and 48 search-valid images of the embedded data, batch 16, 2 epochs, fixed seed; RSPS,
 * SETN and ENAS score 5 candidates per epoch and 7 after the last, ENAS trains its controller on 3 x 4
 * samples per epoch), run through the `supernet` binary:
 *   - a rerun writes exactly the same records (epochs.csv and epochs.jsonl without `seconds`);
 *   - a run killed with SIGKILL right after its first checkpoint, then `--resume`d, writes exactly
 *     the records of the uninterrupted run, and its summary.json (all on 1 thread: fast for a tiny
 *     network and immune to a busy machine);
 *   - the run directory holds config.cfg (reloadable) and the CSV header of run/epoch_record.h.
 * All of it once more with precision = bf16 (the bf16 convolutions) on a CPU that has them; skipped,
 * saying why, elsewhere.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conv.h"
#include "test_util.h"
#include "methods.h"
#include "testlib.h"

static const char *const TINY[] = {"--set", "cells=1", "--set", "train_images=48", "--set", "valid_images=48", "--set",
                                   "epochs=2", "--set", "batch_size=16", "--set", "valid_batch=16", "--seed", "7", "--quiet", "--threads", "1",
                                   /* RSPS, SETN, ENAS: few candidates and controller samples */
                                   "--set", "select_num=5", "--set", "final_select_num=7", "--set",
                                   "controller_train_steps=3", "--set", "controller_num_aggregate=4"};
enum { N_TINY = sizeof TINY / sizeof TINY[0] };

static char logs[512];
static const char *precision = "fp32"; /* --set precision=... of every new run */

/* Starts `supernet search ...` with stdout to /dev/null; returns its pid. resume != NULL: --resume it. */
static pid_t spawn(const char *method, const char *run, const char *resume) {
    char *argv[64];
    int n = 0;
    argv[n++] = (char *)supernet_bin(), argv[n++] = "search";
    if (resume) { /* same thread count: oneDNN's results can differ in the last bits between thread counts */
        argv[n++] = "--resume", argv[n++] = (char *)resume, argv[n++] = "--quiet", argv[n++] = "--threads", argv[n++] = "1";
    } else {
        argv[n++] = "--method", argv[n++] = (char *)method, argv[n++] = "--logs", argv[n++] = logs;
        argv[n++] = "--run", argv[n++] = (char *)run;
        for (int i = 0; i < N_TINY; i++) argv[n++] = (char *)TINY[i];
        static char set_precision[32];
        snprintf(set_precision, sizeof set_precision, "precision=%s", precision);
        argv[n++] = "--set", argv[n++] = set_precision;
    }
    argv[n] = NULL;
    return spawn_quiet(argv);
}

static void compare_runs(const char *method, const char *run_a, const char *run_b, const char *what) {
    static char a[1 << 16], b[1 << 16];
    const char *files[] = {"epochs.csv", "epochs.jsonl"};
    for (int i = 0; i < 2; i++) {
        char pa[1024], pb[1024];
        snprintf(pa, sizeof pa, "%s/%s/%s", logs, run_a, files[i]), snprintf(pb, sizeof pb, "%s/%s/%s", logs, run_b, files[i]);
        read_without_seconds(pa, a, sizeof a), read_without_seconds(pb, b, sizeof b);
        int lines = 0;
        for (const char *p = a; *p; p++) lines += *p == '\n';
        CHECK(lines == (i == 0 ? 3 : 2), "%s %s: %d lines in %s", method, what, lines, pa);
        CHECK(strcmp(a, b) == 0, "%s %s: %s differs from %s:\n%s\n---\n%s", method, what, pb, pa, b, a);
    }
}

static void kill_after_first_checkpoint(const char *method, const char *run) {
    char ckpt[1024], summary[1024];
    snprintf(ckpt, sizeof ckpt, "%s/%s/checkpoint.bin", logs, run);
    snprintf(summary, sizeof summary, "%s/%s/summary.json", logs, run);
    CHECK(kill_once_file_exists(spawn(method, run, NULL), ckpt), "%s: the child was not killed mid-run", method);
    CHECK(path_exists(ckpt) && !path_exists(summary), "%s: killed run should have a checkpoint and no summary", method);
}

static void test_method(const char *method) {
    char a[64], b[64], k[64], dir[1024];
    snprintf(a, sizeof a, "%s-%s-a", method, precision), snprintf(b, sizeof b, "%s-%s-b", method, precision);
    snprintf(k, sizeof k, "%s-%s-k", method, precision);
    CHECK(wait_exit_status(spawn(method, a, NULL)) == 0, "%s: first run failed", method);
    CHECK(wait_exit_status(spawn(method, b, NULL)) == 0, "%s: rerun failed", method);
    compare_runs(method, a, b, "rerun");
    kill_after_first_checkpoint(method, k);
    snprintf(dir, sizeof dir, "%s/%s", logs, k);
    CHECK(wait_exit_status(spawn(method, NULL, dir)) == 0, "%s: resume failed", method);
    compare_runs(method, a, k, "kill + resume");
    char summary[1100];
    snprintf(summary, sizeof summary, "%s/summary.json", dir);
    CHECK(path_exists(summary), "%s: no summary after resume", method);
    static char before[4096], after[4096];
    read_without_seconds(summary, before, sizeof before);
    CHECK(wait_exit_status(spawn(method, NULL, dir)) == 0, "%s: resuming a finished run should say so and exit 0", method);
    /* a run stopped between its last checkpoint and its summary: resume writes the same summary */
    CHECK(unlink(summary) == 0, "%s: cannot remove %s", method, summary);
    CHECK(wait_exit_status(spawn(method, NULL, dir)) == 0, "%s: resume without a summary failed", method);
    read_without_seconds(summary, after, sizeof after);
    CHECK(strcmp(before, after) == 0, "%s: rewritten summary differs:\n%s\n---\n%s", method, after, before);
}

static void test_run_directory(void) {
    char path[1024], line[4096];
    snprintf(path, sizeof path, "%s/gdas-fp32-a/epochs.csv", logs);
    FILE *f = fopen(path, "r");
    CHECK(f && fgets(line, sizeof line, f), "cannot read %s", path);
    CHECK(strncmp(line, "epoch,seconds,lr,tau,train_loss,train_acc,arch_loss,arch_acc,valid_loss,valid_acc,kendall_tau,spearman_rho,arch,index,"
                        "cifar10_valid,cifar10_test,cifar100_valid,cifar100_test,imagenet16_valid,imagenet16_test,"
                        "p_e0_none,p_e0_skip_connect,p_e0_nor_conv_1x1,p_e0_nor_conv_3x3,p_e0_avg_pool_3x3,p_e1_none",
                  strlen("epoch,seconds,lr,tau,train_loss,train_acc,arch_loss,arch_acc,valid_loss,valid_acc,kendall_tau,spearman_rho,arch,index,"
                         "cifar10_valid,cifar10_test,cifar100_valid,cifar100_test,imagenet16_valid,imagenet16_test,"
                         "p_e0_none,p_e0_skip_connect,p_e0_nor_conv_1x1,p_e0_nor_conv_3x3,p_e0_avg_pool_3x3,p_e1_none")) == 0,
          "header: %s", line);
    CHECK(strstr(line, "p_e5_avg_pool_3x3\n") != NULL, "header ends with p_e5_avg_pool_3x3: %s", line);
    if (f) fclose(f);
    /* config.cfg reloads with --config and reproduces the run */
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' search --config %s/gdas-fp32-a/config.cfg --logs %s --run gdas-c --quiet --threads 1 > /dev/null", supernet_bin(), logs, logs);
    CHECK(system(cmd) == 0, "rerun from config.cfg failed");
    compare_runs("gdas", "gdas-fp32-a", "gdas-c", "config.cfg rerun");
}

int main(void) {
    snprintf(logs, sizeof logs, "/tmp/sn_test_search_resume.%d", (int)getpid());
    for (int i = 0; i < N_METHODS; i++)
        if (METHODS[i].kind == METHOD_WEIGHT_SHARING) test_method(METHODS[i].name);
    test_run_directory();
    if (conv_bf16_supported()) {
        precision = "bf16";
        for (int i = 0; i < N_METHODS; i++)
            if (METHODS[i].kind == METHOD_WEIGHT_SHARING) test_method(METHODS[i].name);
    } else {
        printf("test_search_resume: the bf16 runs skipped: this CPU has no AVX-512 BF16 or AMX\n");
    }
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", logs);
    if (test_failures == 0 && system(cmd) != 0) fprintf(stderr, "could not remove %s\n", logs);
    TEST_EXIT();
}
