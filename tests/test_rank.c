/* test_rank.c: `supernet rank` through the binary: the cell sets (all 15,625, unique 6,466, a seeded
 * sample, the table's top K), rank.csv against the table (the params scorer is the table's own
 * parameter count except on the 150 quirk cells), rank.json's statistics recomputed from rank.csv, a
 * zero-cost scorer end to end, the supernet scorer of a tiny GDAS run (the same scores with 1 and 2
 * threads, with and without BN recalibration; the run's own rank_every records and chart), and bad input (one line, exit 2): flags that do not
 * apply, a data set that is not the column's, a missing, corrupt or non-search run folder. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/correlation.h"
#include "table.h"
#include "test_util.h"
#include "testlib.h"

static char out[512];

static char said[4096]; /* the last command's output */

static int rank(const char *args) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s rank --out %s %s 2>&1", supernet_bin(), out, args);
    return run_command(cmd, said, sizeof said);
}

/* Exit 2 with one line of output. */
static void refused(const char *args, const char *why) {
    int status = rank(args);
    const char *nl = strchr(said, '\n');
    CHECK(status == 2 && nl && nl[1] == '\0', "%s: exit %d, output: %s", why, status, said);
}

typedef struct {
    int n, index[16000];
    double score[16000], acc[16000];
} Csv;

static void read_csv(Csv *c) {
    char path[600], line[256];
    snprintf(path, sizeof path, "%s/rank.csv", out);
    FILE *f = fopen(path, "r");
    c->n = 0;
    CHECK(f != NULL, "no %s", path);
    while (f && fgets(line, sizeof line, f) && c->n < 16000)
        if (line[0] >= '0' && line[0] <= '9' &&
            sscanf(line, "%d,%lf,%lf", &c->index[c->n], &c->score[c->n], &c->acc[c->n]) == 3)
            c->n++;
    if (f) fclose(f);
}

static double json_value(const char *key) {
    char path[600];
    snprintf(path, sizeof path, "%s/rank.json", out);
    const char *p = strstr(read_text_file(path), key);
    return p ? strtod(p + strlen(key) + 2, NULL) : NAN;
}

/* The supernet scorer on a one-epoch GDAS run of 48 + 48 embedded images. */
static void check_supernet_scorer(void) {
    char logs[512], cmd[3072], args[1024], run[600];
    make_temp_dir(logs, sizeof logs, "rank_runs");
    snprintf(cmd, sizeof cmd, "%s search --method gdas --set cells=1 --set train_images=48 --set valid_images=48 --set epochs=1 "
             "--set batch_size=16 --set valid_batch=16 --set rank_every=1 --set rank_cells=12 --set rank_images=24 --logs %s "
             "--run g --quiet --threads 1 > /dev/null 2>&1", supernet_bin(), logs);
    CHECK(run_command(cmd, said, sizeof said) == 0, "the GDAS run failed");
    snprintf(run, sizeof run, "%s/g", logs);
    snprintf(cmd, sizeof cmd, "cut -d, -f11,12 %s/epochs.csv | tail -1; test -s %s/ranking.png", run, run);
    double tau = NAN, rho = NAN;
    CHECK(run_command(cmd, said, sizeof said) == 0 && sscanf(said, "%lf,%lf", &tau, &rho) == 2 && fabs(tau) <= 1 && fabs(rho) <= 1,
          "rank_every = 1: no Kendall / Spearman in epochs.csv or no ranking.png: %s", said);
    static Csv one, two;
    snprintf(args, sizeof args, "%s --cells sample:40 --images 40 --threads 1", run);
    CHECK(rank(args) == 0, "supernet scorer failed: %s", said);
    read_csv(&one);
    snprintf(args, sizeof args, "%s --cells sample:40 --images 40 --threads 2", run);
    CHECK(rank(args) == 0, "supernet scorer (2 threads) failed: %s", said);
    read_csv(&two);
    CHECK(one.n == 40 && memcmp(one.score, two.score, sizeof(double) * 40) == 0, "1 and 2 threads score differently");
    int distinct = 0;
    for (int i = 1; i < one.n; i++) distinct += one.score[i] != one.score[0];
    CHECK(distinct > 0, "every cell scored %g", one.score[0]);
    snprintf(args, sizeof args, "%s --cells sample:10 --images 40 --bn-recalibrate 2 --json", run);
    CHECK(rank(args) == 0 && strstr(said, "\"bn_recalibrate\": 2"), "--bn-recalibrate 2 failed: %s", said);

    snprintf(args, sizeof args, "%s --images 49", run);
    refused(args, "more images than the run's search-valid split");
    snprintf(args, sizeof args, "%s --bn-recalibrate 4", run);
    refused(args, "more recalibration batches than search-train holds");
    snprintf(args, sizeof args, "%s --scorer params", run);
    refused(args, "a run and --scorer");
    snprintf(args, sizeof args, "%s/none", logs);
    refused(args, "a missing run folder");
    snprintf(cmd, sizeof cmd, "%s train --arch 303101 --epochs 1 --logs %s --run t --set cells=1 --set train_images=32 "
             "--set valid_images=32 --batch 32 --threads 1 --quiet > /dev/null 2>&1", supernet_bin(), logs);
    CHECK(run_command(cmd, said, sizeof said) == 0, "the training run failed");
    snprintf(args, sizeof args, "%s/t", logs);
    refused(args, "a training run's folder");
    snprintf(cmd, sizeof cmd, "head -c 3000 %s/g/checkpoint.bin > %s/g/cut && mv %s/g/cut %s/g/checkpoint.bin", logs, logs, logs, logs);
    CHECK(run_command(cmd, said, sizeof said) == 0, "cannot cut the checkpoint");
    refused(run, "a truncated checkpoint");
    remove_tree(logs);
}

int main(void) {
    static Csv c;
    char path[4096], err[256];
    snprintf(path, sizeof path, "%s/data/nasbench201.sntab", getenv("SUPERNET_ROOT") ? getenv("SUPERNET_ROOT") : "..");
    Table *t = NULL;
    CHECK(table_load_checked(path, &t, err, sizeof err) == 0, "%s", err);
    if (!t) TEST_EXIT();
    make_temp_dir(out, sizeof out, "rank");

    CHECK(rank("--scorer params") == 0, "rank --scorer params failed");
    read_csv(&c);
    int differ = 0;
    for (int i = 0; i < c.n; i++) differ += fabs(c.score[i] / 1e6 - table_arch(t, c.index[i])->params_m[NET_10]) > 5e-7;
    CHECK(c.n == 15625 && differ == 150, "all cells: %d rows, %d scores differ from the table's params", c.n, differ);
    CHECK(fabs(json_value("\"kendall_tau_200\"") - kendall_tau_b(c.score, c.acc, c.n)) < 1e-6 &&
              fabs(json_value("\"spearman_rho_200\"") - spearman_rho(c.score, c.acc, c.n)) < 1e-6,
          "rank.json's tau / rho are not those of rank.csv: %.6f / %.6f against %.6f / %.6f", json_value("\"kendall_tau_200\""),
          json_value("\"spearman_rho_200\""), kendall_tau_b(c.score, c.acc, c.n), spearman_rho(c.score, c.acc, c.n));

    CHECK(rank("--scorer flops --cells unique --dataset cifar100") == 0, "unique failed");
    read_csv(&c);
    CHECK(c.n == 6466, "unique: %d cells", c.n);
    CHECK(rank("--scorer flops --cells sample:300 --seed 4") == 0, "sample failed");
    read_csv(&c);
    static Csv again;
    CHECK(rank("--scorer flops --cells sample:300 --seed 4") == 0, "sample rerun failed");
    read_csv(&again);
    CHECK(c.n == 300 && memcmp(c.index, again.index, sizeof(int) * 300) == 0, "sample:300 is not the same 300 cells per seed");
    CHECK(rank("--scorer params --cells top:20") == 0, "top failed");
    read_csv(&c);
    int below = 0;
    for (int i = 0; i < c.n; i++) below += c.acc[i] < 91.0;
    CHECK(c.n == 20 && below == 0, "top:20: %d cells, %d below 91 %%", c.n, below);
    CHECK(json_value("\"precision_top_10%\"") >= 0 && json_value("\"rank_in_table\"") >= 1, "rank.json lacks its fields");

    CHECK(rank("") == 2, "no --scorer accepted");
    CHECK(rank("--scorer params --cells sample:1") == 2, "sample:1 accepted");
    CHECK(rank("--scorer params --cells some") == 2, "--cells some accepted");
    CHECK(rank("--scorer params --dataset cifar10-valid --metric test") == 2, "cifar10-valid test accepted");
    CHECK(rank("--scorer fisher") == 2, "an unknown scorer accepted");
    refused("--scorer params --bn-recalibrate 2", "--bn-recalibrate without a run");
    refused("--scorer params --data /tmp", "--data for a cost scorer");
    refused("--scorer params --images 8", "--images for a cost scorer");
    refused("--scorer naswot --dataset cifar100 --cells sample:2", "CIFAR-10 data for the CIFAR-100 column");
    refused("--scorer naswot --images 1 --cells sample:2", "a one-image batch");

    CHECK(rank("--scorer naswot --cells sample:4 --images 8 --threads 1") == 0, "naswot failed: %s", said);
    read_csv(&c);
    int finite = 0;
    for (int i = 0; i < c.n; i++) finite += isfinite(c.score[i]) && c.score[i] > 0;
    CHECK(c.n == 4 && finite == 4, "naswot: %d rows, %d positive finite scores", c.n, finite);

    check_supernet_scorer();
    remove_tree(out);
    table_free(t);
    TEST_EXIT();
}
