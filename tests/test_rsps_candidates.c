/*
 * test_rsps_candidates.c: uniform random cells (search/strategies/candidates.c, REFERENCE 1.7 and 6.5).
 * - rsps_candidates(k) is k successive arch_uniform draws, and the same seed gives the same cells;
 * - 60,000 draws: every (edge, op) frequency is 1/5 and the (edge 1<-0, edge 3<-2) pair frequencies
 *   1/25, each within 5 binomial standard deviations; `none` is drawn (no filtering of disconnected
 *   cells, as the reference).
 */
#include <math.h>
#include <string.h>

#include "strategies/candidates.h"
#include "test_util.h"

enum { DRAWS = 60000 };

int main(void) {
    Rng a, b;
    rng_seed(&a, 9, 3), rng_seed(&b, 9, 3);
    Arch list[100], one[100];
    rsps_candidates(&a, 100, list);
    for (int i = 0; i < 100; i++) one[i] = arch_uniform(&b);
    CHECK(memcmp(list, one, sizeof list) == 0, "k candidates = k uniform draws from the same stream");

    static Arch draws[DRAWS];
    rsps_candidates(&a, DRAWS, draws);
    int counts[6][5] = {{0}}, pairs[5][5] = {{0}}, all_none = 0;
    for (int i = 0; i < DRAWS; i++) {
        int zero = 1;
        for (int e = 0; e < 6; e++) counts[e][draws[i].op[e]]++, zero &= draws[i].op[e] == OP_NONE;
        pairs[draws[i].op[0]][draws[i].op[5]]++;
        all_none += zero;
    }
    double sd5 = sqrt(DRAWS * 0.2 * 0.8), sd25 = sqrt(DRAWS * 0.04 * 0.96);
    for (int e = 0; e < 6; e++)
        for (int k = 0; k < 5; k++)
            CHECK(fabs(counts[e][k] - DRAWS * 0.2) <= 5 * sd5, "edge %d op %d: %d of %d", e, k, counts[e][k], DRAWS);
    for (int x = 0; x < 5; x++)
        for (int y = 0; y < 5; y++)
            CHECK(fabs(pairs[x][y] - DRAWS * 0.04) <= 5 * sd25, "pair (%d, %d): %d", x, y, pairs[x][y]);
    CHECK(counts[0][OP_NONE] > 0, "none is drawn");
    printf("60000 uniform cells: %d all-none\n", all_none);
    TEST_EXIT();
}
