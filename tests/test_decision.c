/*
 * test_decision.c: the decision criterion of a search's records (search/run/decision.c) on made-up
 * records: the least decided edge sets min_top_p; at the threshold a run is decided, just below it
 * not; a cell that changed within the last three epochs is not decided; records without
 * probabilities (RSPS) are judged by the stable cell alone; a one-epoch run cannot be decided.
 */
#include "run/decision.h"
#include "test_util.h"

enum { N = 5 };

/* Uniform probabilities but edge 0 top = top0 and every other edge top = 0.5; cell codes given. */
static void fill(EpochRecord *rec, const int *codes, double top0) {
    for (int i = 0; i < N; i++) {
        epoch_record_clear(&rec[i]);
        rec[i].epoch = i, rec[i].code = codes[i];
        for (int e = 0; e < ARCH_N_EDGES; e++) {
            double top = e == 0 ? top0 : 0.5;
            for (int o = 0; o < ARCH_N_OPS; o++) rec[i].p[e][o] = o == 2 ? top : (1.0 - top) / (ARCH_N_OPS - 1);
        }
    }
}

int main(void) {
    EpochRecord rec[N];
    const int steady[N] = {7, 8, 9, 9, 9}, late_change[N] = {9, 9, 9, 9, 4}, all_same[N] = {3, 3, 3, 3, 3};

    fill(rec, steady, DECISION_MIN_TOP_P);
    Decision d = decision_of(rec, N);
    CHECK(d.has_probs && d.decided, "top-op probability at the threshold and 3 stable epochs: decided");
    CHECK_CLOSE(d.min_top_p, DECISION_MIN_TOP_P, 1e-12, 0, "min_top_p is the least decided edge's");
    CHECK(d.stable_epochs == 3, "stable epochs %d, expected 3", d.stable_epochs);

    fill(rec, steady, DECISION_MIN_TOP_P - 0.01);
    d = decision_of(rec, N);
    CHECK(!d.decided, "one edge below the threshold: not decided");

    fill(rec, late_change, 0.9);
    d = decision_of(rec, N);
    CHECK(!d.decided && d.stable_epochs == 1, "a cell changed at the last epoch: not decided (%d stable)", d.stable_epochs);

    fill(rec, all_same, 0.9);
    d = decision_of(rec, N);
    CHECK(d.decided && d.stable_epochs == N, "the same cell all along: %d stable", d.stable_epochs);

    for (int i = 0; i < N; i++) epoch_record_clear(&rec[i]), rec[i].code = all_same[i];
    d = decision_of(rec, N);
    CHECK(!d.has_probs && isnan(d.min_top_p) && d.decided, "no probabilities (RSPS): the stable cell decides");

    d = decision_of(rec, 1);
    CHECK(!d.decided && d.stable_epochs == 1, "one epoch cannot show a stable cell");
    TEST_EXIT();
}
