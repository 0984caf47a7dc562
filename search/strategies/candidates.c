/* candidates.c: uniform cells, RSPS candidates and SETN's top-k by alpha (see candidates.h). */
#include "strategies/candidates.h"

#include <stdlib.h>

#include "softmax.h"

Arch arch_uniform(Rng *rng) {
    Arch a;
    for (int e = 0; e < ARCH_N_EDGES; e++) a.op[e] = (uint8_t)rng_below(rng, ARCH_N_OPS);
    return a;
}

void rsps_candidates(Rng *rng, int k, Arch *out) {
    for (int i = 0; i < k; i++) out[i] = arch_uniform(rng);
}

typedef struct {
    float score;
    int code;
} Scored;

/* Descending score; the code (enumeration position) breaks ties, which makes qsort stable here. */
static int by_score_then_code(const void *pa, const void *pb) {
    const Scored *a = pa, *b = pb;
    if (a->score != b->score) return a->score > b->score ? -1 : 1;
    return (a->code > b->code) - (a->code < b->code);
}

void setn_top_k(const float *alpha, int k, Arch *out, float *scores) {
    SN_ASSERT(k >= 1 && k <= ARCH_N_CELLS, "setn_top_k: k = %d", k);
    float logp[ARCH_N_EDGES * ARCH_N_OPS];
    log_softmax_forward(logp, alpha, ARCH_N_EDGES, ARCH_N_OPS);
    Scored *all = sn_alloc(sizeof(Scored) * ARCH_N_CELLS);
    for (int code = 0; code < ARCH_N_CELLS; code++) {
        Arch a = arch_from_code(code);
        float s = 0.0f;
        for (int e = 0; e < ARCH_N_EDGES; e++) s += logp[e * ARCH_N_OPS + a.op[e]];
        all[code] = (Scored){s, code};
    }
    qsort(all, ARCH_N_CELLS, sizeof(Scored), by_score_then_code);
    for (int i = 0; i < k; i++) {
        out[i] = arch_from_code(all[i].code);
        if (scores) scores[i] = all[i].score;
    }
    sn_free(all);
}
