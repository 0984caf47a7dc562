/*
 * naive_lstm.h: a double-precision LSTM step written from the torch.nn.LSTM definition (gates i, f, g,
 * o; both bias vectors), independent of kernels/lstm.c, in the same flat parameter layout (lstm.h).
 * The tests take finite differences of this function, whose rounding error is far below float's.
 */
#ifndef SN_NAIVE_LSTM_H
#define SN_NAIVE_LSTM_H

/* h, c, h_prev, c_prev: (layers, batch, hidden); x: (batch, input). */
void naive_lstm_step(double *h, double *c, const double *x, const double *h_prev, const double *c_prev,
                     const double *params, int batch, int input, int hidden, int layers);

#endif
