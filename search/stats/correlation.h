/*
 * correlation.h: how well two scores of the same items agree: Pearson's r, Spearman's rank correlation
 * (Pearson's r of the ranks, tied values sharing their mean rank) and Kendall's tau-b (concordant minus
 * discordant pairs, corrected for ties on either side), as scipy.stats computes them. For comparing a
 * measurement with the benchmark table over cells (supernet train --report; the ranking studies).
 * n >= 2; a constant input gives NaN.
 */
#ifndef SN_CORRELATION_H
#define SN_CORRELATION_H

double pearson_r(const double *x, const double *y, int n);
double spearman_rho(const double *x, const double *y, int n);
double kendall_tau_b(const double *x, const double *y, int n);

#endif
