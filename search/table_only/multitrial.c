/* multitrial.c: the fitness oracle, defaults and the parallel driver of the table-only searches
 * (see multitrial.h). */
#include "table_only/multitrial.h"

#include <omp.h>

MtConfig mt_default_config(void) {
    MtConfig c = {.fitness_col = COL_C10_VALID, .budget = 12000, .runs = 500, .seed = 1,
                  .rea_population = 10, .rea_sample = 3, .rl_lr = 0.5, .rl_ema = 0.9};
    return c;
}

MtEval mt_evaluate(const MtOracle *o, int code) {
    const TableArch *a = table_arch(o->table, table_index_of_code(o->table, code));
    MtEval e = {a->acc12[o->fitness_col], table_train_time_12(a, o->fitness_col)};
    return e;
}

int mt_random_code(Rng *rng) {
    int code = 0;
    for (int e = 0; e < ARCH_N_EDGES; e++) code = code * ARCH_N_OPS + (int)rng_below(rng, ARCH_N_OPS);
    return code;
}

void multitrial_run(const Table *t, MtRunFn run, const MtConfig *c, MtRunResult *results) {
    const MtOracle oracle = {t, c->fitness_col, c->budget};
#pragma omp parallel for schedule(dynamic, 1)
    for (int r = 0; r < c->runs; r++) {
        Rng rng;
        rng_seed(&rng, c->seed, (uint64_t)r);
        double t0 = sn_now();
        results[r] = run(&oracle, c, &rng);
        results[r].wall_seconds = sn_now() - t0;
    }
}
