/* test_inputs.c: inputs that are not what they claim (issue 19). Every input path that is not a regular
 * file (a directory, a FIFO, a device), or is larger than its format allows, is refused before it is
 * read: exit 2, one line naming it, never a hang or an allocation without limit; a gzip member is
 * inflated only up to the size its trailer promises. Runs the real binary on every kind of input. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"
#include "testlib.h"

static char dir[256];

static const char *in_dir(const char *name) {
    static char p[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

/* `supernet ARGS` exits 2 with one line that holds each of the two words. */
static void expect_refused(const char *args, const char *word, const char *why) {
    char err[4096];
    int status = run_supernet(args, err, sizeof err);
    CHECK(status == 2, "'%s' exited %d (124: it hung), expected 2: %s", args, status, err);
    CHECK(count_lines(err) == 1, "'%s' printed %d lines: %s", args, count_lines(err), err);
    CHECK(strstr(err, word) && strstr(err, why), "'%s': '%s' does not name '%s' and '%s'", args, err, word, why);
}

static void shell(const char *cmd) {
    char out[256];
    CHECK(run_command(cmd, out, sizeof out) == 0, "'%s' failed: %s", cmd, out);
}

/* Every kind of input, given as a directory, a FIFO and a device. */
static void not_regular_files(void) {
    char fifo[512];
    snprintf(fifo, sizeof fifo, "%s", in_dir("fifo"));
    CHECK(mkfifo(fifo, 0600) == 0, "mkfifo %s", fifo);
    const char *kinds[][2] = {{dir, "a directory"}, {fifo, "a FIFO"}, {"/dev/null", "a character device"}};
    for (int k = 0; k < 3; k++) {
        const char *path = kinds[k][0], *kind = kinds[k][1];
        char args[1024];
        snprintf(args, sizeof args, "query 1 --table %s", path), expect_refused(args, path, kind);
        snprintf(args, sizeof args, "search --config %s --logs %s", path, in_dir("logs")), expect_refused(args, path, kind);
        snprintf(args, sizeof args, "ablate %s --out %s", path, in_dir("abl")), expect_refused(args, path, kind);
        snprintf(args, sizeof args, "table-build --all %s --out %s", path, in_dir("t.sntab")), expect_refused(args, path, kind);
    }
    /* a run folder whose checkpoint or records are a FIFO */
    const char *run = in_dir("run");
    char cmd[1200], args[1024];
    snprintf(cmd, sizeof cmd, "mkdir -p %s && mkfifo %s/checkpoint.bin %s/epochs.csv", run, run, run);
    shell(cmd);
    snprintf(args, sizeof args, "search --resume %s", run), expect_refused(args, "checkpoint.bin", "a FIFO");
    snprintf(args, sizeof args, "rank %s", run), expect_refused(args, "checkpoint.bin", "a FIFO");
    snprintf(args, sizeof args, "plot %s", run), expect_refused(args, "epochs.csv", "a FIFO");
}

/* A sparse 2 GiB config and table are refused by their size, before a byte is read. */
static void oversized_files(void) {
    char cmd[1200], args[1024];
    snprintf(cmd, sizeof cmd, "truncate -s 2G %s %s", in_dir("big.cfg"), in_dir("big.sntab"));
    shell(cmd);
    snprintf(args, sizeof args, "search --config %s --logs %s", in_dir("big.cfg"), in_dir("logs"));
    expect_refused(args, "big.cfg", "more than");
    snprintf(args, sizeof args, "query 1 --table %s", in_dir("big.sntab"));
    expect_refused(args, "big.sntab", "more than");
}

/* Fashion-MNIST files (gzip): one whose trailer promises far less than it inflates to (a gzip bomb
 * with a forged size), one whose trailer promises more than any dataset file may hold. */
static void gzip_bombs(void) {
    const char *files[] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                           "t10k-labels-idx1-ubyte"};
    const char *forged[] = {"\\350\\003\\000\\000", "\\000\\000\\000\\360"}; /* ISIZE 1000; 4026531840 */
    const char *why[] = {"more than the 1000 bytes its gzip trailer promises", "its gzip trailer promises 4026531840"};
    for (int k = 0; k < 2; k++) {
        char cmd[4096], args[1024], sub[64];
        snprintf(sub, sizeof sub, "fm%d", k);
        snprintf(cmd, sizeof cmd, "mkdir -p %s && head -c 50000000 /dev/zero | gzip -1 > %s/b.gz && "
                 "f=%s/b.gz && s=$(stat -c %%s $f) && printf '%s' | dd of=$f bs=1 seek=$((s - 4)) conv=notrunc 2>/dev/null",
                 in_dir(sub), in_dir(sub), in_dir(sub), forged[k]);
        shell(cmd);
        for (int f = 0; f < 4; f++) {
            snprintf(cmd, sizeof cmd, "cp %s/b.gz %s/%s.gz", in_dir(sub), in_dir(sub), files[f]);
            shell(cmd);
        }
        snprintf(args, sizeof args, "search --method gdas --data %s --logs %s", in_dir(sub), in_dir("logs"));
        expect_refused(args, "train-images-idx3-ubyte.gz", why[k]);
    }
}

int main(void) {
    make_temp_dir(dir, sizeof dir, "inputs");
    not_regular_files();
    oversized_files();
    gzip_bombs();
    CHECK(access(in_dir("logs"), F_OK) != 0 && access(in_dir("abl"), F_OK) != 0, "a refused input still created output");
    remove_tree(dir);
    TEST_EXIT();
}
