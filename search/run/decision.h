/*
 * decision.h: whether a search's per-epoch records show that it decided (issue 20's criterion for
 * the quick profiles, reported for every run): at the last epoch the most probable op of every edge
 * the derived cell depends on has probability at least DECISION_MIN_TOP_P (softmax(alpha), or ENAS's
 * policy along its greedy path; skipped for RSPS, which logs none), and the derived cell is the same
 * over the last DECISION_STABLE_EPOCHS epochs. A search that ends with near-uniform probabilities, or
 * whose cell still changes from epoch to epoch, reports noise rather than a choice.
 * Dead edges (arch_live_edges: cut off from the input or the output by none) are left out: no
 * gradient reaches them once the cell routes around them, their op does not change what the cell
 * computes, and the benchmark folds such cells together (its 6,466 unique cells).
 */
#ifndef SN_DECISION_H
#define SN_DECISION_H

#include "run/epoch_record.h"

#define DECISION_MIN_TOP_P 0.3
enum { DECISION_STABLE_EPOCHS = 3 };

typedef struct {
    int has_probs;     /* the last record holds op probabilities */
    double min_top_p;  /* min over the live edges of the top op's probability at the last epoch (NaN: none) */
    double min_top_p_all; /* the same over all six edges */
    int stable_epochs; /* how many trailing epochs derived the last epoch's cell */
    int decided;       /* both parts of the criterion hold */
} Decision;

/* The decision of records rec[0..n-1] (n >= 1), in epoch order. */
Decision decision_of(const EpochRecord *rec, int n);

#endif
