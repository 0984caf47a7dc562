/* xent.c: softmax cross-entropy and top-1 accuracy (see xent.h). Batches are small (64-512 rows of 10-120
 * classes), so one serial pass in double is both exact enough and cheap. */
#include "xent.h"

#include <math.h>

#include "common.h"

/* Cross-entropy of one row; adds its gradient (scaled by `scale`) to drow when drow is not NULL;
 * *argmax receives the first index of the row maximum. */
static double xent_row(float *drow, int *argmax, const float *row, int label, int classes, double scale) {
    int best = 0;
    for (int k = 1; k < classes; k++)
        if (row[k] > row[best]) best = k;
    double top = row[best], sum = 0.0;
    for (int k = 0; k < classes; k++) sum += exp((double)row[k] - top);
    double log_sum = log(sum);
    if (drow)
        for (int k = 0; k < classes; k++)
            drow[k] += (float)((exp((double)row[k] - top - log_sum) - (k == label)) * scale);
    *argmax = best;
    return log_sum - ((double)row[label] - top);
}

double xent_forward_backward(float *dlogits, int *correct, const float *logits, const int *labels, int batch,
                             int classes) {
    SN_ASSERT(batch > 0 && classes > 0, "xent: batch %d, classes %d", batch, classes);
    double total = 0.0, scale = 1.0 / batch;
    int hits = 0;
    for (int n = 0; n < batch; n++) {
        SN_ASSERT(labels[n] >= 0 && labels[n] < classes, "xent: label %d of row %d outside [0, %d)", labels[n], n,
                  classes);
        int argmax;
        total += xent_row(dlogits ? dlogits + (size_t)n * classes : NULL, &argmax, logits + (size_t)n * classes,
                          labels[n], classes, scale);
        hits += argmax == labels[n];
    }
    if (correct) *correct = hits;
    return total / batch;
}
