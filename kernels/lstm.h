/*
 * lstm.h: one time step of a multi-layer LSTM (torch.nn.LSTM semantics) and its backward, for
 * back-propagation through time driven by the caller. Matrix products run on BLIS sgemm on the
 * calling thread (linear_serial.h).
 *
 * Per layer l, with input x_l (x for l = 0, the same step's h of layer l - 1 otherwise):
 *   pre = x_l W_ih^T + b_ih + h_prev W_hh^T + b_hh          (batch, 4 hidden), gate blocks i, f, g, o
 *   i = sigmoid, f = sigmoid, g = tanh, o = sigmoid (of their block of pre)
 *   c = f * c_prev + i * g;   h = o * tanh(c)
 *
 * Parameter layout (also the gradient layout), layer after layer, each layer's block in the order of
 * torch's weight_ih_l{l} (4H, in_l), weight_hh_l{l} (4H, H), bias_ih_l{l} (4H), bias_hh_l{l} (4H),
 * with in_0 = input and in_l = hidden for l > 0.
 *
 * State arrays h, c, h_prev, c_prev are (layers, batch, hidden); gates (layers, batch, 4 hidden) holds
 * the activated gates i, f, g, o, which is what the backward needs besides the inputs and states.
 * Backward ACCUMULATES (+=) into every d-prefixed buffer (llm.c convention).
 */
#ifndef SN_LSTM_H
#define SN_LSTM_H

#include <stddef.h>

typedef struct {
    size_t w_ih, w_hh, b_ih, b_hh; /* offsets of one layer's tensors in the flat parameter array */
} LstmLayerOffsets;

size_t lstm_num_params(int input, int hidden, int layers);
LstmLayerOffsets lstm_layer_offsets(int input, int hidden, int layer);
/* Floats of scratch that lstm_backward_step needs. */
size_t lstm_scratch_floats(int batch, int hidden);

void lstm_forward_step(float *h, float *c, float *gates, const float *x, const float *h_prev, const float *c_prev,
                       const float *params, int batch, int input, int hidden, int layers);

/*
 * Backward of one lstm_forward_step. dh (layers, batch, hidden) is the gradient reaching each layer's
 * h from outside the step (the next step's dh_prev, plus the consumer of the top layer's output); dc
 * likewise from the next step. Accumulates dx (batch, input), dh_prev and dc_prev (layers, batch,
 * hidden) and dparams. h, c, gates are the step's forward outputs; x, h_prev, c_prev its inputs.
 */
void lstm_backward_step(float *dx, float *dh_prev, float *dc_prev, float *dparams, float *scratch, const float *dh,
                        const float *dc, const float *x, const float *h, const float *c, const float *gates,
                        const float *h_prev, const float *c_prev, const float *params, int batch, int input,
                        int hidden, int layers);

#endif
