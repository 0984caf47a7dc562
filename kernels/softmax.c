/* softmax.c: softmax, log-softmax and the GDAS Gumbel-softmax draw (see softmax.h). Rows are short
 * (5 ops), so every function is a plain serial loop in double. */
#include "softmax.h"

#include <math.h>

#define GDAS_MAX_DRAWS 64

/* log(sum(exp(x[k]))) of one row, with the maximum subtracted. */
static double row_logsumexp(const float *x, int cols) {
    double top = x[0], sum = 0.0;
    for (int k = 1; k < cols; k++)
        if (x[k] > top) top = x[k];
    for (int k = 0; k < cols; k++) sum += exp((double)x[k] - top);
    return top + log(sum);
}

void softmax_forward(float *p, const float *x, int rows, int cols) {
    for (int r = 0; r < rows; r++) {
        const float *xr = x + (size_t)r * cols;
        float *pr = p + (size_t)r * cols;
        double lse = row_logsumexp(xr, cols);
        for (int k = 0; k < cols; k++) pr[k] = (float)exp((double)xr[k] - lse);
    }
}

void softmax_backward(float *dx, const float *dp, const float *p, int rows, int cols) {
    for (int r = 0; r < rows; r++) {
        const float *dpr = dp + (size_t)r * cols, *pr = p + (size_t)r * cols;
        double inner = 0.0;
        for (int k = 0; k < cols; k++) inner += (double)dpr[k] * pr[k];
        for (int k = 0; k < cols; k++) dx[(size_t)r * cols + k] += (float)(pr[k] * (dpr[k] - inner));
    }
}

void log_softmax_forward(float *y, const float *x, int rows, int cols) {
    for (int r = 0; r < rows; r++) {
        const float *xr = x + (size_t)r * cols;
        double lse = row_logsumexp(xr, cols);
        for (int k = 0; k < cols; k++) y[(size_t)r * cols + k] = (float)((double)xr[k] - lse);
    }
}

void log_softmax_backward(float *dx, const float *dy, const float *y, int rows, int cols) {
    for (int r = 0; r < rows; r++) {
        const float *dyr = dy + (size_t)r * cols, *yr = y + (size_t)r * cols;
        double sum = 0.0;
        for (int k = 0; k < cols; k++) sum += dyr[k];
        for (int k = 0; k < cols; k++) dx[(size_t)r * cols + k] += (float)(dyr[k] - exp((double)yr[k]) * sum);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Gumbel-softmax (GDAS) */

void gumbel_softmax_forward(float *p, const float *alpha, const float *gumbel, int rows, int cols, double tau) {
    for (int r = 0; r < rows; r++) {
        const float *ar = alpha + (size_t)r * cols, *gr = gumbel + (size_t)r * cols;
        double lse = row_logsumexp(ar, cols), top = -INFINITY, sum = 0.0;
        /* z_k = (log_softmax(alpha)_k + g_k) / tau, recomputed rather than stored: rows are 5 long */
        for (int k = 0; k < cols; k++) top = fmax(top, ((double)ar[k] - lse + gr[k]) / tau);
        for (int k = 0; k < cols; k++) sum += exp(((double)ar[k] - lse + gr[k]) / tau - top);
        for (int k = 0; k < cols; k++)
            p[(size_t)r * cols + k] = (float)(exp(((double)ar[k] - lse + gr[k]) / tau - top) / sum);
    }
}

void gumbel_softmax_backward(float *dalpha, const float *dp, const float *p, const float *alpha, int rows, int cols,
                             double tau) {
    for (int r = 0; r < rows; r++) {
        const float *dpr = dp + (size_t)r * cols, *pr = p + (size_t)r * cols, *ar = alpha + (size_t)r * cols;
        double inner = 0.0, dlogp_sum = 0.0, lse = row_logsumexp(ar, cols);
        for (int k = 0; k < cols; k++) inner += (double)dpr[k] * pr[k];
        /* sum(dlogp) is 0 up to rounding (p sums to 1); kept so this is the literal chain PyTorch runs */
        for (int k = 0; k < cols; k++) dlogp_sum += pr[k] * (dpr[k] - inner) / tau;
        for (int k = 0; k < cols; k++) {
            double dlogp = pr[k] * (dpr[k] - inner) / tau;
            dalpha[(size_t)r * cols + k] += (float)(dlogp - exp((double)ar[k] - lse) * dlogp_sum);
        }
    }
}

/* One draw of all gumbels and probs; returns 0 if the guard rejects it. */
static int gdas_try(float *probs, float *gumbel, const float *alpha, int rows, int cols, double tau, Rng *rng) {
    size_t n = (size_t)rows * cols;
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        double e = -log(1.0 - rng_uniform(rng)); /* Exp(1); 0 when the uniform is 0, then g = +inf */
        gumbel[i] = (float)-log(e);
        ok &= !isinf(gumbel[i]);
    }
    if (!ok) return 0;
    gumbel_softmax_forward(probs, alpha, gumbel, rows, cols, tau);
    for (size_t i = 0; i < n; i++) ok &= isfinite(probs[i]);
    return ok;
}

void gdas_sample(float *hard, float *probs, float *gumbel, int *choice, const float *alpha, int rows, int cols,
                 double tau, Rng *rng) {
    int draws = 1;
    while (!gdas_try(probs, gumbel, alpha, rows, cols, tau, rng)) {
        SN_ASSERT(++draws <= GDAS_MAX_DRAWS, "gdas_sample: %d draws in a row gave inf/NaN (tau %g)", GDAS_MAX_DRAWS,
                  tau);
    }
    for (int r = 0; r < rows; r++) {
        const float *pr = probs + (size_t)r * cols;
        int best = 0;
        for (int k = 1; k < cols; k++)
            if (pr[k] > pr[best]) best = k;
        choice[r] = best;
        for (int k = 0; k < cols; k++) hard[(size_t)r * cols + k] = k == best ? 1.0f : 0.0f;
    }
}
