/*
 * matrix.h: the small dense linear algebra of the zero-cost scores (search/rank/zero_cost.c), on n x n
 * row-major doubles with n the batch size (tens): the correlation matrix of a batch's rows, the
 * eigenvalues of a symmetric matrix, the log of a determinant's magnitude.
 */
#ifndef SN_MATRIX_H
#define SN_MATRIX_H

#include <stddef.h>

/* out (rows x rows) = numpy.corrcoef(x) for x of rows x cols floats: Pearson's r of every pair of rows.
 * A constant row gives NaN in its row and column, as numpy's does. */
void corrcoef_rows(double *out, const float *x, int rows, size_t cols);

/* The eigenvalues of the symmetric matrix a (n x n, destroyed), ascending, into eig (cyclic Jacobi:
 * accurate to a few ulps of the largest for these sizes). */
void symmetric_eigenvalues(double *eig, double *a, int n);

/* log |det a| (numpy.linalg.slogdet's second value), a (n x n) destroyed; -inf when a is singular. */
double log_abs_det(double *a, int n);

#endif
