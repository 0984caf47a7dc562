/*
 * test_decision.c: the decision criterion of a search's records (search/run/decision.c) on made-up
 * records: the least decided live edge sets min_top_p; at the threshold a run is decided, just below
 * it not; a dead edge (arch_live_edges) below the threshold does not count; a cell that changed
 * within the last three epochs is not decided; records without probabilities (RSPS) are judged by
 * the stable cell alone; a one-epoch run cannot be decided.
 */
#include "run/decision.h"
#include "test_util.h"

enum { N = 5 };

/* Every edge's top op at 0.5 except edge `low_edge` at `low`; the cells given as op-code digits. */
static void fill(EpochRecord *rec, const char *const *cells, int low_edge, double low) {
    for (int i = 0; i < N; i++) {
        epoch_record_clear(&rec[i]);
        rec[i].epoch = i, rec[i].code = arch_code_parse(cells[i]);
        for (int e = 0; e < ARCH_N_EDGES; e++) {
            double top = e == low_edge ? low : 0.5;
            for (int o = 0; o < ARCH_N_OPS; o++) rec[i].p[e][o] = o == 2 ? top : (1.0 - top) / (ARCH_N_OPS - 1);
        }
    }
}

int main(void) {
    EpochRecord rec[N];
    /* all edges live; the same; node 1 cut off from the input (edge 0 none: edges 2 and 4 dead) */
    const char *steady[N] = {"333332", "333331", "333333", "333333", "333333"};
    const char *late_change[N] = {"333333", "333333", "333333", "333333", "333331"};
    const char *node1_dead[N] = {"033333", "033333", "033333", "033333", "033333"};

    fill(rec, steady, 0, DECISION_MIN_TOP_P);
    Decision d = decision_of(rec, N);
    CHECK(d.has_probs && d.decided, "top-op probability at the threshold and 3 stable epochs: decided");
    CHECK_CLOSE(d.min_top_p, DECISION_MIN_TOP_P, 1e-12, 0, "min_top_p is the least decided edge's");
    CHECK(d.stable_epochs == 3, "stable epochs %d, expected 3", d.stable_epochs);

    fill(rec, steady, 0, DECISION_MIN_TOP_P - 0.01);
    CHECK(!decision_of(rec, N).decided, "one live edge below the threshold: not decided");

    fill(rec, node1_dead, 4, 0.21);
    d = decision_of(rec, N);
    CHECK(d.decided && d.min_top_p == 0.5 && d.min_top_p_all == 0.21, "a dead edge at 0.21 does not count (%.2f, %.2f)", d.min_top_p, d.min_top_p_all);
    fill(rec, node1_dead, 0, 0.21);
    CHECK(!decision_of(rec, N).decided, "edge 0 (none, but live) at 0.21: not decided");

    fill(rec, late_change, 0, 0.9);
    d = decision_of(rec, N);
    CHECK(!d.decided && d.stable_epochs == 1, "a cell changed at the last epoch: not decided (%d stable)", d.stable_epochs);

    fill(rec, node1_dead, 0, 0.9);
    d = decision_of(rec, N);
    CHECK(d.decided && d.stable_epochs == N, "the same cell all along: %d stable", d.stable_epochs);

    for (int i = 0; i < N; i++) epoch_record_clear(&rec[i]), rec[i].code = arch_code_parse(node1_dead[i]);
    d = decision_of(rec, N);
    CHECK(!d.has_probs && isnan(d.min_top_p) && d.decided, "no probabilities (RSPS): the stable cell decides");

    d = decision_of(rec, 1);
    CHECK(!d.decided && d.stable_epochs == 1, "one epoch cannot show a stable cell");
    TEST_EXIT();
}
