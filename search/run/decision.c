/* decision.c: the decision criterion of a search's records (decision.h). */
#include <math.h>

#include "run/decision.h"

static double top_probability(const EpochRecord *r, int e) {
    double top = r->p[e][0];
    for (int o = 1; o < ARCH_N_OPS; o++) top = fmax(top, r->p[e][o]);
    return top;
}

Decision decision_of(const EpochRecord *rec, int n) {
    const EpochRecord *last = &rec[n - 1];
    Decision d = {.has_probs = !isnan(last->p[0][0]), .min_top_p = NAN, .min_top_p_all = NAN};
    if (d.has_probs) {
        int live[ARCH_N_EDGES];
        Arch cell = arch_from_code(last->code);
        arch_live_edges(&cell, live);
        d.min_top_p = d.min_top_p_all = INFINITY;
        for (int e = 0; e < ARCH_N_EDGES; e++) {
            d.min_top_p_all = fmin(d.min_top_p_all, top_probability(last, e));
            if (live[e]) d.min_top_p = fmin(d.min_top_p, top_probability(last, e));
        }
    }
    while (d.stable_epochs < n && rec[n - 1 - d.stable_epochs].code == last->code) d.stable_epochs++;
    d.decided = d.stable_epochs >= DECISION_STABLE_EPOCHS && (!d.has_probs || d.min_top_p >= DECISION_MIN_TOP_P);
    return d;
}
