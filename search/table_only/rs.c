/* rs.c: random search (REFERENCE 7.2): uniform cells until the next one would exceed the
 * budget; the answer is the first cell with the highest 12-epoch validation accuracy. */
#include "table_only/multitrial.h"

MtRunResult mt_run_rs(const MtOracle *o, const MtConfig *c, Rng *rng) {
    MtRunResult r = {.best_code = -1};
    double best = -1;
    for (;;) {
        int code = mt_random_code(rng);
        MtEval e = mt_evaluate(o, code);
        if (r.sim_seconds + e.cost > c->budget) break;
        r.sim_seconds += e.cost;
        r.n_evaluated++;
        if (e.accuracy > best) best = e.accuracy, r.best_code = code;
    }
    return r;
}
