/*
 * decision.h: whether a search's per-epoch records show that it decided (issue 20's criterion for
 * the quick profiles, reported for every run): at the last epoch the most probable op of every edge
 * has probability at least DECISION_MIN_TOP_P (softmax(alpha), or ENAS's policy along its greedy path;
 * skipped for RSPS, which logs none), and the derived cell is the same over the last
 * DECISION_STABLE_EPOCHS epochs. A search that ends with near-uniform probabilities, or whose cell
 * still changes from epoch to epoch, reports noise rather than a choice.
 */
#ifndef SN_DECISION_H
#define SN_DECISION_H

#include "run/epoch_record.h"

#define DECISION_MIN_TOP_P 0.3
enum { DECISION_STABLE_EPOCHS = 3 };

typedef struct {
    int has_probs;     /* the last record holds op probabilities */
    double min_top_p;  /* min over edges of the top op's probability at the last epoch (NaN: none) */
    int stable_epochs; /* how many trailing epochs derived the last epoch's cell */
    int decided;       /* both parts of the criterion hold */
} Decision;

/* The decision of records rec[0..n-1] (n >= 1), in epoch order. */
Decision decision_of(const EpochRecord *rec, int n);

#endif
