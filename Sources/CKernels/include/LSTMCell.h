// The LSTM cell's pointwise math on AVX-512, bit for bit what NeuralNet's portable Swift code computes.
#ifndef MUSICVAE_LSTM_CELL_H
#define MUSICVAE_LSTM_CELL_H

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when this CPU and OS run AVX-512F, else 0.
int mvae_avx512_supported(void);

/// LSTM.cellForward on AVX-512 (same operations in the same order, no fused multiply-add). Needs mvae_avx512_supported().
/// shapes: gates [rows, 4·units] (pre-activation in, activated i, j, f, o out), c_prev, c, h, tanh_c [rows, units]
void mvae_lstm_cell_forward(float *gates, const float *c_prev, float *c, float *h, float *tanh_c,
                            int rows, int units, float forget_bias);

/// LSTM.cellBackward on AVX-512 (same operations in the same order). Needs mvae_avx512_supported().
/// shapes: gates [rows, 4·units] (activated in, d pre-activation out), c_prev, tanh_c, dh, dc [rows, units]
void mvae_lstm_cell_backward(float *gates, const float *c_prev, const float *tanh_c, const float *dh, float *dc,
                             int rows, int units);

#ifdef __cplusplus
}
#endif
#endif
