/*
 * linear.h: the classifier, a fully connected layer with bias on plain row-major matrices, on BLIS sgemm.
 * Shapes: x (batch, in), weight (out, in) as torch.nn.Linear stores it, bias (out), y (batch, out).
 */
#ifndef SN_LINEAR_H
#define SN_LINEAR_H

/* y = x weight^T + bias. bias may be NULL (no bias). */
void linear_forward(float *y, const float *x, const float *weight, const float *bias, int batch, int in, int out);

/* dx += dy weight;  dweight += dy^T x;  dbias += sum over the batch of dy.
 * dy is (batch, out). Any of dx, dweight, dbias may be NULL: that gradient is not computed. */
void linear_backward(float *dx, float *dweight, float *dbias, const float *dy, const float *x, const float *weight,
                     int batch, int in, int out);

#endif
