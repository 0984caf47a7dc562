/* lstm.c: multi-layer LSTM step forward and backward (see lstm.h). Sizes are small (the ENAS controller:
 * batch 1, hidden 32), so the pointwise parts are plain loops and the four products per layer go to
 * BLIS on the calling thread (linear_serial.h). */
#include "lstm.h"

#include <math.h>
#include <string.h>

#include "linear_serial.h"

static int layer_input(int input, int hidden, int layer) { return layer == 0 ? input : hidden; }

static size_t layer_floats(int in, int hidden) { return (size_t)4 * hidden * ((size_t)in + hidden + 2); }

size_t lstm_num_params(int input, int hidden, int layers) {
    size_t n = 0;
    for (int l = 0; l < layers; l++) n += layer_floats(layer_input(input, hidden, l), hidden);
    return n;
}

LstmLayerOffsets lstm_layer_offsets(int input, int hidden, int layer) {
    size_t base = lstm_num_params(input, hidden, layer), g = (size_t)4 * hidden;
    size_t in = (size_t)layer_input(input, hidden, layer);
    LstmLayerOffsets o = {base, base + g * in, base + g * (in + hidden), base + g * (in + hidden + 1)};
    return o;
}

size_t lstm_scratch_floats(int batch, int hidden) { return (size_t)7 * batch * hidden; }

static float sigmoidf(float x) { return 1.0f / (1.0f + expf(-x)); }

/* Pre-activations -> activated gates in place, then the new cell and hidden state of one layer. */
static void cell_pointwise(float *h, float *c, float *gates, const float *c_prev, int batch, int hidden) {
    for (int n = 0; n < batch; n++) {
        float *gt = gates + (size_t)n * 4 * hidden;
        for (int j = 0; j < hidden; j++) {
            float i = sigmoidf(gt[j]), f = sigmoidf(gt[hidden + j]);
            float g = tanhf(gt[2 * hidden + j]), o = sigmoidf(gt[3 * hidden + j]);
            gt[j] = i, gt[hidden + j] = f, gt[2 * hidden + j] = g, gt[3 * hidden + j] = o;
            size_t k = (size_t)n * hidden + j;
            c[k] = f * c_prev[k] + i * g;
            h[k] = o * tanhf(c[k]);
        }
    }
}

void lstm_forward_step(float *h, float *c, float *gates, const float *x, const float *h_prev, const float *c_prev,
                       const float *params, int batch, int input, int hidden, int layers) {
    size_t state = (size_t)batch * hidden, g4 = (size_t)4 * hidden;
    for (int l = 0; l < layers; l++) {
        LstmLayerOffsets o = lstm_layer_offsets(input, hidden, l);
        int in = layer_input(input, hidden, l);
        const float *xl = l == 0 ? x : h + (l - 1) * state;
        float *pre = gates + l * state * 4;
        for (int n = 0; n < batch; n++)
            for (size_t j = 0; j < g4; j++) pre[n * g4 + j] = params[o.b_ih + j] + params[o.b_hh + j];
        linear_serial_forward_acc(pre, xl, params + o.w_ih, batch, in, 4 * hidden);
        linear_serial_forward_acc(pre, h_prev + l * state, params + o.w_hh, batch, hidden, 4 * hidden);
        cell_pointwise(h + l * state, c + l * state, pre, c_prev + l * state, batch, hidden);
    }
}

/* Gradient of the pre-activations of one layer from dh and dc at its output; dc_prev += dc_t * f. */
static void cell_pointwise_backward(float *dpre, float *dc_prev, const float *dh, const float *dc, const float *c,
                                    const float *gates, const float *c_prev, int batch, int hidden) {
    for (int n = 0; n < batch; n++) {
        const float *gt = gates + (size_t)n * 4 * hidden;
        float *dg = dpre + (size_t)n * 4 * hidden;
        for (int j = 0; j < hidden; j++) {
            size_t k = (size_t)n * hidden + j;
            float i = gt[j], f = gt[hidden + j], g = gt[2 * hidden + j], o = gt[3 * hidden + j];
            float tc = tanhf(c[k]);
            float dct = dc[k] + dh[k] * o * (1.0f - tc * tc); /* total gradient reaching c */
            dg[j] = dct * g * i * (1.0f - i);
            dg[hidden + j] = dct * c_prev[k] * f * (1.0f - f);
            dg[2 * hidden + j] = dct * i * (1.0f - g * g);
            dg[3 * hidden + j] = dh[k] * tc * o * (1.0f - o);
            dc_prev[k] += dct * f;
        }
    }
}

void lstm_backward_step(float *dx, float *dh_prev, float *dc_prev, float *dparams, float *scratch, const float *dh,
                        const float *dc, const float *x, const float *h, const float *c, const float *gates,
                        const float *h_prev, const float *c_prev, const float *params, int batch, int input,
                        int hidden, int layers) {
    size_t state = (size_t)batch * hidden;
    float *dpre = scratch, *dh_layer = scratch + 4 * state, *dfrom_above = scratch + 5 * state;
    float *dx_layer = scratch + 6 * state;
    for (int l = layers - 1; l >= 0; l--) {
        LstmLayerOffsets o = lstm_layer_offsets(input, hidden, l);
        int in = layer_input(input, hidden, l);
        /* h of layer l feeds the next step (dh) and, below the top, layer l + 1 of this step */
        for (size_t k = 0; k < state; k++) dh_layer[k] = dh[l * state + k] + (l < layers - 1 ? dfrom_above[k] : 0.0f);
        cell_pointwise_backward(dpre, dc_prev + l * state, dh_layer, dc + l * state, c + l * state,
                                gates + l * state * 4, c_prev + l * state, batch, hidden);
        float *dxl = dx;
        if (l > 0) {
            memset(dx_layer, 0, sizeof(float) * state);
            dxl = dx_layer;
        }
        linear_serial_backward(dxl, dparams + o.w_ih, dparams + o.b_ih, dpre, l == 0 ? x : h + (l - 1) * state,
                        params + o.w_ih, batch, in, 4 * hidden);
        linear_serial_backward(dh_prev + l * state, dparams + o.w_hh, dparams + o.b_hh, dpre, h_prev + l * state,
                        params + o.w_hh, batch, hidden, 4 * hidden);
        if (l > 0) memcpy(dfrom_above, dx_layer, sizeof(float) * state);
    }
}
