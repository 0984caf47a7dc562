/* test_cli.c: the `supernet` executable's command-line contract: help exits 0 and lists every method of
 * the method table (top level and `search --help`), every mistake
 * prints exactly one line naming the offending word and exits 2. Runs the real binary. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "methods.h"
#include "test_util.h"
#include "testlib.h"

typedef struct {
    int status;
    char out[65536];
    char err[4096];
} RunResult;

/* Runs `supernet ARGS`, capturing stdout and stderr separately. */
static RunResult run(const char *args) {
    static RunResult r;
    char cmd[1024];
    const char *bin = getenv("SUPERNET_BIN");
    snprintf(cmd, sizeof cmd, "%s %s 2>/tmp/sn_test_cli_err.txt", bin ? bin : "supernet", args);
    FILE *p = popen(cmd, "r");
    size_t n = p ? fread(r.out, 1, sizeof r.out - 1, p) : 0;
    r.out[n] = '\0';
    int st = p ? pclose(p) : -1;
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    FILE *e = fopen("/tmp/sn_test_cli_err.txt", "r");
    n = e ? fread(r.err, 1, sizeof r.err - 1, e) : 0;
    r.err[n] = '\0';
    if (e) fclose(e);
    return r;
}

static void expect_usage_error(const char *args, const char *must_contain) {
    RunResult r = run(args);
    CHECK(r.status == 2, "'%s' exited %d, expected 2", args, r.status);
    CHECK(count_lines(r.err) == 1, "'%s' printed %d error lines: %s", args, count_lines(r.err), r.err);
    CHECK(strstr(r.err, must_contain) != NULL, "'%s' error '%s' does not name '%s'", args, r.err, must_contain);
}

/* Every row of the method table has its own line (name, then its summary) in the help text. */
static void expect_methods_listed(const char *args) {
    RunResult r = run(args);
    CHECK(r.status == 0, "'%s' exited %d", args, r.status);
    for (int i = 0; i < N_METHODS; i++) {
        char head[64];
        snprintf(head, sizeof head, "\n  %s ", METHODS[i].name);
        const char *line = strstr(r.out, head);
        const char *eol = line ? strchr(line + 1, '\n') : NULL;
        const char *summary = line ? strstr(line, METHODS[i].summary) : NULL;
        CHECK(line && summary && (!eol || summary < eol), "'%s' does not list method %s with its summary", args, METHODS[i].name);
    }
}

int main(void) {
    CHECK(N_METHODS == 10, "the method table has %d rows; the paper's ten methods are expected", N_METHODS);
    expect_methods_listed("--help");
    expect_methods_listed("search --help");
    RunResult r = run("--help");
    CHECK(r.status == 0, "--help exited %d", r.status);
    CHECK(strstr(r.out, "version") != NULL, "--help does not list the commands: %s", r.out);

    r = run("version --help");
    CHECK(r.status == 0 && strstr(r.out, "usage: supernet version") != NULL, "version --help: %d %s", r.status, r.out);

    r = run("version");
    CHECK(r.status == 0 && strstr(r.out, "oneDNN") != NULL, "version: %d %s", r.status, r.out);

    expect_usage_error("frobnicate", "frobnicate");
    expect_usage_error("version --bogus", "--bogus");
    expect_usage_error("version extra", "extra");

    /* flags of the other kind of method, flags given twice, --set against a flag: errors, never ignored */
    expect_usage_error("search --method rs --config configs/gdas.cfg", "--config does not apply: --method rs searches the table");
    expect_usage_error("search --method rs --data /nonexistent", "--data does not apply: --method rs searches the table");
    expect_usage_error("search --method rs --set epochs=1", "--set does not apply: --method rs searches the table");
    expect_usage_error("search --method gdas --runs 5", "--runs does not apply: --method gdas trains a supernet");
    expect_usage_error("search --resume /nonexistent --json", "--json does not apply: without --method");
    expect_usage_error("search --method gdas --seed 1 --seed 2", "--seed is given twice");
    expect_usage_error("search --method rs --runs 1 --runs=2", "--runs is given twice");
    expect_usage_error("search --method gdas --set method=darts-v1", "key 'method' is already given on the command line (by --method)");
    expect_usage_error("search --method gdas --set epochs=1 --set epochs=2", "key 'epochs' is already given on the command line (by an earlier --set)");
    expect_usage_error("train --arch 1 --epochs 2 --set epochs=3", "key 'epochs' is already given on the command line (by --epochs)");
    expect_usage_error("query 1 --json --json", "--json is given twice");

    /* words of the user's input come back with their control bytes escaped: one line, no terminal sequences */
    expect_usage_error("search --method 'gd\033[31mas\nX'", "--method gd\\x1b[31mas\\nX is not available");
    expect_usage_error("query '|none~0|\n'", "found '\\n' at offset 8");
    r = run("search --method 'gd\033[31mas'");
    CHECK(!strchr(r.err, '\033'), "an ESC byte reached the terminal: %s", r.err);
    CHECK(write_text_file("/tmp/sn_test_cli_bom.cfg", "\xef\xbb\xbfmethod = gdas\n") == 0, "cannot write the BOM config");
    expect_usage_error("search --config /tmp/sn_test_cli_bom.cfg", "sn_test_cli_bom.cfg:1: starts with a UTF-8 byte-order mark");
    remove("/tmp/sn_test_cli_bom.cfg");
    TEST_EXIT();
}
