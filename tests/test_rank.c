/* test_rank.c: `supernet rank` through the binary: the cell sets (all 15,625, unique 6,466, a seeded
 * sample, the table's top K), rank.csv against the table (the params scorer is the table's own
 * parameter count except on the 150 quirk cells), rank.json's statistics recomputed from rank.csv, and
 * bad input (one line, exit 2). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/correlation.h"
#include "table.h"
#include "test_util.h"
#include "testlib.h"

static char out[512];

static int rank(const char *args) {
    char cmd[2048], text[4096];
    snprintf(cmd, sizeof cmd, "%s rank --out %s %s 2>&1", supernet_bin(), out, args);
    return run_command(cmd, text, sizeof text);
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
    CHECK(rank("--scorer synflow") == 2, "an unknown scorer accepted");
    remove_tree(out);
    table_free(t);
    TEST_EXIT();
}
