/*
 * ablation_run.c: runs an ablation's runs in order (ablation.h), each a child process
 * `<search_cmd> search ...`, at most `jobs` at a time. One ablation folder is driven by one process at a time (a lock file);
 * children get SIGTERM when this process dies, however it dies (Linux parent-death signal), so a
 * rerun after a kill never races a leftover child writing the same run directory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ablation/ablation.h"
#include "atomic_file.h"
#include "common.h"
#include "run/run_dir.h"
#include "whole_file.h"

enum { RUN_PENDING, RUN_RUNNING, RUN_DONE, RUN_FAILED };
enum { PID_FILE_MAX_BYTES = 64, CMDLINE_MAX_BYTES = 1 << 20 }; /* a pid file; a child's /proc/<pid>/cmdline */

typedef struct {
    const AblationRun *run;
    char dir[ABL_PATH + 300];
    int state;
    pid_t pid;
    double started;
} Run;

static volatile sig_atomic_t stop_signal = 0;
static void on_signal(int sig) { stop_signal = sig; }

void ablation_run_dir(const AblationRunOptions *opt, const AblationRun *run, char *out, size_t len) {
    snprintf(out, len, "%s/runs/%s", opt->out_dir, run->name);
}

int ablation_run_has(const char *dir, const char *file) {
    char path[ABL_PATH + 400];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    return stat(path, &st) == 0;
}

void ablation_pid_path(const char *dir, char *out, size_t len) { snprintf(out, len, "%s.pid", dir); }

/* A child left by an interrupted ablate that still runs (it should have got SIGTERM with its
 * parent): starting the run again would make two processes write one run directory. The process
 * must exist and have the run's name on its command line (pids are reused; a zombie's is empty). */
static void check_no_leftover(const Run *r) {
    char path[ABL_PATH + 320], proc[64], why[256];
    size_t len;
    ablation_pid_path(r->dir, path, sizeof path);
    char *text = read_whole_file(path, PID_FILE_MAX_BYTES, &len, why, sizeof why);
    if (!text) return;
    int pid = atoi(text);
    free(text);
    snprintf(proc, sizeof proc, "/proc/%d/cmdline", pid);
    char *cmdline = pid > 0 ? read_whole_file(proc, CMDLINE_MAX_BYTES, &len, why, sizeof why) : NULL;
    for (size_t i = 0; cmdline && i < len; i++)
        if (cmdline[i] == '\0') cmdline[i] = ' ';
    int running = cmdline && len > 0 && strstr(cmdline, r->run->name);
    free(cmdline);
    if (running)
        sn_die(SN_EXIT_USAGE, "%s: run %s is still running as pid %d (left by an interrupted ablate): wait for it or kill it",
               path, r->run->name, pid);
    unlink(path);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

int ablation_prepare_run(const AblationSpec *s, const AblationRunOptions *opt, const AblationRun *run, const char *dir,
                         AblationArgs *args) {
    const AblationCell *cell = &s->cells[run->cell];
    int resume = ablation_run_has(dir, RUN_CHECKPOINT_FILE), k = 0;
    struct stat st;
    /* A directory without checkpoint is a run killed before its first epoch ended: start afresh. */
    if (!resume && stat(dir, &st) == 0 && nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        sn_die(SN_EXIT_USAGE, "%s: cannot remove the unfinished run: %s", dir, strerror(errno));
#define ARG(...) (snprintf(args->text[k], sizeof args->text[k], __VA_ARGS__), args->argv[k] = args->text[k], k++)
    ARG("%s", opt->search_cmd ? opt->search_cmd : "supernet");
    ARG("search");
    if (resume) {
        ARG("--resume");
        ARG("%s", dir);
    } else {
        ARG("--method");
        ARG("%s", cell->method);
        if (s->profile[0]) {
            ARG("--config");
            ablation_config_path(s, cell->method, args->text[k], sizeof args->text[k]);
            args->argv[k] = args->text[k], k++;
        }
        for (int i = 0; i < s->n_sets; i++) ARG("--set"), ARG("%s", s->sets[i]);
        for (int i = 0; i < s->n_keys; i++)
            if (cell->values[i][0]) ARG("--set"), ARG("%s=%s", s->keys[i], cell->values[i]);
        ARG("--seed");
        ARG("%d", run->seed);
        if (s->data[0]) ARG("--data"), ARG("%s", s->data);
        ARG("--logs");
        ARG("%s/runs", opt->out_dir);
        ARG("--run");
        ARG("%s", run->name);
    }
    if (opt->threads > 0) ARG("--threads"), ARG("%d", opt->threads);
    ARG("--quiet");
#undef ARG
    args->argv[k] = NULL;
    args->argc = k;
    return resume;
}

static void start_run(const AblationSpec *s, const AblationRunOptions *opt, Run *r, int index, int total) {
    static AblationArgs args;
    char log[ABL_PATH + 400];
    int resume = ablation_prepare_run(s, opt, r->run, r->dir, &args);
    snprintf(log, sizeof log, "%s.log", r->dir);
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) sn_die(SN_EXIT_USAGE, "%s: cannot open: %s", log, strerror(errno));
    printf("[%d/%d] %s %s\n", index + 1, total, resume ? "resume" : "start ", r->run->name);
    fflush(stdout);
    pid_t parent = getpid(), pid = fork();
    SN_ASSERT(pid >= 0, "fork failed: %s", strerror(errno));
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) _exit(1); /* the parent died before prctl */
        dup2(fd, 1), dup2(fd, 2);
        close(fd);
        /* Runs side by side on shared cores: spinning OpenMP threads would slow them all down. */
        if (opt->jobs > 1) setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
        execv(args.argv[0], args.argv);
        fprintf(stderr, "cannot run %s: %s\n", args.argv[0], strerror(errno));
        _exit(127);
    }
    close(fd);
    r->pid = pid, r->state = RUN_RUNNING, r->started = sn_now();
    char pid_file[ABL_PATH + 320], text[32];
    ablation_pid_path(r->dir, pid_file, sizeof pid_file);
    atomic_write_file(pid_file, text, (size_t)snprintf(text, sizeof text, "%d\n", (int)pid));
}

static void remove_pid_file(const Run *r) {
    char pid_file[ABL_PATH + 320];
    ablation_pid_path(r->dir, pid_file, sizeof pid_file);
    unlink(pid_file);
}

static void finish_run(Run *r, int status, int index, int total) {
    remove_pid_file(r);
    int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && ablation_run_has(r->dir, RUN_SUMMARY_FILE);
    r->state = ok ? RUN_DONE : RUN_FAILED;
    if (ok) printf("[%d/%d] done   %s (%.1f s)\n", index + 1, total, r->run->name, sn_now() - r->started);
    else if (WIFEXITED(status))
        printf("[%d/%d] FAILED %s: exit status %d%s, see %s.log\n", index + 1, total, r->run->name, WEXITSTATUS(status),
               WEXITSTATUS(status) == 0 ? " without summary.json" : "", r->dir);
    else printf("[%d/%d] FAILED %s: killed by signal %d, see %s.log\n", index + 1, total, r->run->name, WTERMSIG(status), r->dir);
    fflush(stdout);
}

/* SIGTERM to every running child, wait for all, remove their pid files, then exit like a signalled
 * process would. */
static noreturn void stop_all(Run *runs, int n) {
    int running = 0;
    for (int i = 0; i < n; i++) running += runs[i].state == RUN_RUNNING;
    printf("stopping on signal %d: %d running run(s) get SIGTERM; rerun to continue\n", (int)stop_signal, running);
    fflush(stdout);
    for (int i = 0; i < n; i++)
        if (runs[i].state == RUN_RUNNING) kill(runs[i].pid, SIGTERM);
    while (wait(NULL) > 0 || errno == EINTR) continue;
    for (int i = 0; i < n; i++)
        if (runs[i].state == RUN_RUNNING) remove_pid_file(&runs[i]);
    exit(128 + stop_signal);
}

void ablation_take_folder(const char *out_dir) {
    char runs_dir[ABL_PATH + 8];
    snprintf(runs_dir, sizeof runs_dir, "%s/runs", out_dir);
    make_directories(runs_dir);
    char path[ABL_PATH + 32];
    snprintf(path, sizeof path, "%s/ablate.lock", out_dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644); /* children must not inherit the lock */
    if (fd < 0) sn_die(SN_EXIT_USAGE, "%s: cannot open: %s", path, strerror(errno));
    /* fd stays open, and the lock held, until this process exits */
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) sn_die(SN_EXIT_USAGE, "%s: another 'supernet ablate' is running on this folder", path);
}

static void catch_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: wait() returns EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int ablation_run(const AblationSpec *s, const AblationRunOptions *opt) {
    ablation_take_folder(opt->out_dir);
    catch_signals();
    int total = s->n_runs, running = 0, failed = 0, next = 0;
    Run *runs = sn_alloc(sizeof *runs * (size_t)total);
    for (int i = 0; i < total; i++) {
        Run *r = &runs[i];
        r->run = &s->runs[i];
        ablation_run_dir(opt, r->run, r->dir, sizeof r->dir);
        r->state = ablation_run_has(r->dir, RUN_SUMMARY_FILE) ? RUN_DONE : RUN_PENDING;
        if (r->state == RUN_DONE) printf("[%d/%d] skip   %s (finished)\n", i + 1, total, r->run->name);
        else check_no_leftover(r);
    }
    for (;;) {
        while (!stop_signal && running < opt->jobs && next < total)
            if (runs[next++].state == RUN_PENDING) start_run(s, opt, &runs[next - 1], next - 1, total), running++;
        if (stop_signal) stop_all(runs, total);
        if (running == 0) break;
        int status;
        pid_t pid = wait(&status);
        if (pid < 0) {
            SN_ASSERT(errno == EINTR, "wait: %s with %d runs running", strerror(errno), running);
            continue; /* a signal: checked above */
        }
        for (int i = 0; i < total; i++)
            if (runs[i].state == RUN_RUNNING && runs[i].pid == pid) {
                finish_run(&runs[i], status, i, total);
                failed += runs[i].state == RUN_FAILED;
                running--;
            }
    }
    sn_free(runs);
    return failed;
}
