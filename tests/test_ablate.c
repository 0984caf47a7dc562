/* test_ablate.c: `supernet ablate` with a stand-in search command (a shell script that writes a run
 * directory as the driver does, with known accuracies): the grid's runs and their arguments, skipping
 * finished runs, resuming a run killed mid-way with --resume after the ablate process itself was
 * killed, parallel runs, failed runs, the folder lock, the summary table's numbers, and file errors. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "methods.h"
#include "test_util.h"
#include "testlib.h"

static char root[64];
static char out[1 << 16];

/* The stand-in: `standin search --method M --seed S --set k=v ... --logs L --run R --quiet` or
 * `standin search --resume DIR --quiet`. Logs "start R" / "resume R" to $STANDIN_CALLS; kills its
 * parent (the ablate process) on call number $STANDIN_KILL_AT after writing a checkpoint; with
 * $STANDIN_HANG set it writes its pid to that file and sleeps (becoming `sleep`); method
 * "enas" fails. Accuracies: base = 50 + seed (+10 for darts-v2, +3 with track_running_stats=1),
 * column k of the six gets base + k; search_seconds = 10 * seed. */
static const char *STANDIN =
    "#!/bin/sh\n"
    "shift\n"
    "method=; seed=; logs=; run=; resume=; sets=\n"
    "while [ $# -gt 0 ]; do case \"$1\" in\n"
    "  --method) method=$2; shift 2;; --seed) seed=$2; shift 2;; --logs) logs=$2; shift 2;;\n"
    "  --run) run=$2; shift 2;; --resume) resume=$2; shift 2;; --set) sets=\"$sets $2\"; shift 2;;\n"
    "  --quiet) shift;; --threads) shift 2;; *) echo \"unexpected $1\"; exit 3;;\n"
    "esac; done\n"
    "if [ -n \"$resume\" ]; then dir=$resume; echo \"resume $(basename $dir)\" >> $STANDIN_CALLS; . \"$dir/args\"\n"
    "else dir=$logs/$run; mkdir -p $dir; echo \"start $run$sets\" >> $STANDIN_CALLS\n"
    "  printf 'method=%s\\nseed=%s\\nsets=\"%s\"\\n' \"$method\" \"$seed\" \"$sets\" > $dir/args; fi\n"
    "[ \"$method\" = enas ] && exit 4\n"
    "touch $dir/checkpoint.bin\n"
    "if [ \"$(wc -l < $STANDIN_CALLS)\" = \"$STANDIN_KILL_AT\" ]; then kill -9 $PPID; exit 1; fi\n"
    "if [ -n \"$STANDIN_HANG\" ]; then echo $$ > $STANDIN_HANG.tmp; mv $STANDIN_HANG.tmp $STANDIN_HANG; exec sleep 120; fi\n"
    "b=$((50 + seed)); [ \"$method\" = darts-v2 ] && b=$((b + 10))\n"
    "case \"$sets\" in *track_running_stats=1*) b=$((b + 3));; esac\n"
    "a='|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|'\n"
    "h=epoch,arch,cifar10_valid,cifar10_test,cifar100_valid,cifar100_test,imagenet16_valid,imagenet16_test\n"
    "for e in 0 1 2 3 4; do for o in none skip_connect nor_conv_1x1 nor_conv_3x3 avg_pool_3x3; do h=$h,p_e${e}_$o; done; done\n"
    "p=; for i in $(seq 30); do p=$p,0.2; done\n"
    "for o in none skip_connect nor_conv_1x1 nor_conv_3x3 avg_pool_3x3; do h=$h,p_e5_$o; done\n"
    "{ echo $h; for e in 0 1; do echo \"$e,$a,$b,$((b+1)),$((b+2)),$((b+3)),$((b+4)),$((b+5))$p\"; done; } > $dir/epochs.csv\n"
    "echo \"{\\\"method\\\": \\\"$method\\\", \\\"seed\\\": $seed, \\\"search_seconds\\\": $((10 * seed)), \\\"cifar10_valid\\\": $b,"
    " \\\"cifar10_test\\\": $((b+1)), \\\"cifar100_valid\\\": $((b+2)), \\\"cifar100_test\\\": $((b+3)),"
    " \\\"imagenet16_valid\\\": $((b+4)), \\\"imagenet16_test\\\": $((b+5))}\" > $dir/summary.json.tmp\n"
    "mv $dir/summary.json.tmp $dir/summary.json\n";

static void write_text(const char *path, const char *text) { CHECK(write_text_file(path, text) == 0, "cannot write %s", path); }

/* Runs `[env] supernet ablate <args>` with the stand-in; returns the exit status, or 128 + signal. */
static int ablate(const char *env, const char *args) {
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "STANDIN_CALLS=%s/calls.log %s '%s' ablate %s --search-cmd %s/standin.sh 2>&1", root, env,
             supernet_bin(), args, root);
    return run_command(cmd, out, sizeof out);
}

/* The command line of a process, NULs turned into spaces. */
static const char *read_text_proc(pid_t pid) {
    static char buf[4096];
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f) fclose(f);
    for (size_t i = 0; i < n; i++)
        if (!buf[i]) buf[i] = ' ';
    buf[n] = '\0';
    return buf;
}

/* Two methods x two seeds, one at a time; the stand-in kills ablate during run 3. */
static void test_interrupt_and_resume(void) {
    char cfg[128], args[512], calls[128], path[256];
    snprintf(cfg, sizeof cfg, "%s/configs/ablations/order.cfg", root);
    write_text(cfg, "# DARTS first vs second order\nmethods = darts-v1, darts-v2\nseeds = 1 2\nset = epochs=2\n");
    snprintf(args, sizeof args, "%s --out %s/order --jobs 1", cfg, root);
    snprintf(calls, sizeof calls, "%s/calls.log", root);
    int status = ablate("STANDIN_KILL_AT=3", args);
    CHECK(status == 128 + 9, "ablate should have been killed, status %d: %s", status, out);
    CHECK(strcmp(read_text_file(calls), "start darts-v1-s1 epochs=2\nstart darts-v1-s2 epochs=2\nstart darts-v2-s1 epochs=2\n") == 0,
          "calls before the kill: %s", read_text_file(calls));
    snprintf(path, sizeof path, "%s/order/runs/darts-v2-s1/summary.json", root);
    CHECK(access(path, F_OK) != 0, "the killed run must not be finished");
    status = ablate("", args);
    CHECK(status == 0, "rerun status %d: %s", status, out);
    CHECK(strstr(out, "skip   darts-v1-s1") && strstr(out, "skip   darts-v1-s2") && strstr(out, "resume darts-v2-s1"), "rerun: %s", out);
    CHECK(strcmp(read_text_file(calls), "start darts-v1-s1 epochs=2\nstart darts-v1-s2 epochs=2\nstart darts-v2-s1 epochs=2\n"
                                   "resume darts-v2-s1\nstart darts-v2-s2 epochs=2\n") == 0,
          "calls after the rerun: %s", read_text_file(calls));
    snprintf(path, sizeof path, "%s/order/summary.csv", root);
    const char *csv = read_text_file(path);
    static const char HEADER[] = "method,seeds_finished,seeds_planned,search_seconds_mean,search_seconds_std,cifar10_valid_mean,"
                                 "cifar10_valid_std,cifar10_test_mean,cifar10_test_std,cifar100_valid_mean,cifar100_valid_std,"
                                 "cifar100_test_mean,cifar100_test_std,imagenet16_valid_mean,imagenet16_valid_std,"
                                 "imagenet16_test_mean,imagenet16_test_std\n";
    CHECK(strncmp(csv, HEADER, strlen(HEADER)) == 0, "csv header: %s", csv);
    CHECK(strstr(csv, "\ndarts-v1,2,2,15.000000,7.071068,51.500000,0.707107,52.500000,0.707107,53.500000,0.707107,"
                      "54.500000,0.707107,55.500000,0.707107,56.500000,0.707107\n") != NULL, "darts-v1 row: %s", csv);
    CHECK(strstr(csv, "\ndarts-v2,2,2,15.000000,7.071068,61.500000,0.707107,") != NULL, "darts-v2 row: %s", csv);
    snprintf(path, sizeof path, "%s/order/summary.md", root);
    CHECK(strstr(read_text_file(path), "| darts-v1 | 2/2 | 15.0±7.1 | 51.50±0.71 | 52.50±0.71 | 53.50±0.71 | 54.50±0.71 | 55.50±0.71 | 56.50±0.71 |"),
          "markdown: %s", read_text_file(path));
    int before = count_lines(read_text_file(calls));
    CHECK(ablate("", args) == 0 && count_lines(read_text_file(calls)) == before, "a finished grid reran something: %s", out);
    snprintf(path, sizeof path, "%s/order/summary.png", root);
    CHECK(access(path, F_OK) == 0, "no summary.png");
    snprintf(path, sizeof path, "%s/order/derivation.png", root);
    CHECK(access(path, F_OK) == 0, "no derivation.png");
}

/* A switch axis, three seeds, two runs at a time; one method always fails. */
static void test_switch_grid(void) {
    char cfg[128], args[512], path[256];
    snprintf(cfg, sizeof cfg, "%s/configs/ablations/bn.cfg", root);
    write_text(cfg, "methods = gdas enas\nseeds = 1, 2, 3\nswitch = track_running_stats: 0, 1\njobs = 2\n");
    snprintf(args, sizeof args, "%s --out %s/bn", cfg, root);
    int status = ablate("", args);
    CHECK(status == 1 && strstr(out, "6 run(s) failed") && strstr(out, "FAILED enas-track_running_stats-1-s3: exit status 4"),
          "failures must be reported: %d %s", status, out);
    snprintf(path, sizeof path, "%s/bn/summary.md", root);
    const char *md = read_text_file(path);
    CHECK(strstr(md, "| method | track_running_stats | seeds | search (s) | C10 valid |"), "md header: %s", md);
    CHECK(strstr(md, "| gdas | 0 | 3/3 | 20.0±10.0 | 52.00±1.00 | 53.00±1.00 |"), "gdas 0: %s", md);
    CHECK(strstr(md, "| gdas | 1 | 3/3 | 20.0±10.0 | 55.00±1.00 | 56.00±1.00 |"), "gdas 1: %s", md);
    CHECK(strstr(md, "| enas | 1 | 0/3 | – |"), "enas row: %s", md);
}

/* Four grids sharing runs: run once each in file order, one summary row per cell over all its seeds. */
static void test_multi_grid(void) {
    char cfg[128], args[512], calls[128], path[256];
    snprintf(cfg, sizeof cfg, "%s/configs/ablations/multi.cfg", root);
    write_text(cfg, "# shared by the grids\nset = epochs=2\njobs = 1\n"
                    "[grid]  # main\nmethods = darts-v1, gdas, rsps\nseeds = 1\n"
                    "[grid]  # BN\nmethods = gdas, rsps\nswitch = track_running_stats: 1\nseeds = 1\n"
                    "[grid]  # seeds\nmethods = darts-v1, gdas\nseeds = 1, 2, 3\n"
                    "[grid]\nmethods = darts-v2\nswitch = direct_conv: 1\nseeds = 1\n");
    snprintf(args, sizeof args, "%s --out %s/multi", cfg, root);
    snprintf(calls, sizeof calls, "%s/calls.log", root);
    remove(calls);
    int status = ablate("", args);
    CHECK(status == 0 && strstr(out, "6 grid cell(s), 10 run(s)") && strstr(out, "[10/10] done   darts-v2-direct_conv-1-s1"),
          "multi-grid status %d: %s", status, out);
    CHECK(strcmp(read_text_file(calls), "start darts-v1-s1 epochs=2\nstart gdas-s1 epochs=2\nstart rsps-s1 epochs=2\n"
                                         "start gdas-track_running_stats-1-s1 epochs=2 track_running_stats=1\n"
                                         "start rsps-track_running_stats-1-s1 epochs=2 track_running_stats=1\n"
                                         "start darts-v1-s2 epochs=2\nstart darts-v1-s3 epochs=2\nstart gdas-s2 epochs=2\n"
                                         "start gdas-s3 epochs=2\nstart darts-v2-direct_conv-1-s1 epochs=2 direct_conv=1\n") == 0,
          "each run once, in file order: %s", read_text_file(calls));
    snprintf(path, sizeof path, "%s/multi/summary.md", root);
    const char *md = read_text_file(path);
    static const char *const ROWS[] = {
        "| method | track_running_stats | direct_conv | seeds | search (s) |",
        "| darts-v1 | - | - | 3/3 | 20.0±10.0 | 52.00±1.00 | 53.00±1.00 |",
        "| gdas | - | - | 3/3 | 20.0±10.0 | 52.00±1.00 |",
        "| rsps | - | - | 1/1 | 10.0 | 51.00 | 52.00 |",
        "| gdas | 1 | - | 1/1 | 10.0 | 54.00 |",
        "| rsps | 1 | - | 1/1 | 10.0 | 54.00 |",
        "| darts-v2 | - | 1 | 1/1 | 10.0 | 61.00 |",
    };
    const char *at = md;
    for (size_t i = 0; i < sizeof ROWS / sizeof ROWS[0]; i++) {
        const char *row = strstr(md, ROWS[i]);
        CHECK(row && row >= at, "row %zu missing or out of order: %s", i, md);
        at = row ? row : at;
    }
    snprintf(path, sizeof path, "%s/multi/summary.csv", root);
    const char *csv = read_text_file(path);
    CHECK(strncmp(csv, "method,track_running_stats,direct_conv,seeds_finished,seeds_planned,", 68) == 0 &&
          strstr(csv, "\ngdas,,,3,3,20.000000,10.000000,52.000000,1.000000,") &&
          strstr(csv, "\ngdas,1,,1,1,10.000000,,54.000000,,") && count_lines(csv) == 1 + 6, "csv: one row per cell: %s", csv);
    CHECK(ablate("", args) == 0 && count_lines(read_text_file(calls)) == 10 && strstr(out, "[10/10] skip   darts-v2-direct_conv-1-s1"),
          "a finished multi-grid file reran something: %s", out);
}

/* More seeds than a cell holds, over two grids. */
static void check_seed_limit(const char *cfg, const char *args) {
    char text[1024] = "[grid]\nmethods = gdas\nseeds =";
    for (int seed = 1; seed <= 64; seed++) snprintf(text + strlen(text), sizeof text - strlen(text), " %d", seed);
    snprintf(text + strlen(text), sizeof text - strlen(text), "\n[grid]\nmethods = gdas\nseeds = 65\n");
    write_text(cfg, text);
    CHECK(ablate("", args) == 2 && strstr(out, "bad.cfg:4: cell 'gdas' gets more than 64 seeds") && count_lines(out) == 1,
          "seed limit: %s", out);
}

static void test_lock_and_errors(void) {
    char cfg[128], args[512], lock[128];
    snprintf(cfg, sizeof cfg, "%s/configs/ablations/order.cfg", root);
    snprintf(lock, sizeof lock, "%s/order/ablate.lock", root);
    int fd = open(lock, O_RDWR | O_CREAT, 0644);
    CHECK(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0, "cannot take the lock");
    snprintf(args, sizeof args, "%s --out %s/order", cfg, root);
    CHECK(ablate("", args) == 2 && strstr(out, "another 'supernet ablate' is running"), "lock: %s", out);
    close(fd);
    static const struct {
        const char *text, *expect;
    } CASES[] = {
        {"methods = gdas\nseeds = 1\ncolour = red\n", "bad.cfg:3: unknown key 'colour'"},
        {"methods = gdas\nseeds = 1\nswitch = track_running_stats 0 1\n", "bad.cfg:3: a switch is 'key: value1, value2'"},
        {"seeds = 1\n", "bad.cfg:1: no 'methods =' line"},
        {"methods = gdas\nseeds = 1, x\n", "bad.cfg:2: seed 'x' is not an integer"},
        {"methods = gdas, gdas\nseeds = 1\n", "bad.cfg:1: method 'gdas' is listed twice"},
        {"methods = gdas\nseeds = 1\nprofile = nosuch\n", "gdas-nosuch.cfg, which does not exist"},
        {"methods = gd/as\nseeds = 1\n", "bad.cfg:1: method 'gd/as': only letters"},
        {"methods = gdas, nosuch\nseeds = 1\n", "bad.cfg:1: method 'nosuch' is not a weight-sharing method"},
        {"methods = rea\nseeds = 1\n", "bad.cfg:1: method 'rea' is not a weight-sharing method"},
        {"methods = gdas\n[grid]\nmethods = rsps\nseeds = 1\n", "bad.cfg:1: 'methods' before the first [grid] line"},
        {"[grid]\nmethods = gdas\nseeds = 1\nprofile = quick\n", "bad.cfg:4: 'profile' is shared by all grids"},
        {"jobs = 1\n[grid]\nmethods = gdas\nseeds = 1\n[grid]  # nothing\n", "bad.cfg:5: empty grid"},
        {"[grid]\n[grid]\nmethods = gdas\nseeds = 1\n", "bad.cfg:1: empty grid"},
        {"[grid]\nseeds = 1\n[grid]\nmethods = gdas\nseeds = 1\n", "bad.cfg:1: no 'methods =' line in the grid"},
        {"[grid]\nmethods = gdas\n", "bad.cfg:1: no 'seeds =' line in the grid"},
        {"[grids]\nmethods = gdas\nseeds = 1\n", "bad.cfg:1: unknown section '[grids]' (only [grid])"},
        {"[grid\nmethods = gdas\nseeds = 1\n", "bad.cfg:1: malformed section header"},
        {"[grid]\nmethods = gdas\nseeds = 1\nmethods = rsps\n", "bad.cfg:4: 'methods' is given twice"},
        {"[grid]\nmethods = gdas\nseeds = 1\nswitch = a: 1\nswitch = b: 1\nswitch = c: 1\nswitch = d: 1\n"
         "[grid]\nmethods = gdas\nseeds = 1\nswitch = e: 1\n", "bad.cfg:11: more than 4 switch keys in the file's grids"},
        /* a switch or set of what names the run would run something else than the run's name says */
        {"methods = gdas\nseeds = 1\nswitch = method: darts-v1\n", "bad.cfg:3: 'method' cannot be a switch: it names the run"},
        {"methods = gdas\nseeds = 1\nswitch = seed: 2, 3\n", "bad.cfg:3: 'seed' cannot be a switch: it names the run"},
        {"set = seed=4\n[grid]\nmethods = gdas\nseeds = 1\n", "bad.cfg:1: 'seed' cannot be a set: it names the run"},
        {"set = epochs=1\nset = epochs=2\n[grid]\nmethods = gdas\nseeds = 1\n", "bad.cfg:2: set 'epochs' is given twice"},
        {"set = epochs=1\n[grid]\nmethods = gdas\nseeds = 1\nswitch = epochs: 2, 3\n",
         "bad.cfg:5: switch 'epochs' is also fixed by 'set = epochs=1'"},
    };
    snprintf(cfg, sizeof cfg, "%s/configs/ablations/bad.cfg", root);
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        write_text(cfg, CASES[i].text);
        snprintf(args, sizeof args, "%s --out %s/bad", cfg, root);
        CHECK(ablate("", args) == 2 && strstr(out, CASES[i].expect) && count_lines(out) == 1, "case %zu: %s", i, out);
    }
    check_seed_limit(cfg, args);
}

/* 1 while the process exists and is not a zombie (an orphan may wait for a reaper). */
static int alive(pid_t pid) { return !process_ends_within((int)pid, 0); }

/* Polls for up to 20 s (not a timing assertion: only a bound on waiting for an event). */
static int wait_until(int (*cond)(const char *, pid_t), const char *path, pid_t pid) {
    for (int i = 0; i < 2000; i++) {
        if (cond(path, pid)) return 1;
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    return 0;
}
static int file_there(const char *path, pid_t pid) { return (void)pid, access(path, F_OK) == 0; }
static int process_gone(const char *path, pid_t pid) { return (void)path, !alive(pid); }

/* Killing ablate (SIGTERM, then SIGKILL) stops the running child too. */
static void test_children_stop_with_ablate(void) {
    static const int SIGNALS[2] = {SIGTERM, SIGKILL};
    for (int k = 0; k < 2; k++) {
        char cfg[128], cmd[2048], pidfile[128];
        snprintf(cfg, sizeof cfg, "%s/configs/ablations/hang.cfg", root);
        write_text(cfg, "methods = gdas\nseeds = 1\n");
        snprintf(pidfile, sizeof pidfile, "%s/hang%d.pid", root, k);
        const char *bin = getenv("SUPERNET_BIN");
        snprintf(cmd, sizeof cmd, "STANDIN_CALLS=%s/calls.log STANDIN_HANG=%s exec '%s' ablate %s --out %s/hang%d --search-cmd %s/standin.sh >/dev/null 2>&1",
                 root, pidfile, bin ? bin : "../build/supernet", cfg, root, k, root);
        pid_t ablate_pid = fork();
        if (ablate_pid == 0) {
            execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
            _exit(127);
        }
        CHECK(wait_until(file_there, pidfile, 0), "the stand-in never started");
        pid_t child = (pid_t)atoi(read_text_file(pidfile));
        CHECK(child > 0 && alive(child), "stand-in pid %d", (int)child);
        kill(ablate_pid, SIGNALS[k]);
        int status;
        waitpid(ablate_pid, &status, 0);
        CHECK(k == 0 ? WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGTERM : WIFSIGNALED(status), "ablate status %d", status);
        CHECK(child > 0 && wait_until(process_gone, NULL, child), "signal %d: the run %d outlived ablate", SIGNALS[k], (int)child);
        char run_pid[160];
        snprintf(run_pid, sizeof run_pid, "%s/hang%d/runs/gdas-s1.pid", root, k);
        CHECK(k == 1 || access(run_pid, F_OK) != 0, "SIGTERM: %s outlived its stopped run", run_pid);
        if (child > 0 && alive(child)) kill(child, SIGKILL);
    }
}

/* A run whose child (from an interrupted ablate) still runs is not started twice. */
static void test_leftover_child(void) {
    char cfg[128], args[512], pidfile[160], text[160];
    snprintf(cfg, sizeof cfg, "%s/configs/ablations/left.cfg", root);
    write_text(cfg, "methods = gdas\nseeds = 7\n");
    snprintf(args, sizeof args, "%s --out %s/left", cfg, root);
    snprintf(pidfile, sizeof pidfile, "%s/left/runs", root);
    snprintf(text, sizeof text, "%s/left", root);
    mkdir(text, 0755);
    mkdir(pidfile, 0755);
    snprintf(pidfile, sizeof pidfile, "%s/left/runs/gdas-s7.pid", root);
    pid_t other = fork();
    if (other == 0) { /* its own process group, so that its sleep dies with it; no inherited output */
        setpgid(0, 0);
        int null = open("/dev/null", O_RDWR);
        dup2(null, 1), dup2(null, 2);
        execl("/bin/sh", "sh", "-c", "sleep 60; true", "gdas-s7", (char *)NULL); /* $0 = the run's name */
        _exit(127);
    }
    snprintf(text, sizeof text, "%d\n", (int)other);
    write_text(pidfile, text);
    for (int i = 0; i < 2000 && !strstr(read_text_proc(other), "gdas-s7"); i++) nanosleep(&(struct timespec){0, 10000000}, NULL);
    CHECK(ablate("", args) == 2 && strstr(out, "still running as pid"), "leftover child: %s", out);
    kill(-other, SIGKILL);
    waitpid(other, NULL, 0);
    CHECK(ablate("", args) == 0 && strstr(out, "start  gdas-s7") && access(pidfile, F_OK) != 0, "after the leftover: %s", out);
}

/* The shipped ablations load (their quick profiles exist) and lay out their grids. */
static void test_shipped_files(void) {
    const char *src = getenv("SUPERNET_ROOT");
    char args[1024], path[256];
    snprintf(args, sizeof args, "%s/configs/ablations/bn-running-stats.cfg --out %s/shipped-bn --report-only", src ? src : "..", root);
    CHECK(ablate("", args) == 0, "bn-running-stats: %s", out);
    snprintf(path, sizeof path, "%s/shipped-bn/summary.md", root);
    const char *md = read_text_file(path);
    CHECK(strstr(md, "| darts-v1 | 0 | 0/3 |") && strstr(md, "| darts-v1 | 1 | 0/3 |") && strstr(md, "| gdas | 0 | 0/3 |") &&
          strstr(md, "| gdas | 1 | 0/3 |"), "bn-running-stats grid: %s", md);
    snprintf(args, sizeof args, "%s/configs/ablations/darts-order.cfg --out %s/shipped-order --report-only", src ? src : "..", root);
    CHECK(ablate("", args) == 0, "darts-order: %s", out);
    snprintf(path, sizeof path, "%s/shipped-order/summary.md", root);
    md = read_text_file(path);
    CHECK(strstr(md, "| darts-v1 | 0/3 |") && strstr(md, "| darts-v2 | 0/3 |"), "darts-order grid: %s", md);
    snprintf(args, sizeof args, "%s/configs/ablations/paper-reduced.cfg --out %s/shipped-paper --report-only", src ? src : "..", root);
    CHECK(ablate("", args) == 0, "paper-reduced: %s", out);
    snprintf(path, sizeof path, "%s/shipped-paper/summary.md", root);
    md = read_text_file(path);
    for (int i = 0; i < N_METHODS; i++) {
        char row[64];
        int seeds = strcmp(METHODS[i].name, "darts-v1") == 0 || strcmp(METHODS[i].name, "gdas") == 0 ? 3 : 1;
        snprintf(row, sizeof row, "| %s | - | - | 0/%d |", METHODS[i].name, seeds);
        CHECK(METHODS[i].kind != METHOD_WEIGHT_SHARING || strstr(md, row), "paper-reduced lacks %s: %s", METHODS[i].name, md);
    }
    /* the BN grids: running statistics in the cell BNs, batch statistics in every BN in evaluation */
    const char *const bn_methods[3] = {"rsps", "setn", "enas"};
    CHECK(strstr(md, "12 grid cell(s), 16 run(s)") != NULL, "paper-reduced's size: %s", md);
    for (int i = 0; i < 3; i++) {
        char running[64], batch[64];
        snprintf(running, sizeof running, "| %s | 1 | - | 0/1 |", bn_methods[i]);
        snprintf(batch, sizeof batch, "| %s | - | 1 | 0/1 |", bn_methods[i]);
        CHECK(strstr(md, running) && strstr(md, batch), "paper-reduced's BN grids lack %s: %s", bn_methods[i], md);
    }
}

int main(void) {
    char path[128];
    make_temp_dir(root, sizeof root, "test_ablate");
    snprintf(path, sizeof path, "%s/standin.sh", root);
    write_text(path, STANDIN);
    chmod(path, 0755);
    snprintf(path, sizeof path, "%s/configs", root);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/configs/ablations", root);
    mkdir(path, 0755);
    test_interrupt_and_resume();
    test_switch_grid();
    test_multi_grid();
    test_lock_and_errors();
    test_children_stop_with_ablate();
    test_leftover_child();
    test_shipped_files();
    if (test_failures == 0) remove_tree(root);
    TEST_EXIT();
}
