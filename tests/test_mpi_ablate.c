/*
 * test_mpi_ablate.c: `mpirun -np 2 supernet ablate` (built only when CMake finds MPI), with the real
 * search on a tiny profile (DARTS-V1 and GDAS x seeds 1 and 2, 3 epochs of 48 images, one cell per
 * stage):
 *   - one run per rank: both ranks take runs, the longest (DARTS-V1) first; the whole job is killed
 *     with SIGKILL (mpirun and its ranks) after the first checkpoint; the rerun skips the finished
 *     runs, resumes the killed ones and runs the rest, so that every run is done exactly once (one
 *     "done" line over both jobs, each epoch once in its records) and the summary has 2/2 seeds;
 *   - --ranks-per-run 2: every run data-parallel on both ranks;
 *   - --ranks-per-run that does not divide the ranks, or without mpirun: exit 2, one line.
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

#include "mpi_job.h"
#include "test_util.h"
#include "testlib.h"

enum { EPOCHS = 3 };
static const char *const RUNS[4] = {"darts-v1-s1", "darts-v1-s2", "gdas-s1", "gdas-s2"};
static char root[256], first_out[1 << 16], out[1 << 16];

/* `[mpirun] supernet ablate tiny.cfg --out <root>/<folder> EXTRA`, both streams to `output` ("2>&1": the caller's). */
static void ablate_cmd(char *cmd, size_t len, const char *mpirun, const char *folder, const char *extra, const char *output) {
    snprintf(cmd, len, "%s '%s' ablate %s/configs/ablations/tiny.cfg --out %s/%s --threads 1 %s %s", mpirun, supernet_bin(),
             root, root, folder, extra, output);
}

static int file_exists(const char *folder, const char *run, const char *file) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/runs/%s/%s", root, folder, run, file);
    return access(path, F_OK) == 0;
}

static int count(const char *text, const char *needle) {
    int n = 0;
    for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle)) n++;
    return n;
}

/* Starts the 2-rank ablation, waits for the first checkpoint, kills mpirun and both ranks. */
static void run_and_kill(void) {
    char cmd[4096], log[600], output[700], launcher[1100];
    snprintf(log, sizeof log, "%s/first.log", root);
    snprintf(output, sizeof output, "> %s 2>&1", log);
    snprintf(launcher, sizeof launcher, "exec %s", mpirun_2_ranks()); /* the shell becomes mpirun */
    ablate_cmd(cmd, sizeof cmd, launcher, "sweep", "", output);
    pid_t job = spawn_shell(cmd), ranks[8];
    int seen = 0;
    for (int i = 0; i < 12000 && !seen; i++) { /* up to 120 s: a bound on waiting, not a timing check */
        nanosleep(&(struct timespec){0, 10000000}, NULL);
        for (int r = 0; r < 4; r++) seen |= file_exists("sweep", RUNS[r], "checkpoint.bin");
    }
    CHECK(seen, "no run wrote a checkpoint: %s", read_text_file(log));
    int n = children_of(job, ranks, 8);
    CHECK(n == 2, "%d ranks found under mpirun", n);
    for (int i = 0; i < n; i++) kill(ranks[i], SIGKILL);
    kill(job, SIGKILL);
    waitpid(job, NULL, 0);
    for (int i = 0; i < n; i++) CHECK(process_ends_within(ranks[i], 60000), "rank process %d outlived the job", (int)ranks[i]);
    snprintf(first_out, sizeof first_out, "%s", read_text_file(log));
}

/* Each epoch of the run once in its records. */
static void check_records(const char *run) {
    char path[1024], line[8];
    snprintf(path, sizeof path, "%s/sweep/runs/%s/epochs.csv", root, run);
    const char *csv = read_text_file(path);
    for (int e = 0; e < EPOCHS; e++) {
        snprintf(line, sizeof line, "\n%d,", e);
        CHECK(count(csv, line) == 1, "%s: epoch %d appears %d times:\n%s", run, e, count(csv, line), csv);
    }
}

static void check_sweep(void) {
    char cmd[4096], path[600], done[128];
    run_and_kill();
    CHECK(strstr(first_out, "[ranks 0-0] start") && strstr(first_out, "[ranks 1-1] start"), "not both ranks took a run:\n%s",
          first_out);
    const char *a = strstr(first_out, "start  darts-v1-s1"), *b = strstr(first_out, "start  darts-v1-s2");
    const char *g1 = strstr(first_out, "start  gdas-s1"), *g2 = strstr(first_out, "start  gdas-s2");
    CHECK(a && b && (!g1 || g1 > a) && (!g2 || g2 > b), "the longest runs (DARTS-V1) did not start first:\n%s", first_out);
    ablate_cmd(cmd, sizeof cmd, mpirun_2_ranks(), "sweep", "", "2>&1");
    int rc = run_command(cmd, out, sizeof out);
    CHECK(rc == 0, "rerun: status %d:\n%s", rc, out);
    CHECK(strstr(out, "resume"), "the rerun resumed no run:\n%s", out);
    for (int r = 0; r < 4; r++) {
        snprintf(done, sizeof done, "done   %s ", RUNS[r]);
        int times = count(first_out, done) + count(out, done);
        CHECK(times == 1, "%s done %d times:\n%s\n---\n%s", RUNS[r], times, first_out, out);
        CHECK(file_exists("sweep", RUNS[r], "summary.json"), "%s has no summary", RUNS[r]);
        check_records(RUNS[r]);
    }
    snprintf(path, sizeof path, "%s/sweep/summary.md", root);
    const char *md = read_text_file(path);
    CHECK(strstr(md, "| darts-v1 | 2/2 |") && strstr(md, "| gdas | 2/2 |"), "summary:\n%s", md);
    CHECK(count(out, "wrote ") == 1, "the summary was reported %d times:\n%s", count(out, "wrote "), out);
    snprintf(path, sizeof path, "%s/sweep/runs", root);
    snprintf(cmd, sizeof cmd, "ls %s | grep -c '\\.pid$'", path);
    run_command(cmd, out, sizeof out);
    CHECK(atoi(out) == 0, "pid files left behind: %s", out);
}

static void check_groups(void) {
    char cmd[4096], path[1024];
    ablate_cmd(cmd, sizeof cmd, mpirun_2_ranks(), "groups", "--ranks-per-run 2", "2>&1");
    int rc = run_command(cmd, out, sizeof out);
    CHECK(rc == 0 && count(out, "[ranks 0-1] done") == 4, "--ranks-per-run 2: status %d:\n%s", rc, out);
    snprintf(path, sizeof path, "%s/groups/runs/gdas-s1.log", root);
    const char *log = read_text_file(path);
    CHECK(strstr(log, "2 MPI ranks: every checkpoint identical on all ranks"),
          "the run was not data-parallel:\n%s", log);
}

static int lines(const char *text) {
    int n = 0;
    for (const char *p = text; *p; p++) n += *p == '\n';
    return n;
}

static void check_usage_errors(void) {
    char cmd[4096];
    ablate_cmd(cmd, sizeof cmd, mpirun_2_ranks(), "bad", "--ranks-per-run 3", "2>&1");
    int rc = run_command(cmd, out, sizeof out);
    CHECK(rc == 2 && lines(out) == 1 && strstr(out, "--ranks-per-run 3") && strstr(out, "2 MPI ranks"),
          "indivisible ranks: status %d:\n%s", rc, out);
    ablate_cmd(cmd, sizeof cmd, "", "bad", "--ranks-per-run 2", "2>&1");
    rc = run_command(cmd, out, sizeof out);
    CHECK(rc == 2 && lines(out) == 1 && strstr(out, "needs mpirun"), "--ranks-per-run without mpirun: status %d:\n%s", rc, out);
}

int main(void) {
    make_temp_dir(root, sizeof root, "mpi_ablate");
    static const char *const methods[2] = {"darts-v1", "gdas"};
    CHECK(write_tiny_ablation(root, methods, 2, "profile = tiny\nset = epochs=3\nset = train_images=48\nset = valid_images=48\n"
                                                "set = batch_size=16\nset = cells=1\nset = valid_pass=0\n[grid]\n"
                                                "methods = gdas, darts-v1\nseeds = 1, 2\n") == 0, "cannot write the configs");
    check_usage_errors();
    check_sweep();
    check_groups();
    if (test_failures == 0) remove_tree(root);
    TEST_EXIT();
}
