/* test_multitrial.c: the table-only searches: fixed-seed runs against recorded results, behaviour at
 * the budget edges (REA's unchecked initial population, REINFORCE's over-budget trace entry, BOHB's
 * Hyperband schedule), RS replayed independently, and identical results on 1 and 2 threads. */
#define _POSIX_C_SOURCE 200809L
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "methods.h"
#include "test_util.h"

enum { KNOWN_RUNS = 3 };

static Table *table;

static void run_method(const char *name, double budget, int runs, uint64_t seed, MtRunResult *r) {
    MtConfig c = mt_default_config();
    c.budget = budget, c.runs = runs, c.seed = seed;
    multitrial_run(table, method_find(name)->run_on_table, &c, r);
}

/* Recorded with seed 7 (runs 0..2): the chosen benchmark index and the number of cells evaluated. */
static void test_known_results(void) {
    static const struct {
        const char *method;
        int runs[KNOWN_RUNS][2];
    } KNOWN[] = {
        {"rs", {{869, 107}, {733, 107}, {10715, 112}}},
        {"rea", {{11232, 99}, {13539, 114}, {1177, 114}}},
        {"reinforce", {{13720, 113}, {12404, 109}, {11232, 112}}},
        {"bohb", {{7407, 101}, {11533, 113}, {1617, 111}}},
    };
    int n_table_only = 0;
    for (int m = 0; m < N_METHODS; m++) n_table_only += METHODS[m].kind == METHOD_TABLE_ONLY;
    CHECK(n_table_only == (int)(sizeof KNOWN / sizeof KNOWN[0]), "%d table-only methods, %d with recorded results", n_table_only, (int)(sizeof KNOWN / sizeof KNOWN[0]));
    for (size_t m = 0; m < sizeof KNOWN / sizeof KNOWN[0]; m++) {
        MtRunResult r[KNOWN_RUNS];
        const char *name = KNOWN[m].method;
        run_method(name, 12000, KNOWN_RUNS, 7, r);
        for (int i = 0; i < KNOWN_RUNS; i++) {
            int index = table_index_of_code(table, r[i].best_code);
            CHECK(index == KNOWN[m].runs[i][0] && r[i].n_evaluated == KNOWN[m].runs[i][1], "%s run %d: index %d, %d evaluated; recorded %d, %d",
                  name, i, index, r[i].n_evaluated, KNOWN[m].runs[i][0], KNOWN[m].runs[i][1]);
            CHECK(r[i].sim_seconds <= 12000 && r[i].sim_seconds > 12000 - 300, "%s run %d charged %.1f s", name, i, r[i].sim_seconds);
        }
    }
}

/* RS replayed from the same stream: the first cell with the best 12-epoch accuracy among those
 * that fit the budget. */
static void test_rs_replay(void) {
    MtRunResult r;
    run_method("rs", 12000, 1, 99, &r);
    Rng rng;
    rng_seed(&rng, 99, 0);
    const MtOracle o = {table, COL_C10_VALID, 12000};
    double spent = 0, best = -1;
    int best_code = -1, n = 0;
    for (;;) {
        int code = mt_random_code(&rng);
        MtEval e = mt_evaluate(&o, code);
        if (spent + e.cost > 12000) break;
        spent += e.cost, n++;
        if (e.accuracy > best) best = e.accuracy, best_code = code;
    }
    CHECK(r.best_code == best_code && r.n_evaluated == n && r.sim_seconds == spent, "RS replay: %d/%d vs %d/%d", r.best_code, r.n_evaluated, best_code, n);
}

static void test_budget_edges(void) {
    MtRunResult r[4];
    run_method("rea", 1, 4, 5, r);
    for (int i = 0; i < 4; i++)
        CHECK(r[i].n_evaluated == 10 && r[i].sim_seconds > 1, "REA with a 1 s budget: %d evaluated, %.1f s (the 10 initial cells are charged unchecked)", r[i].n_evaluated, r[i].sim_seconds);
    run_method("reinforce", 1, 4, 5, r);
    for (int i = 0; i < 4; i++)
        CHECK(r[i].n_evaluated == 1 && r[i].best_code >= 0 && r[i].sim_seconds == 0, "REINFORCE with a 1 s budget: %d in trace", r[i].n_evaluated);
    run_method("rs", 1, 4, 5, r);
    for (int i = 0; i < 4; i++) CHECK(r[i].n_evaluated == 0 && r[i].sim_seconds == 0, "RS with a 1 s budget evaluated %d", r[i].n_evaluated);
    /* Unlimited budget: 50 Hyperband iterations = 16 cycles of (9+3+1) + (3+1) + 3, then 13 + 4. */
    run_method("bohb", 1e9, 2, 5, r);
    for (int i = 0; i < 2; i++) CHECK(r[i].n_evaluated == 16 * 20 + 13 + 4, "BOHB schedule: %d evaluations", r[i].n_evaluated);
}

static void test_thread_independence(void) {
    enum { RUNS = 40 };
    for (int m = 0; m < N_METHODS; m++) {
        if (METHODS[m].kind != METHOD_TABLE_ONLY) continue;
        MtRunResult one[RUNS], two[RUNS];
        omp_set_num_threads(1);
        run_method(METHODS[m].name, 12000, RUNS, 11, one);
        omp_set_num_threads(2);
        run_method(METHODS[m].name, 12000, RUNS, 11, two);
        int same = 1;
        for (int i = 0; i < RUNS; i++)
            same &= one[i].best_code == two[i].best_code && one[i].n_evaluated == two[i].n_evaluated && one[i].sim_seconds == two[i].sim_seconds;
        CHECK(same, "%s differs between 1 and 2 threads", METHODS[m].name);
    }
}

/* The CLI writes identical CSVs for 1 and 2 threads, and rejects a bad method with status 2. */
static void test_cli(void) {
    const char *bin = getenv("SUPERNET_BIN");
    char dir[64], cmd[1024], a[1 << 15], b[1 << 15];
    snprintf(dir, sizeof dir, "/tmp/sn_test_search_%d", (int)getpid());
    for (int threads = 1; threads <= 2; threads++) {
        snprintf(cmd, sizeof cmd, "'%s' search --method bohb --runs 30 --seed 4 --threads %d --json --out-dir %s/t%d > /dev/null",
                 bin ? bin : "../build/supernet", threads, dir, threads);
        CHECK(system(cmd) == 0, "%s failed", cmd);
    }
    for (int threads = 1; threads <= 2; threads++) {
        snprintf(cmd, sizeof cmd, "%s/t%d/search-bohb-cifar10-valid-seed4.csv", dir, threads);
        FILE *f = fopen(cmd, "r");
        CHECK(f != NULL, "missing %s", cmd);
        if (!f) return;
        size_t n = fread(threads == 1 ? a : b, 1, sizeof a - 1, f);
        (threads == 1 ? a : b)[n] = '\0';
        fclose(f);
    }
    CHECK(strcmp(a, b) == 0 && strncmp(a, "run,best_index,", 15) == 0, "CSV differs between 1 and 2 threads");
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0, "cleanup");
    snprintf(cmd, sizeof cmd, "'%s' search --method bogus 2> /dev/null", bin ? bin : "../build/supernet");
    int status = system(cmd);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 2, "bad --method: status %d", status);
}

int main(void) {
    const char *root = getenv("SUPERNET_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/data/nasbench201.sntab", root ? root : "..");
    table = table_load(path);
    test_known_results();
    test_rs_replay();
    test_budget_edges();
    test_thread_independence();
    test_cli();
    table_free(table);
    TEST_EXIT();
}
