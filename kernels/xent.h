/*
 * xent.h: softmax cross-entropy, mean over the batch, and top-1 accuracy (REFERENCE.md 5.5).
 * logits is a plain row-major (batch, classes) matrix, labels is (batch) with values in [0, classes).
 */
#ifndef SN_XENT_H
#define SN_XENT_H

/*
 * Returns the mean over the batch of -log softmax(logits[n])[labels[n]], computed with the row maximum
 * subtracted (finite for any finite logits). *correct (if not NULL) receives the number of rows whose
 * argmax (lowest index on ties) equals the label. If dlogits is not NULL, the gradient of the returned
 * mean is accumulated: dlogits[n] += (softmax(logits[n]) - onehot(labels[n])) / batch.
 * Forward and backward are one pass because the backward needs nothing but the softmax of the forward.
 */
double xent_forward_backward(float *dlogits, int *correct, const float *logits, const int *labels, int batch,
                             int classes);

#endif
