/*
 * rea.c: regularised evolution (REFERENCE 7.3). A FIFO population of P cells starts from P
 * uniform cells, charged without a budget check. Each cycle: a tournament of S members drawn with
 * replacement picks the parent (the first best on ties); the child changes one edge: a node chosen
 * uniformly from {1, 2, 3}, one of its incoming edges uniformly, and a different op uniformly. The
 * cycle stops, without adding the child, when its cost would exceed the budget; otherwise the child
 * joins and the oldest member leaves. The answer is the first best cell in the whole history.
 */
#include "table_only/multitrial.h"

enum { REA_MAX_POPULATION = 1024 };

typedef struct {
    int code;
    double accuracy;
} Member;

static int mutate(int code, Rng *rng) {
    Arch a = arch_from_code(code);
    int node = 1 + (int)rng_below(rng, ARCH_N_NODES - 1);
    int edge = (node - 1) * node / 2 + (int)rng_below(rng, (uint32_t)node); /* node's edges in string order */
    int op = (int)rng_below(rng, ARCH_N_OPS - 1);
    a.op[edge] = (uint8_t)(op >= a.op[edge] ? op + 1 : op); /* uniform over the 4 other ops */
    return arch_to_code(&a);
}

static void record(MtRunResult *r, double *best, Member m) {
    r->n_evaluated++;
    if (m.accuracy > *best) *best = m.accuracy, r->best_code = m.code;
}

MtRunResult mt_run_rea(const MtOracle *o, const MtConfig *c, Rng *rng) {
    SN_ASSERT(c->rea_population >= 1 && c->rea_population <= REA_MAX_POPULATION, "population %d", c->rea_population);
    Member pop[REA_MAX_POPULATION];
    MtRunResult r = {.best_code = -1};
    double best = -1;
    int P = c->rea_population, oldest = 0; /* pop[] is a ring; pop[oldest] leaves next */
    for (int k = 0; k < P; k++) {
        int code = mt_random_code(rng);
        MtEval e = mt_evaluate(o, code);
        pop[k] = (Member){code, e.accuracy};
        r.sim_seconds += e.cost;
        record(&r, &best, pop[k]);
    }
    while (r.sim_seconds < c->budget) {
        Member parent = {-1, -1};
        for (int s = 0; s < c->rea_sample; s++) {
            Member cand = pop[(oldest + (int)rng_below(rng, (uint32_t)P)) % P];
            if (cand.accuracy > parent.accuracy) parent = cand;
        }
        int child = mutate(parent.code, rng);
        MtEval e = mt_evaluate(o, child);
        if (r.sim_seconds + e.cost > c->budget) break;
        r.sim_seconds += e.cost;
        pop[oldest] = (Member){child, e.accuracy};
        oldest = (oldest + 1) % P;
        record(&r, &best, pop[(oldest + P - 1) % P]);
    }
    return r;
}
