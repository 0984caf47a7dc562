/* testlib.c: see testlib.h. */
#define _XOPEN_SOURCE 700
#include "testlib.h"

#include <ftw.h>
#include <signal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "whole_file.h"

float *random_array(size_t n, Rng *rng, double lo, double hi) {
    float *a = sn_alloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++) a[i] = (float)(lo + (hi - lo) * rng_uniform(rng));
    return a;
}

double compare_arrays(const float *got, const float *want, size_t n, double atol, double rtol, size_t *worst) {
    double max_ratio = 0;
    *worst = 0;
    for (size_t i = 0; i < n; i++) {
        double ratio = fabs((double)got[i] - want[i]) / (atol + rtol * fabs((double)want[i]));
        if (!(ratio <= max_ratio)) max_ratio = ratio, *worst = i; /* NaN counts as the worst */
    }
    return max_ratio;
}

static void shift(float *x, const float *v, size_t n, double by) {
    for (size_t i = 0; i < n; i++) x[i] = (float)(x[i] + by * v[i]);
}

double fd_directional(double (*loss)(void *ctx), void *ctx, float *x, const float *v, size_t n, double eps) {
    float *saved = sn_alloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++) saved[i] = x[i];
    shift(x, v, n, eps);
    double plus = loss(ctx);
    for (size_t i = 0; i < n; i++) x[i] = saved[i];
    shift(x, v, n, -eps);
    double minus = loss(ctx);
    for (size_t i = 0; i < n; i++) x[i] = saved[i];
    sn_free(saved);
    return (plus - minus) / (2 * eps);
}

double dot_double(const float *a, const float *b, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (double)a[i] * b[i];
    return s;
}

int run_in_child(void (*fn)(void *arg), void *arg, char *err, size_t err_len) {
    int fds[2];
    if (pipe(fds) != 0) return -1;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], 2);
        fn(arg);
        _exit(0);
    }
    close(fds[1]);
    size_t used = 0;
    ssize_t got;
    while (used + 1 < err_len && (got = read(fds[0], err + used, err_len - 1 - used)) > 0) used += (size_t)got;
    err[used] = '\0';
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

const char *supernet_bin(void) {
    const char *bin = getenv("SUPERNET_BIN");
    return bin ? bin : "../build/supernet";
}

const char *fixture_file(const char *name) {
    static char path[4096];
    const char *root = getenv("SUPERNET_ROOT");
    snprintf(path, sizeof path, "%s/tests/fixtures/%s", root ? root : "..", name);
    return path;
}

int run_command(const char *cmd, char *out, size_t cap) {
    fflush(stdout);
    FILE *p = popen(cmd, "r");
    if (!p) return -1;
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    if (status == -1) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int run_supernet(const char *args, char *err, size_t cap) {
    size_t n = strlen(supernet_bin()) + strlen(args) + 64;
    char *cmd = malloc(n);
    snprintf(cmd, n, "timeout 120 %s %s 2>&1 >/dev/null </dev/null", supernet_bin(), args);
    int status = run_command(cmd, err, cap);
    free(cmd);
    return status;
}

int count_lines(const char *s) {
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

void make_temp_dir(char *out, size_t n, const char *name) {
    snprintf(out, n, "/tmp/sn_%s_XXXXXX", name);
    if (!mkdtemp(out)) {
        fprintf(stderr, "cannot make a temporary folder %s\n", out);
        exit(1);
    }
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) { return remove(path); }

int remove_tree(const char *dir) {
    if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0) return 0;
    fprintf(stderr, "could not remove %s\n", dir);
    return -1;
}

void append_probability_columns(char *buf, size_t len) {
    static const char *const OPS[5] = {"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"};
    for (int e = 0; e < 6; e++)
        for (int k = 0; k < 5; k++) snprintf(buf + strlen(buf), len - strlen(buf), ",p_e%d_%s", e, OPS[k]);
}

void epochs_csv_header(char *buf, size_t len) {
    snprintf(buf, len, "epoch,seconds,lr,tau,train_loss,train_acc,arch_loss,arch_acc,valid_loss,valid_acc,kendall_tau,spearman_rho,arch,index,"
                       "cifar10_valid,cifar10_test,cifar100_valid,cifar100_test,imagenet16_valid,imagenet16_test");
    append_probability_columns(buf, len);
    snprintf(buf + strlen(buf), len - strlen(buf), "\n");
}

int write_bytes_file(const char *path, const void *bytes, size_t len) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    int ok = fwrite(bytes, 1, len, f) == len;
    return fclose(f) == 0 && ok ? 0 : -1;
}

int write_text_file(const char *path, const char *text) { return write_bytes_file(path, text, strlen(text)); }

const char *read_text_file(const char *path) {
    static char buf[1 << 16];
    char why[256];
    size_t len;
    char *text = read_whole_file(path, sizeof buf - 1, &len, why, sizeof why);
    buf[0] = '\0';
    if (text) memcpy(buf, text, len + 1);
    free(text);
    return buf;
}

int write_tiny_ablation(const char *root, const char *const *methods, int n_methods, const char *ablation) {
    const char *src_root = getenv("SUPERNET_ROOT");
    char path[1024];
    snprintf(path, sizeof path, "%s/configs", root);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/configs/ablations", root);
    mkdir(path, 0755);
    for (int m = 0; m < n_methods; m++) {
        snprintf(path, sizeof path, "%s/configs/%s-quick.cfg", src_root ? src_root : "..", methods[m]);
        const char *text = read_text_file(path);
        if (text[0] == '\0') return fprintf(stderr, "cannot read %s\n", path), -1;
        snprintf(path, sizeof path, "%s/configs/%s-tiny.cfg", root, methods[m]);
        if (write_text_file(path, text) != 0) return fprintf(stderr, "cannot write %s\n", path), -1;
    }
    snprintf(path, sizeof path, "%s/configs/ablations/tiny.cfg", root);
    if (write_text_file(path, ablation) != 0) return fprintf(stderr, "cannot write %s\n", path), -1;
    return 0;
}

int process_ends_within(int pid, int ms) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    for (int waited = 0;; waited += 10) {
        const char *paren = strrchr(read_text_file(path), ')'); /* the state follows the command name */
        if (!paren || paren[1] != ' ' || paren[2] == 'Z' || paren[2] == 'X') return 1;
        if (waited >= ms) return 0;
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
}

int spawn_quiet(char *const argv[]) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout)) _exit(127);
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

int wait_exit_status(int pid) {
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int path_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

int kill_once_file_exists(int pid, const char *path) {
    struct timespec nap = {0, 200000}; /* 0.2 ms */
    for (int i = 0; i < 300000 && !path_exists(path); i++) nanosleep(&nap, NULL);
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

int read_without_seconds(const char *path, char *out, size_t cap) {
    FILE *f = fopen(path, "r");
    char line[8192];
    size_t used = 0;
    out[0] = '\0';
    if (!f) return fprintf(stderr, "cannot open %s\n", path), -1;
    while (fgets(line, sizeof line, f)) {
        char *a = strchr(line, ','), *b = a ? strchr(a + 1, ',') : NULL, *k = strstr(line, "\"seconds\": ");
        if (line[0] == '{' && k) b = strchr(k, ','), a = k;
        if (a && b) memmove(a, b, strlen(b) + 1);
        used += (size_t)snprintf(out + used, cap - used, "%s", line);
    }
    fclose(f);
    return 0;
}
