/*
 * test_search_config.c: the search configuration. In process: defaults, file + --set precedence and
 * the saved text reloading to the identical configuration. Through the binary: every mistake in a
 * config file or a --set (unknown key, bad or out-of-range value, repeated key, missing '=', bad
 * section header) and a bad --resume exit with status 2 and exactly one line naming the file:line
 * (or --set) and the key.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run/config.h"
#include "test_util.h"
#include "testlib.h"

static char out[1 << 14];
static char dir[256];

static int run(const char *args) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' search %s --logs %s --quiet 2>&1", supernet_bin(), args, dir);
    return run_command(cmd, out, sizeof out);
}

static void write_file(const char *path, const char *text) { CHECK(write_text_file(path, text) == 0, "cannot write %s", path); }

/* A config file with `body`, run; expects exit 2 and one line containing every needle. */
static void expect_file_error(const char *body, const char *needle1, const char *needle2) {
    char path[512], args[1024];
    snprintf(path, sizeof path, "%s/bad.cfg", dir);
    write_file(path, body);
    snprintf(args, sizeof args, "--config %s", path);
    int status = run(args);
    CHECK(status == 2, "status %d for config '%s': %s", status, body, out);
    CHECK(count_lines(out) == 1, "one line expected for '%s': %s", body, out);
    CHECK(strstr(out, needle1) && strstr(out, needle2), "'%s' should name '%s' and '%s': %s", body, needle1, needle2, out);
}

static void expect_set_error(const char *set, const char *needle) {
    char args[1024];
    snprintf(args, sizeof args, "--method gdas --set '%s'", set);
    int status = run(args);
    CHECK(status == 2 && count_lines(out) == 1 && strstr(out, "--set") && strstr(out, needle),
          "--set %s: status %d, output %s", set, status, out);
}

static void test_errors(void) {
    char line[64];
    snprintf(line, sizeof line, "bad.cfg:3");
    expect_file_error("method = gdas\n# comment\nepoch = 3\n", line, "unknown key 'epoch'");
    expect_file_error("method = gdas\n\nepochs = three\n", line, "not an integer");
    expect_file_error("method = gdas\n[schedule]\nlr = -1\n", line, "out of range");
    expect_file_error("method = gdas\nepochs = 2\nepochs = 3\n", line, "given twice");
    expect_file_error("method = gdas\n\nepochs 3\n", line, "expected 'key = value'");
    expect_file_error("method = gdas\n\n[schedule\n", line, "section");
    expect_file_error("method = gdas\ntau_min = 20\n", "tau_min", "tau_max");
    expect_file_error("method = gdas\nprecision = fp16\n", "precision = 'fp16'", "fp32|bf16");
    expect_file_error("method = nas\n", "method", "nas");
    expect_set_error("epochz=3", "unknown key 'epochz'");
    expect_set_error("epochs=0", "out of range");
    expect_set_error("lr=fast", "not a number");
    expect_set_error("epochs", "key=value");
    int status = run("--resume /nonexistent/run");
    CHECK(status == 2 && count_lines(out) == 1 && strstr(out, "/nonexistent/run"), "bad --resume: %d %s", status, out);
    status = run("--method gdas --config /nonexistent.cfg");
    CHECK(status == 2 && count_lines(out) == 1 && strstr(out, "/nonexistent.cfg"), "missing config: %d %s", status, out);
}

static void test_in_process(void) {
    ConfigState s, t;
    config_init(&s);
    CHECK(s.c.epochs == 250 && s.c.batch_size == 64 && s.c.lr == 0.025 && s.c.tau_max == 10 && s.c.grad_clip == 5,
          "defaults: epochs %d batch %d lr %g", s.c.epochs, s.c.batch_size, s.c.lr);
    config_load_text(&s, "[a]\nepochs = 7  # comment\narch_eps = 1e-8\nlr = 0.1\n", "mem");
    config_set(&s, "lr=0.05");
    CHECK(s.c.epochs == 7 && s.c.lr == 0.05 && s.c.arch_eps == 1e-8, "file then --set: epochs %d lr %g", s.c.epochs, s.c.lr);
    CHECK(s.source[0] == CONFIG_FROM_DEFAULT, "method keeps its default");
    char *text = config_text(&s);
    config_init(&t);
    config_load_text(&t, text, "saved");
    char *again = config_text(&t);
    CHECK(strcmp(text, again) == 0, "saved text reloads identically:\n%s\n---\n%s", text, again);
    CHECK(memcmp(&s.c, &t.c, sizeof s.c) == 0, "reloaded struct identical");
    CHECK(strstr(text, "lr = 0.05\n") && strstr(text, "arch_eps = 1e-08\n"), "shortest round-trip numbers: %s", text);
    free(text), free(again);
    config_free(&s), config_free(&t);
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/sn_test_search_config.%d", (int)getpid());
    char cmd[512];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    CHECK(system(cmd) == 0, "mkdir %s", dir);
    test_in_process();
    test_errors();
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    TEST_EXIT();
}
