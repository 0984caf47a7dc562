/* test_correlation.c: Pearson, Spearman and Kendall tau-b against the values scipy.stats documents for
 * its own examples (pearsonr, spearmanr, kendalltau), ties included, and their edge cases. */
#include <math.h>

#include "stats/correlation.h"
#include "test_util.h"

int main(void) {
    const double px[] = {1, 2, 3, 4, 5, 6, 7}, py[] = {10, 9, 2.5, 6, 4, 3, 2};
    CHECK_CLOSE(pearson_r(px, py, 7), -0.8285038835884277, 1e-12, 0, "pearsonr example");
    const double sx[] = {1, 2, 3, 4, 5}, sy[] = {5, 6, 7, 8, 7}; /* a tie in y */
    CHECK_CLOSE(spearman_rho(sx, sy, 5), 0.8207826816681233, 1e-12, 0, "spearmanr example");
    const double kx[] = {12, 2, 1, 12, 2}, ky[] = {1, 4, 7, 1, 0}; /* ties in both */
    CHECK_CLOSE(kendall_tau_b(kx, ky, 5), -0.47140452079103173, 1e-12, 0, "kendalltau example");
    const double up[] = {1, 2, 3, 4}, down[] = {8, 6, 4, 2}, flat[] = {3, 3, 3, 3};
    CHECK_CLOSE(spearman_rho(up, down, 4), -1.0, 1e-12, 0, "reversed order");
    CHECK_CLOSE(kendall_tau_b(up, up, 4), 1.0, 1e-12, 0, "same order");
    CHECK(isnan(spearman_rho(up, flat, 4)) && isnan(kendall_tau_b(flat, up, 4)) && isnan(pearson_r(flat, up, 4)),
          "a constant input gives NaN");
    TEST_EXIT();
}
