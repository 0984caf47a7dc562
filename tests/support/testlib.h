/* testlib.h: helpers shared by the kernel tests: random tensors, array comparison, finite differences. */
#ifndef SN_TESTLIB_H
#define SN_TESTLIB_H

#include <stddef.h>

#include "common.h"

float *random_array(size_t n, Rng *rng, double lo, double hi); /* sn_alloc'd, uniform in [lo, hi) */

/* Largest |got - want| / (atol + rtol |want|) over the arrays: <= 1 means every element is within
 * tolerance. *worst receives the index of the largest. */
double compare_arrays(const float *got, const float *want, size_t n, double atol, double rtol, size_t *worst);

/* Central difference of loss along direction v: (loss(x + eps v) - loss(x - eps v)) / (2 eps).
 * x is restored before returning. */
double fd_directional(double (*loss)(void *ctx), void *ctx, float *x, const float *v, size_t n, double eps);

double dot_double(const float *a, const float *b, size_t n);

/* Runs fn(arg) in a child process; returns its exit status (-1 if it did not exit normally) and
 * what it wrote to stderr (NUL-terminated, at most err_len - 1 bytes). libgomp's thread pool does
 * not survive fork: a test that forks after parallel work runs with one OpenMP thread. */
int run_in_child(void (*fn)(void *arg), void *arg, char *err, size_t err_len);

/* The supernet binary under test: $SUPERNET_BIN (set by CTest), else ../build/supernet. */
const char *supernet_bin(void);

/* tests/fixtures/<name> (see tests/fixtures/README.md) under $SUPERNET_ROOT (set by CTest), else ..
 * (CTest runs the tests in tests/). A static buffer, overwritten by the next call. */
const char *fixture_file(const char *name);

/* Runs a shell command, its stdout into out (NUL-terminated, at most cap - 1 bytes; add 2>&1 to the
 * command for stderr too). Returns the exit status, or 128 + the signal that ended it, or -1. */
int run_command(const char *cmd, char *out, size_t cap);

/* Runs `supernet ARGS` (the binary under test, at most 120 s, stdin from /dev/null), its stderr into
 * err (NUL-terminated, at most cap - 1 bytes), stdout discarded. Returns the exit status as
 * run_command does (124: timed out, a hang). */
int run_supernet(const char *args, char *err, size_t cap);

/* The number of lines of s (its '\n's). */
int count_lines(const char *s);

/* A new, empty folder /tmp/sn_<name>_XXXXXX; its path goes to out (n bytes). Exits 1 with a message
 * if it cannot be made. */
void make_temp_dir(char *out, size_t n, const char *name);
/* Removes dir and everything below it; -1 (with a message on stderr) if something stayed. */
int remove_tree(const char *dir);

/* The documented epochs.csv header line (with its newline), spelled here independently of the writer;
 * and its 30 probability columns alone (",p_e0_none,...,p_e5_avg_pool_3x3"), appended to buf. */
void epochs_csv_header(char *buf, size_t len);
void append_probability_columns(char *buf, size_t len);

/* Writes text to path; 0 on success, -1 if the file cannot be written. */
int write_text_file(const char *path, const char *text);
int write_bytes_file(const char *path, const void *bytes, size_t len);
/* The file's text in a static buffer ("" if it cannot be read or is 64 KiB or more). */
const char *read_text_file(const char *path);

/* 1 when process `pid` has ended (gone, or a zombie waiting for its reaper) within ms milliseconds,
 * polled every 10 ms; 0 when it still runs then. */
int process_ends_within(int pid, int ms);

/* Starts argv (argv[0] a path) with stdout to /dev/null; returns its pid. */
int spawn_quiet(char *const argv[]);
/* Waits for the child; its exit status, or -1 if it did not exit normally. */
int wait_exit_status(int pid);
/* Polls (every 0.2 ms, at most a minute) until path exists, then SIGKILLs the child and reaps it;
 * 1 when it was killed by that signal (so mid-run), else 0. */
int kill_once_file_exists(int pid, const char *path);
/* The file with every "seconds" value removed (CSV column 2; JSON key "seconds"), into out: the records
 * of two runs of the same work compare equal. -1 (out empty, a message on stderr) if it cannot be read. */
int read_without_seconds(const char *path, char *out, size_t cap);
/* 1 when path exists. */
int path_exists(const char *path);

/* A tiny ablation in root: <root>/configs/<m>-tiny.cfg, a copy of the shipped quick profile of each
 * method, and <root>/configs/ablations/tiny.cfg holding `ablation`. 0, or -1 with a message on stderr. */
int write_tiny_ablation(const char *root, const char *const *methods, int n_methods, const char *ablation);

#endif
