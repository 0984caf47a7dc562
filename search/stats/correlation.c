/* correlation.c: Pearson, Spearman and Kendall tau-b (see correlation.h). O(n log n) ranks, O(n^2)
 * Kendall: fine for the few thousand items the studies compare. */
#include "stats/correlation.h"

#include <math.h>
#include <stdlib.h>

double pearson_r(const double *x, const double *y, int n) {
    double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < n; i++) mx += x[i], my += y[i];
    mx /= n, my /= n;
    for (int i = 0; i < n; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : NAN;
}

typedef struct {
    double v;
    int i;
} Keyed;

static int by_value(const void *a, const void *b) {
    double x = ((const Keyed *)a)->v, y = ((const Keyed *)b)->v;
    return (x > y) - (x < y);
}

/* rank[i] of x[i] among x, 1-based, ties at their mean rank. */
static void ranks(const double *x, int n, double *rank) {
    Keyed *k = malloc(sizeof *k * (size_t)n);
    for (int i = 0; i < n; i++) k[i] = (Keyed){x[i], i};
    qsort(k, (size_t)n, sizeof *k, by_value);
    for (int s = 0; s < n;) {
        int e = s;
        while (e + 1 < n && k[e + 1].v == k[s].v) e++;
        for (int j = s; j <= e; j++) rank[k[j].i] = 0.5 * (s + e) + 1;
        s = e + 1;
    }
    free(k);
}

double spearman_rho(const double *x, const double *y, int n) {
    double *rx = malloc(sizeof *rx * (size_t)n), *ry = malloc(sizeof *ry * (size_t)n);
    ranks(x, n, rx), ranks(y, n, ry);
    double r = pearson_r(rx, ry, n);
    free(rx), free(ry);
    return r;
}

static int sign(double v) { return (v > 0) - (v < 0); }

double kendall_tau_b(const double *x, const double *y, int n) {
    double concordant = 0, tied_x = 0, tied_y = 0, pairs = 0;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            int sx = sign(x[i] - x[j]), sy = sign(y[i] - y[j]);
            pairs++;
            if (sx == 0) tied_x++;
            if (sy == 0) tied_y++;
            concordant += sx * sy;
        }
    double denom = sqrt((pairs - tied_x) * (pairs - tied_y));
    return denom > 0 ? concordant / denom : NAN;
}
