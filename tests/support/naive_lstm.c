/* naive_lstm.c: see naive_lstm.h. One explicit loop per gate row; no BLAS. */
#include "naive_lstm.h"

#include <math.h>

static double sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

/* Pre-activation of gate row r (0 .. 4 hidden - 1) of one layer for one batch row. */
static double gate_row(const double *w_ih, const double *w_hh, const double *b_ih, const double *b_hh,
                       const double *x, int in, const double *h_prev, int hidden, int r) {
    double s = b_ih[r] + b_hh[r];
    for (int k = 0; k < in; k++) s += w_ih[r * in + k] * x[k];
    for (int k = 0; k < hidden; k++) s += w_hh[r * hidden + k] * h_prev[k];
    return s;
}

void naive_lstm_step(double *h, double *c, const double *x, const double *h_prev, const double *c_prev,
                     const double *params, int batch, int input, int hidden, int layers) {
    const double *p = params;
    for (int l = 0; l < layers; l++) {
        int in = l == 0 ? input : hidden;
        const double *w_ih = p, *w_hh = w_ih + 4 * hidden * in, *b_ih = w_hh + 4 * hidden * hidden;
        const double *b_hh = b_ih + 4 * hidden;
        p = b_hh + 4 * hidden;
        for (int n = 0; n < batch; n++) {
            const double *xl = l == 0 ? x + n * input : h + ((l - 1) * batch + n) * hidden;
            const double *hp = h_prev + (l * batch + n) * hidden, *cp = c_prev + (l * batch + n) * hidden;
            for (int j = 0; j < hidden; j++) {
                double i = sigmoid(gate_row(w_ih, w_hh, b_ih, b_hh, xl, in, hp, hidden, j));
                double f = sigmoid(gate_row(w_ih, w_hh, b_ih, b_hh, xl, in, hp, hidden, hidden + j));
                double g = tanh(gate_row(w_ih, w_hh, b_ih, b_hh, xl, in, hp, hidden, 2 * hidden + j));
                double o = sigmoid(gate_row(w_ih, w_hh, b_ih, b_hh, xl, in, hp, hidden, 3 * hidden + j));
                int k = (l * batch + n) * hidden + j;
                c[k] = f * cp[j] + i * g;
                h[k] = o * tanh(c[k]);
            }
        }
    }
}
