/*
 * test_setn_topk.c: SETN's candidate list (search/strategies/candidates.c, REFERENCE 6.4 step 2).
 * - enumeration order: the reference's Structure.gen_all order, rebuilt here node by node as the
 *   reference builds it (edge 1<-0 slowest), is code order; with all alpha equal every score ties and
 *   the top k are the first k cells of that order (cell 0 = all none);
 * - ties: alpha rows favouring skip_connect and nor_conv_3x3 equally give 64 tied best cells, returned
 *   in enumeration order, followed by the next score level;
 * - random alpha ~ N(0,1): the list equals an independent ranking of all 15,625 cells by the
 *   double-precision score (descending, code order on ties); alpha ~ 1e-3 N(0,1) (the initialisation,
 *   where scores of about -9.66 differ by less than float's resolution, 1e-6): the list agrees with
 *   that ranking within 4e-6 (about 4 float ulps of the sum); in both the float scores are the sums
 *   and non-increasing; k = 15,625 returns every cell once;
 * - one dominant op per edge: that cell comes first.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "strategies/candidates.h"
#include "test_util.h"

enum { N = ARCH_N_CELLS, K = 100 };

/* Structure.gen_all: node 1's choices, then for each node the previous list times the node's own
 * combinations (its first input slowest). Returns the codes in that order. */
static void gen_all_order(int *codes) {
    int n = 0;
    for (int a = 0; a < 5; a++)
        for (int b = 0; b < 5; b++)
            for (int c = 0; c < 5; c++)
                for (int d = 0; d < 5; d++)
                    for (int e = 0; e < 5; e++)
                        for (int f = 0; f < 5; f++) {
                            Arch x = {{(uint8_t)a, (uint8_t)b, (uint8_t)c, (uint8_t)d, (uint8_t)e, (uint8_t)f}};
                            codes[n++] = arch_to_code(&x);
                        }
}

typedef struct {
    double score;
    int code;
} Ranked;

static int ranked_cmp(const void *pa, const void *pb) {
    const Ranked *a = pa, *b = pb;
    if (a->score != b->score) return a->score > b->score ? -1 : 1;
    return a->code - b->code;
}

static double row_logp(const float *alpha, int e, int op) {
    double top = alpha[e * 5], s = 0.0;
    for (int k = 1; k < 5; k++) top = fmax(top, alpha[e * 5 + k]);
    for (int k = 0; k < 5; k++) s += exp(alpha[e * 5 + k] - top);
    return alpha[e * 5 + op] - top - log(s);
}

/* The list against the double-precision ranking of all cells. With tol = 0 it must be identical;
 * otherwise (alpha so small that many float sums nearly tie) every listed cell must be within tol of
 * the k-th best double score and the list's double scores non-increasing up to tol. */
static void check_against_ranking(const float *alpha, double tol, const char *what) {
    Ranked *all = malloc(sizeof(Ranked) * N);
    double *exact = malloc(sizeof(double) * N);
    for (int code = 0; code < N; code++) {
        Arch a = arch_from_code(code);
        all[code].code = code, all[code].score = 0.0;
        for (int e = 0; e < 6; e++) all[code].score += row_logp(alpha, e, a.op[e]);
        exact[code] = all[code].score;
    }
    qsort(all, N, sizeof(Ranked), ranked_cmp);
    Arch top[K];
    float scores[K];
    setn_top_k(alpha, K, top, scores);
    int same = 1, close = 1, sums = 1, order = 1;
    for (int i = 0; i < K; i++) {
        double mine = exact[arch_to_code(&top[i])];
        same &= arch_to_code(&top[i]) == all[i].code;
        close &= mine >= all[K - 1].score - tol && (i == 0 || mine <= exact[arch_to_code(&top[i - 1])] + tol);
        sums &= fabs(scores[i] - mine) <= 1e-5 * (1 + fabs(mine));
        if (i) order &= scores[i] <= scores[i - 1];
    }
    if (tol == 0) CHECK(same, "%s: top %d equals the double-precision ranking", what, K);
    else CHECK(close, "%s: top %d agrees with the double-precision ranking within %g", what, K, tol);
    CHECK(sums && order, "%s: scores are the log-probability sums, non-increasing", what);
    free(all), free(exact);
}

int main(void) {
    int *order = malloc(sizeof(int) * N);
    gen_all_order(order);
    int in_code_order = 1;
    for (int i = 0; i < N; i++) in_code_order &= order[i] == i;
    CHECK(in_code_order, "gen_all order is code order");
    free(order);

    float alpha[30] = {0};
    Arch top[K];
    float scores[K];
    setn_top_k(alpha, K, top, scores);
    int first = 1;
    for (int i = 0; i < K; i++) first &= arch_to_code(&top[i]) == i && scores[i] == scores[0];
    CHECK(first, "all alpha equal: the first %d cells in enumeration order", K);
    char s[ARCH_STR_MAX];
    arch_format(&top[0], s);
    CHECK(strcmp(s, "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|") == 0, "first cell %s", s);

    for (int e = 0; e < 6; e++) alpha[e * 5 + OP_SKIP] = alpha[e * 5 + OP_CONV3] = 2.0f;
    setn_top_k(alpha, K, top, scores);
    int prev = -1, tied = 1;
    for (int i = 0; i < 64; i++) {
        int code = arch_to_code(&top[i]);
        for (int e = 0; e < 6; e++) tied &= top[i].op[e] == OP_SKIP || top[i].op[e] == OP_CONV3;
        tied &= code > prev && scores[i] == scores[0];
        prev = code;
    }
    CHECK(tied, "64 tied best cells in enumeration order");
    CHECK(scores[64] < scores[63], "then the next score level");

    Rng rng;
    rng_seed(&rng, 4, 0);
    for (int i = 0; i < 30; i++) alpha[i] = (float)(1e-3 * rng_normal(&rng));
    check_against_ranking(alpha, 4e-6, "alpha ~ 1e-3 N(0,1) (the initialisation)");
    for (int i = 0; i < 30; i++) alpha[i] = (float)rng_normal(&rng);
    check_against_ranking(alpha, 0, "alpha ~ N(0,1)");

    Arch *every = malloc(sizeof(Arch) * N);
    setn_top_k(alpha, N, every, NULL);
    char *seen = calloc(N, 1);
    int once = 1;
    for (int i = 0; i < N; i++) once &= !seen[arch_to_code(&every[i])]++;
    CHECK(once, "k = 15625 lists every cell once");
    free(every), free(seen);

    Arch want = {{3, 1, 4, 0, 2, 3}};
    for (int i = 0; i < 30; i++) alpha[i] = 0.0f;
    for (int e = 0; e < 6; e++) alpha[e * 5 + want.op[e]] = 3.0f;
    setn_top_k(alpha, 1, top, NULL);
    CHECK(memcmp(&top[0], &want, sizeof want) == 0, "a dominant op per edge wins");
    TEST_EXIT();
}
