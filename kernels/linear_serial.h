/*
 * linear_serial.h: the products of a fully connected layer (linear.h conventions: x (batch, in),
 * weight (out, in), y (batch, out)) for tiny sizes, on BLIS sgemm with a one-thread runtime. Used by
 * the ENAS controller (one row of 32 against 128 x 32 LSTM weights, a 32 -> 5 head). Through the
 * threaded BLIS of linear.h each call would open an OpenMP parallel region, which for products this
 * small costs far more than the product: measured 3 min 23 s against 7 s for the controller's toy
 * test with OMP_NUM_THREADS=2 on a busy 2-core machine.
 */
#ifndef SN_LINEAR_SERIAL_H
#define SN_LINEAR_SERIAL_H

/* y += x weight^T (no bias; y keeps what it held). */
void linear_serial_forward_acc(float *y, const float *x, const float *weight, int batch, int in, int out);

/* dx += dy weight;  dweight += dy^T x;  dbias += sum over the batch of dy. Any of dx, dweight, dbias
 * may be NULL. */
void linear_serial_backward(float *dx, float *dweight, float *dbias, const float *dy, const float *x,
                            const float *weight, int batch, int in, int out);

#endif
