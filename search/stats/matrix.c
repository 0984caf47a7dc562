/* matrix.c: correlation matrix, symmetric eigenvalues, log |determinant| (see matrix.h). */
#include "stats/matrix.h"

#include <math.h>
#include <stdlib.h>

#include "common.h"

void corrcoef_rows(double *out, const float *x, int rows, size_t cols) {
    double *z = sn_alloc(sizeof(double) * (size_t)rows * cols);
    for (int i = 0; i < rows; i++) { /* each row centred and scaled to unit norm */
        const float *r = x + (size_t)i * cols;
        double mean = 0, norm = 0;
        for (size_t k = 0; k < cols; k++) mean += r[k];
        mean /= (double)cols;
        for (size_t k = 0; k < cols; k++) norm += (r[k] - mean) * (r[k] - mean);
        norm = sqrt(norm);
        for (size_t k = 0; k < cols; k++) z[(size_t)i * cols + k] = (r[k] - mean) / norm;
    }
    for (int i = 0; i < rows; i++)
        for (int j = i; j < rows; j++) {
            double dot = 0;
            for (size_t k = 0; k < cols; k++) dot += z[(size_t)i * cols + k] * z[(size_t)j * cols + k];
            out[i * rows + j] = out[j * rows + i] = dot;
        }
    sn_free(z);
}

static double off_diagonal(const double *a, int n) {
    double s = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            if (i != j) s += a[i * n + j] * a[i * n + j];
    return s;
}

/* One Jacobi rotation zeroing a[p][q]. */
static void rotate(double *a, int n, int p, int q) {
    double apq = a[p * n + q];
    if (apq == 0.0) return;
    double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
    double t = (theta >= 0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1));
    double c = 1 / sqrt(t * t + 1), s = t * c;
    for (int k = 0; k < n; k++) { /* columns p and q */
        double akp = a[k * n + p], akq = a[k * n + q];
        a[k * n + p] = c * akp - s * akq, a[k * n + q] = s * akp + c * akq;
    }
    for (int k = 0; k < n; k++) { /* rows p and q */
        double apk = a[p * n + k], aqk = a[q * n + k];
        a[p * n + k] = c * apk - s * aqk, a[q * n + k] = s * apk + c * aqk;
    }
}

static int ascending(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

void symmetric_eigenvalues(double *eig, double *a, int n) {
    double scale = 0;
    for (int i = 0; i < n * n; i++) scale += a[i] * a[i];
    for (int sweep = 0; sweep < 100 && off_diagonal(a, n) > 1e-30 * scale; sweep++)
        for (int p = 0; p < n - 1; p++)
            for (int q = p + 1; q < n; q++) rotate(a, n, p, q);
    for (int i = 0; i < n; i++) eig[i] = a[i * n + i];
    qsort(eig, (size_t)n, sizeof(double), ascending);
}

double log_abs_det(double *a, int n) {
    double log_det = 0;
    for (int col = 0; col < n; col++) {
        int pivot = col;
        for (int r = col + 1; r < n; r++)
            if (fabs(a[r * n + col]) > fabs(a[pivot * n + col])) pivot = r;
        if (a[pivot * n + col] == 0.0) return -INFINITY;
        for (int k = 0; k < n && pivot != col; k++) {
            double t = a[col * n + k];
            a[col * n + k] = a[pivot * n + k], a[pivot * n + k] = t;
        }
        double d = a[col * n + col];
        log_det += log(fabs(d));
        for (int r = col + 1; r < n; r++) {
            double f = a[r * n + col] / d;
            for (int k = col; k < n; k++) a[r * n + k] -= f * a[col * n + k];
        }
    }
    return log_det;
}
