/*
 * ablation_mpi.c: an ablation spread over the ranks of an MPI job (ablation.h, ablation_run_mpi).
 *
 * The job is split into groups of `ranks_per_run` consecutive ranks. Each group's first rank claims
 * the next unfinished run, longest first, by taking an exclusive flock on the run's pid file in the
 * shared folder; the group then runs that search in this process, data-parallel over the group's
 * ranks, its output appended to <run>.log. No rank coordinates the others: the claims are the
 * schedule, so a group that finishes early simply claims the next run. A killed job leaves only
 * unheld locks, and a rerun continues as in one process (skip finished, resume checkpointed runs).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ablation/ablation.h"
#include "atomic_file.h"
#include "common.h"
#include "dist/dist.h"
#include "methods.h"
#include "run/config.h"
#include "run/run_dir.h"

/* Training images assumed for a config that uses all of them (the 25k search split). */
enum { ALL_TRAIN_IMAGES = 25000 };

typedef struct {
    int index;   /* into spec->runs */
    double cost; /* estimated work */
} RunCost;

static int is_finished(const char *dir) { return ablation_run_has(dir, RUN_SUMMARY_FILE); }

/* epochs x training images x the method's cost per image, from the run's own configuration. */
static double estimated_cost(const AblationSpec *s, const AblationRun *run) {
    const AblationCell *cell = &s->cells[run->cell];
    const Method *m = method_find(cell->method);
    char path[ABL_PATH + 2 * ABL_WORD + 16], name[2 * ABL_WORD + 8], assignment[2 * ABL_WORD + 2];
    ConfigState cs;
    config_init(&cs);
    if (s->profile[0]) ablation_config_path(s, cell->method, path, sizeof path);
    else method_config_name(cell->method, s->data[0] ? NULL : "quick", name, sizeof name),
         snprintf(path, sizeof path, "%s/%s", s->configs_dir, name);
    config_load_file(&cs, path);
    for (int i = 0; i < s->n_sets; i++) config_set(&cs, s->sets[i]);
    for (int i = 0; i < s->n_keys; i++)
        if (cell->values[i][0]) snprintf(assignment, sizeof assignment, "%s=%s", s->keys[i], cell->values[i]), config_set(&cs, assignment);
    double images = cs.c.train_images ? cs.c.train_images : ALL_TRAIN_IMAGES;
    double cost = cs.c.epochs * images * (m ? m->epoch_cost : 1);
    config_free(&cs);
    return cost;
}

static int longest_first(const void *a, const void *b) {
    const RunCost *x = a, *y = b;
    if (x->cost != y->cost) return x->cost < y->cost ? 1 : -1;
    return x->index - y->index; /* equal costs: file order */
}

/* The run's pid file, locked: the claim. Returns its descriptor, or -1 when another rank holds it. */
static int try_claim(const char *dir) {
    char path[ABL_PATH + 320], text[64];
    ablation_pid_path(dir, path, sizeof path);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) sn_die(SN_EXIT_USAGE, "%s: cannot open: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        SN_ASSERT(errno == EWOULDBLOCK, "%s: flock: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    int n = snprintf(text, sizeof text, "%d\n", (int)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t)n, 0) != n) sn_die(SN_EXIT_USAGE, "%s: cannot write: %s", path, strerror(errno));
    return fd;
}

/* The first run in `order` that is neither finished, nor tried by this group, nor held by another
 * rank; -1 when there is none. *claim gets the held pid file. */
static int claim_next(const AblationRunOptions *opt, const AblationSpec *s, const RunCost *order, char *tried, int *claim) {
    char dir[ABL_PATH + 300];
    for (int i = 0; i < s->n_runs; i++) {
        int r = order[i].index;
        if (tried[r]) continue;
        ablation_run_dir(opt, &s->runs[r], dir, sizeof dir);
        if (is_finished(dir)) {
            tried[r] = 1;
            continue;
        }
        int fd = try_claim(dir);
        if (fd < 0) continue; /* another group runs it */
        tried[r] = 1;
        if (is_finished(dir)) { /* finished while we looked */
            close(fd);
            continue;
        }
        *claim = fd;
        return r;
    }
    return -1;
}

/* While a run's output goes to its log: the terminal's stderr and the log's name, for a run that
 * dies (and takes the job with it). */
static struct {
    int terminal_err;
    char log[ABL_PATH + 400];
    SnDieHook next_hook;
} running;

/* The error of a dying run goes to the terminal, after a line naming its log. */
static void report_dying_run(void) {
    if (!dist_is_root()) { /* the group's other ranks keep theirs in the log: printed once */
        if (running.next_hook) running.next_hook();
        return;
    }
    fflush(stderr);
    dup2(running.terminal_err, 2);
    fprintf(stderr, "supernet ablate: MPI rank %d: the run logged in %s fails, and ends the job:\n", dist_world_rank(), running.log);
    if (running.next_hook) running.next_hook();
}

/* Runs the search in this process with stdout and stderr appended to <dir>.log. */
static int run_here(const AblationRunOptions *opt, const char *dir, AblationArgs *args) {
    snprintf(running.log, sizeof running.log, "%s.log", dir);
    fflush(stdout), fflush(stderr);
    int out = dup(1), fd = open(running.log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) sn_die(SN_EXIT_USAGE, "%s: cannot open: %s", running.log, strerror(errno));
    running.terminal_err = dup(2);
    dup2(fd, 1), dup2(fd, 2), close(fd);
    running.next_hook = sn_set_die_hook(report_dying_run);
    int status = opt->search_in_process(args->argc - 2, args->argv + 2);
    sn_set_die_hook(running.next_hook);
    fflush(stdout), fflush(stderr);
    dup2(out, 1), dup2(running.terminal_err, 2), close(out), close(running.terminal_err);
    return status;
}

static void sort_runs(const AblationSpec *s, RunCost *order) {
    for (int i = 0; i < s->n_runs; i++) order[i] = (RunCost){.index = i, .cost = estimated_cost(s, &s->runs[i])};
    qsort(order, (size_t)s->n_runs, sizeof *order, longest_first);
}

int ablation_run_mpi(const AblationSpec *s, const AblationRunOptions *opt) {
    int group_size = opt->ranks_per_run, world = dist_world_size(), failed = 0;
    char dir[ABL_PATH + 300], who[48];
    int group = dist_split(group_size), leader = dist_is_root();
    snprintf(who, sizeof who, "[ranks %d-%d]", group * group_size, (group + 1) * group_size - 1);
    if (dist_world_rank() == 0) ablation_take_folder(opt->out_dir);
    dist_world_barrier(); /* the folder exists and is ours before any group claims a run */
    RunCost *order = sn_alloc(sizeof *order * (size_t)s->n_runs);
    char *tried = sn_alloc((size_t)s->n_runs);
    memset(tried, 0, (size_t)s->n_runs);
    sort_runs(s, order);
    for (;;) {
        int r = -1, claim = -1;
        if (leader) r = claim_next(opt, s, order, tried, &claim);
        dist_broadcast(&r, sizeof r);
        if (r < 0) break;
        static AblationArgs args;
        ablation_run_dir(opt, &s->runs[r], dir, sizeof dir);
        int resume = leader ? ablation_prepare_run(s, opt, &s->runs[r], dir, &args) : 0;
        dist_broadcast(&args, sizeof args);
        for (int i = 0; i < args.argc; i++) args.argv[i] = args.text[i]; /* the leader's pointers mean nothing here */
        double started = sn_now();
        if (leader)
            printf("%s %s %s\n", who, resume ? "resume" : "start ", s->runs[r].name), fflush(stdout);
        int status = run_here(opt, dir, &args);
        if (!leader) continue;
        int ok = status == 0 && is_finished(dir);
        failed += !ok;
        if (ok) printf("%s done   %s (%.1f s)\n", who, s->runs[r].name, sn_now() - started);
        else printf("%s FAILED %s: exit status %d, see %s.log\n", who, s->runs[r].name, status, dir);
        fflush(stdout);
        char pid_file[sizeof dir + 8];
        ablation_pid_path(dir, pid_file, sizeof pid_file);
        if (ok) unlink(pid_file); /* still held, and the run finished: a later claim of it sees summary.json */
        close(claim);
    }
    sn_free(order);
    sn_free(tried);
    dist_split(world); /* one group again: every rank returns the job's count */
    double failures = failed;
    dist_sum_f64(&failures, 1);
    return (int)failures;
}
