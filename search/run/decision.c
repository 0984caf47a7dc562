/* decision.c: the decision criterion of a search's records (decision.h). */
#include <math.h>

#include "run/decision.h"

static double min_top_probability(const EpochRecord *r) {
    double lowest = INFINITY;
    for (int e = 0; e < ARCH_N_EDGES; e++) {
        double top = r->p[e][0];
        for (int o = 1; o < ARCH_N_OPS; o++) top = fmax(top, r->p[e][o]);
        lowest = fmin(lowest, top);
    }
    return lowest;
}

Decision decision_of(const EpochRecord *rec, int n) {
    const EpochRecord *last = &rec[n - 1];
    Decision d = {.has_probs = !isnan(last->p[0][0]), .min_top_p = NAN, .stable_epochs = 0};
    if (d.has_probs) d.min_top_p = min_top_probability(last);
    while (d.stable_epochs < n && rec[n - 1 - d.stable_epochs].code == last->code) d.stable_epochs++;
    d.decided = d.stable_epochs >= DECISION_STABLE_EPOCHS && (!d.has_probs || d.min_top_p >= DECISION_MIN_TOP_P);
    return d;
}
