/*
 * test_mpi_search.c: data-parallel search under `mpirun -np 2` (built only when CMake finds MPI).
 *
 *   - every weight-sharing method, a 2-epoch tiny search, 2 ranks against 1 process (sync_bn = 1):
 *     losses within LOSS_RTOL, accuracies within 2 images, the same cells (an edge may differ only
 *     where both runs' probabilities of the two ops are within P_TIE, a tie that rounding decides),
 *     and the 2-rank run's proof that every checkpoint was identical on both ranks;
 *   - sync_bn = 0: the ranks stay identical, and the step differs from one process's;
 *   - every strategy: SIGKILL of one rank (mpirun must end the job, no hang) or of both, alternately,
 *     after the first checkpoint, then --resume under 2 ranks: the records of the uninterrupted 2-rank
 *     run exactly;
 *   - `bench --mode gdas --profile` under 2 ranks runs and reports its allreduces;
 *   - a batch the ranks cannot split and a resume under another number of ranks: exit 2, one line.
 *
 *   - one weight step, 2 ranks against 1 process, on the DARTS, unrolled DARTS-V2, GDAS and discrete
 *     paths: every loss of the record within STEP_RTOL (measured: about 1e-7), every weight, weight
 *     gradient and dalpha within GRAD_SCALE_TOL of its tensor's scale;
 * Why tolerances: one step agrees with the 1-process step to float rounding (about 1e-7), but the
 * tiny runs are short and noisy (batch 16, lr 0.025): over the 6 steps of 2 epochs the rounding grows
 * to about 1e-3 in the losses (measured; RSPS valid loss 1.3e-3 at most).
 */
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

#include "methods.h"
#include "mpi_job.h"
#include "run/checkpoint.h"
#include "run/epochs_csv.h"
#include "test_util.h"
#include "testlib.h"

#define LOSS_RTOL 3e-3
#define STEP_RTOL 1e-6
#define GRAD_SCALE_TOL 1e-5
#define GROUP_TOL 1e-6
#define ALPHA_TOL 1e-2
#define P_TIE 1e-4
#define TINY_IMAGES 48

/* Everything of the tiny runs but their size (train_images, epochs, batch_size), which some checks set themselves. */
#define TINY_SETTINGS "--set cells=1 --set valid_images=48 " \
                          "--set valid_batch=16 --seed 7 --threads 1 --set select_num=5 " \
                          "--set final_select_num=7 --set controller_train_steps=3 --set controller_num_aggregate=4 " \
                          /* the reference's rates and modes, not the quick profiles' (whose large rates \
                           * turn float rounding into different cells) */ \
                          "--set arch_lr=0.0003 --set tau_max=10 --set controller_lr=0.001 --set valid_pass=1 " \
                          "--set select_common=0 --set eval_bn_batch_stats=0"
#define TINY_SIZE(epochs) "--set train_images=48 --set batch_size=16 --set epochs=" #epochs " " TINY_SETTINGS
static const char *TINY = TINY_SIZE(2);

static char logs[512];

/* Runs `[mpirun] supernet search ARGS`, its stdout and stderr into out; returns the exit status. */
static int search(int ranks, const char *args, char *out, size_t cap) {
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%s '%s' search %s 2>&1", ranks > 1 ? mpirun_2_ranks() : "", supernet_bin(), args);
    return run_command(cmd, out, cap);
}

static int read_run(const char *run, RunEpochs *log) {
    char dir[1024], err[512];
    snprintf(dir, sizeof dir, "%s/%s", logs, run);
    int rc = epochs_csv_read(dir, log, err, sizeof err);
    CHECK(rc == 0, "%s", err);
    return rc;
}

static int both_nan_or_close(double a, double b, double atol, double rtol) {
    if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
    return fabs(a - b) <= atol + rtol * fabs(a);
}

/* Edge e's ops differ between the runs: allowed only as a tie of those two ops in both runs. */
static int tie_on_edge(const EpochRecord *a, const EpochRecord *b, int e, int op_a, int op_b) {
    return !isnan(a->p[e][0]) && fabs(a->p[e][op_a] - a->p[e][op_b]) <= P_TIE &&
           fabs(b->p[e][op_a] - b->p[e][op_b]) <= P_TIE;
}

/* The train, arch and valid losses of a (1 process) and b (2 ranks) within rtol. */
static void compare_losses(const char *method, const EpochRecord *a, const EpochRecord *b, double rtol) {
    const double la[3] = {a->train_loss, a->arch_loss, a->valid_loss}, lb[3] = {b->train_loss, b->arch_loss, b->valid_loss};
    for (int k = 0; k < 3; k++)
        CHECK(both_nan_or_close(la[k], lb[k], 0, rtol), "%s epoch %d: loss %d is %.9g on 2 ranks, %.9g in 1 process", method,
              a->epoch, k, lb[k], la[k]);
}

static void compare_epoch(const char *method, const EpochRecord *a, const EpochRecord *b) {
    const double acc_tol = 100.0 * 2 / TINY_IMAGES + 1e-9;
    const double aa[3] = {a->train_acc, a->arch_acc, a->valid_acc}, ab[3] = {b->train_acc, b->arch_acc, b->valid_acc};
    compare_losses(method, a, b, LOSS_RTOL);
    for (int k = 0; k < 3; k++)
        CHECK(both_nan_or_close(aa[k], ab[k], acc_tol, 0), "%s epoch %d: accuracy %d is %.4f on 2 ranks, %.4f in 1 process",
              method, a->epoch, k, ab[k], aa[k]);
    Arch ca = arch_from_code(a->code), cb = arch_from_code(b->code);
    for (int e = 0; e < ARCH_N_EDGES; e++)
        CHECK(ca.op[e] == cb.op[e] || tie_on_edge(a, b, e, ca.op[e], cb.op[e]),
              "%s epoch %d: edge %d is op %d on 2 ranks, op %d in 1 process (p %.9g / %.9g)", method, a->epoch, e, cb.op[e],
              ca.op[e], b->p[e][cb.op[e]], a->p[e][ca.op[e]]);
}

static void check_method(const char *method) {
    static char out[1 << 16];
    char args[2048];
    snprintf(args, sizeof args, "--method %s %s --logs %s --run %s-1p --quiet", method, TINY, logs, method);
    CHECK(search(1, args, out, sizeof out) == 0, "%s, 1 process: %s", method, out);
    snprintf(args, sizeof args, "--method %s %s --logs %s --run %s-2r --quiet", method, TINY, logs, method);
    CHECK(search(2, args, out, sizeof out) == 0, "%s, 2 ranks: %s", method, out);
    CHECK(strstr(out, "2 MPI ranks: every checkpoint identical on all ranks") != NULL, "%s: no proof that the ranks agree: %s",
          method, out);
    char run[256];
    RunEpochs one, two;
    snprintf(run, sizeof run, "%s-1p", method);
    if (read_run(run, &one)) return;
    snprintf(run, sizeof run, "%s-2r", method);
    if (read_run(run, &two)) {
        run_epochs_free(&one);
        return;
    }
    CHECK(one.n == 2 && two.n == 2, "%s: %d and %d records", method, one.n, two.n);
    for (int i = 0; i < one.n && i < two.n; i++) compare_epoch(method, &one.rec[i], &two.rec[i]);
    run_epochs_free(&one), run_epochs_free(&two);
}

static double max_abs(const float *a, size_t n) {
    double m = 0;
    for (size_t i = 0; i < n; i++) m = fabs(a[i]) > m ? fabs(a[i]) : m;
    return m;
}

/* max |a - b| over a tensor's n floats within GRAD_SCALE_TOL of its scale (max |a|) plus GROUP_TOL of
 * its group's (every weight, or every weight gradient): a tensor whose true value is 0 (the gradient of
 * a BN shift that the next BN cancels) holds rounding noise alone. */
static void compare_tensor(const char *what, const char *name, const float *a, const float *b, size_t n, double group) {
    double diff = 0, scale = max_abs(a, n);
    for (size_t i = 0; i < n; i++) diff = fabs(a[i] - b[i]) > diff ? fabs(a[i] - b[i]) : diff;
    CHECK(diff <= GRAD_SCALE_TOL * scale + GROUP_TOL * group, "%s %s: max difference %.3g against a scale of %.3g (group %.3g)",
          what, name, diff, scale, group);
}

/* Every weight tensor's entry "<prefix>.<name>" of both checkpoints against each other. */
static void compare_weight_entries(const char *method, Checkpoint *const ck[2], Supernet *net, const char *prefix) {
    size_t total = supernet_weights_floats(net), at = 0;
    float *v[2] = {sn_alloc(total * sizeof(float)), sn_alloc(total * sizeof(float))};
    char name[160];
    for (int i = 0; i < supernet_num_tensors(net); i++) {
        const TensorInfo *t = supernet_tensor(net, i);
        if (t->kind != TENSOR_WEIGHT) continue;
        snprintf(name, sizeof name, "%s.%s", prefix, t->name);
        for (int k = 0; k < 2; k++) ckpt_get_f32(ck[k], name, t->ndims, t->dims, v[k] + at);
        at += t->count;
    }
    double group = max_abs(v[0], at);
    at = 0;
    for (int i = 0; i < supernet_num_tensors(net); i++) {
        const TensorInfo *t = supernet_tensor(net, i);
        if (t->kind != TENSOR_WEIGHT) continue;
        snprintf(name, sizeof name, "%s.%s", prefix, t->name);
        compare_tensor(method, name, v[0] + at, v[1] + at, t->count, group);
        at += t->count;
    }
    sn_free(v[0]), sn_free(v[1]);
}

/* The two runs' checkpoints after their one step: the weights, and the gradients through the first
 * step's optimizer state (SGD's momentum = g + decay w, Adam's first moment = (1 - beta1)(dalpha + decay
 * alpha), both from the same starting values). dalpha gets ALPHA_TOL: it is a difference of large,
 * nearly equal sums (softmax's, GDAS's straight-through), so float rounding alone moves it by 1e-3
 * of its scale (the engine against float64 PyTorch: 4.4e-3, search/strategies/README.md). */
static void compare_step_checkpoints(const char *method, const char *run1, const char *run2) {
    char path[1024];
    Checkpoint *ck[2];
    const char *runs[2] = {run1, run2};
    for (int k = 0; k < 2; k++) snprintf(path, sizeof path, "%s/%s/checkpoint.bin", logs, runs[k]), ck[k] = ckpt_read(path);
    SupernetConfig nc = {.channels = 16, .cells = 1, .classes = 10, .in_channels = 3, .image_size = 32, .max_batch = 1,
                         .max_eval_batch = 1, .seed = 1};
    Supernet *net = supernet_create(&nc); /* the quick profiles' network with cells = 1: its tensor names */
    compare_weight_entries(method, ck, net, "net");
    compare_weight_entries(method, ck, net, "sgd_momentum");
    if (ckpt_has(ck[0], "arch.adam_m")) {
        const int dims[2] = {ARCH_N_EDGES, ARCH_N_OPS};
        float m[2][ARCH_N_EDGES * ARCH_N_OPS];
        for (int k = 0; k < 2; k++) ckpt_get_f32(ck[k], "arch.adam_m", 2, dims, m[k]);
        double scale = max_abs(m[0], ARCH_N_EDGES * ARCH_N_OPS);
        compare_tensor(method, "arch.adam_m (dalpha)", m[0], m[1], ARCH_N_EDGES * ARCH_N_OPS, ALPHA_TOL / GROUP_TOL * scale);
    }
    supernet_free(net);
    ckpt_free(ck[0]), ckpt_free(ck[1]);
}

/* One weight step (16 images, 1 epoch) on 2 ranks and in 1 process: every loss of the record within
 * STEP_RTOL, every weight, weight gradient and dalpha within GRAD_SCALE_TOL of its tensor's scale (the
 * ranks' own agreement is the checkpoint digest). The arch loss and the valid pass come after the step,
 * so they carry its gradients too. */
static void check_one_step(const char *method) {
    static char out[1 << 16];
    char args[2048], run[2][256];
    RunEpochs log[2];
    for (int ranks = 1; ranks <= 2; ranks++) {
        snprintf(run[ranks - 1], sizeof run[0], "%s-step%d", method, ranks);
        snprintf(args, sizeof args, "--method %s " TINY_SETTINGS " --set batch_size=16 --set train_images=16 --set epochs=1 --logs %s --run %s --quiet",
                 method, logs, run[ranks - 1]);
        CHECK(search(ranks, args, out, sizeof out) == 0, "%s one step, %d rank(s): %s", method, ranks, out);
    }
    if (read_run(run[0], &log[0])) return;
    if (read_run(run[1], &log[1]) == 0) {
        compare_losses(run[1], &log[0].rec[0], &log[1].rec[0], STEP_RTOL);
        compare_step_checkpoints(method, run[0], run[1]);
        run_epochs_free(&log[1]);
    }
    run_epochs_free(&log[0]);
}

/* sync_bn = 0: each rank normalises with its own share; the run still ends with identical ranks
 * (the running statistics are rank 0's after every epoch) and its first step differs from the
 * 1-process step (the statistics of 8 images instead of 16). */
static void check_unsynced_bn(const char *method) {
    static char out[1 << 16];
    char args[2048], run[256];
    snprintf(run, sizeof run, "%s-unsynced", method);
    snprintf(args, sizeof args, "--method %s %s --set sync_bn=0 --logs %s --run %s --quiet", method, TINY, logs, run);
    CHECK(search(2, args, out, sizeof out) == 0, "%s, sync_bn = 0: %s", method, out);
    CHECK(strstr(out, "2 MPI ranks: every checkpoint identical on all ranks") != NULL, "%s, sync_bn = 0: %s", method, out);
    RunEpochs one, two;
    snprintf(args, sizeof args, "%s-1p", method);
    if (read_run(args, &one)) return;
    if (read_run(run, &two) == 0) {
        CHECK(fabs(one.rec[0].arch_loss - two.rec[0].arch_loss) > 1e-4, "%s, sync_bn = 0: the same arch loss %.9g as one "
              "process", method, two.rec[0].arch_loss);
        run_epochs_free(&two);
    }
    run_epochs_free(&one);
}

/* ---------------------------------------------------------------------------------------------
 * Kill and resume under 2 ranks */

static int exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

/* epochs.csv without its seconds column (the one value a resumed run may differ in). */
static void records_without_seconds(const char *run, char *out, size_t cap) {
    char path[1024], line[8192];
    snprintf(path, sizeof path, "%s/%s/epochs.csv", logs, run);
    FILE *f = fopen(path, "r");
    size_t used = 0;
    out[0] = '\0';
    CHECK(f != NULL, "cannot open %s", path);
    while (f && fgets(line, sizeof line, f)) {
        char *a = strchr(line, ','), *b = a ? strchr(a + 1, ',') : NULL;
        if (a && b) memmove(a, b, strlen(b) + 1);
        used += (size_t)snprintf(out + used, cap - used, "%s", line);
    }
    if (f) fclose(f);
}

static pid_t spawn_job(const char *args) {
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "exec %s '%s' search %s > /dev/null 2>&1", mpirun_2_ranks(), supernet_bin(), args);
    return spawn_shell(cmd);
}

/* Waits up to 60 s for the job to end; returns 1 if it did (no hang). */
static int job_ends(pid_t pid, int *status) {
    struct timespec pause = {0, 10000000};
    for (int i = 0; i < 6000; i++, nanosleep(&pause, NULL))
        if (waitpid(pid, status, WNOHANG) == pid) return 1;
    return 0;
}

/* SIGKILL of `victims` of the 2-rank job's ranks (1: one rank dies, mpirun must end the job; 2: the
 * whole job) after its first checkpoint, then --resume under 2 ranks: the records of an uninterrupted
 * 2-rank run. */
static void check_kill_resume(const char *method, int victims) {
    static char out[1 << 16], whole[1 << 16], resumed[1 << 16];
    char args[2048], ckpt[1024], run[256];
    snprintf(run, sizeof run, "%s-killed", method);
    snprintf(args, sizeof args, "--method %s " TINY_SIZE(3) " --logs %s --run %s --quiet", method, logs, run);
    snprintf(ckpt, sizeof ckpt, "%s/%s/checkpoint.bin", logs, run);
    pid_t pid = spawn_job(args), ranks[8];
    struct timespec pause = {0, 2000000};
    for (int i = 0; i < 30000 && !exists(ckpt); i++) nanosleep(&pause, NULL);
    int n = children_of(pid, ranks, 8), status;
    CHECK(n == 2, "%s: %d ranks found under mpirun", method, n);
    for (int i = 0; i < victims && i < n; i++) kill(ranks[i], SIGKILL);
    if (!job_ends(pid, &status)) {
        CHECK(0, "%s: the job still runs 60 s after %d of its ranks died", method, victims);
        kill(pid, SIGKILL), waitpid(pid, &status, 0);
    }
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) != 0, "%s: mpirun's status %d after a rank died", method, status);
    for (int i = 0; i < n; i++) CHECK(process_ends_within(ranks[i], 5000), "%s: rank process %d outlived the job", method, (int)ranks[i]);
    snprintf(args, sizeof args, "--resume %s/%s --quiet --threads 1", logs, run);
    CHECK(search(2, args, out, sizeof out) == 0, "%s: resume under 2 ranks: %s", method, out);
    snprintf(args, sizeof args, "--method %s " TINY_SIZE(3) " --logs %s --run %s-whole --quiet", method, logs, method);
    CHECK(search(2, args, out, sizeof out) == 0, "%s: uninterrupted 2-rank run: %s", method, out);
    snprintf(run, sizeof run, "%s-whole", method);
    records_without_seconds(run, whole, sizeof whole);
    snprintf(run, sizeof run, "%s-killed", method);
    records_without_seconds(run, resumed, sizeof resumed);
    CHECK(strcmp(whole, resumed) == 0, "%s: killed + resumed records differ:\n%s\n---\n%s", method, resumed, whole);
}

/* ---------------------------------------------------------------------------------------------
 * Usage errors */

static void check_usage_errors(void) {
    static char out[1 << 16];
    char args[2048];
    snprintf(args, sizeof args, "--method gdas " TINY_SETTINGS " --set train_images=48 --set epochs=2 --set batch_size=15 "
             "--logs %s --run odd --quiet", logs);
    int rc = search(2, args, out, sizeof out);
    CHECK(rc == 2 && count_lines(out) == 1 && strstr(out, "batch_size = 15") && strstr(out, "2 MPI ranks"),
          "indivisible batch: status %d, output:\n%s", rc, out);
    snprintf(args, sizeof args, "--resume %s/gdas-1p --quiet --threads 1", logs);
    rc = search(2, args, out, sizeof out);
    CHECK(rc == 2 && count_lines(out) == 1 && strstr(out, "made by 1 MPI rank"), "resume under 2 ranks of a 1-process run: "
          "status %d, output:\n%s", rc, out);
}

/* bench's network modes under 2 ranks: the data-parallel steps run and report their allreduces. */
static void check_bench(void) {
    static char out[1 << 16];
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s '%s' bench --mode gdas --batch 8 --steps 1 --threads 1 --profile 2>&1", mpirun_2_ranks(),
             supernet_bin());
    int rc = run_command(cmd, out, sizeof out);
    CHECK(rc == 0 && strstr(out, "1 threads x 2 rank(s)") && strstr(out, "allreduce, gradients"), "bench under 2 ranks: "
          "status %d:\n%s", rc, out);
}

int main(void) {
    make_temp_dir(logs, sizeof logs, "mpi_search");
    for (int i = 0; i < N_METHODS; i++)
        if (METHODS[i].kind == METHOD_WEIGHT_SHARING) check_method(METHODS[i].name);
    const char *const one_step[] = {"darts-v1", "darts-v2", "gdas", "rsps"}; /* DARTS, unrolled, GDAS, discrete paths */
    for (int i = 0; i < 4; i++) check_one_step(one_step[i]);
    check_unsynced_bn("darts-v1");
    /* every strategy: one rank killed (mpirun must end the job) or the whole job, alternately */
    for (int i = 0, k = 0; i < N_METHODS; i++)
        if (METHODS[i].kind == METHOD_WEIGHT_SHARING) check_kill_resume(METHODS[i].name, 1 + k++ % 2);
    check_usage_errors();
    check_bench();
    if (test_failures == 0) remove_tree(logs);
    TEST_EXIT();
}
