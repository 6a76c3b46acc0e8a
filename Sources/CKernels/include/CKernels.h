// Hand-written SIMD kernels for NeuralNet, each chosen at run time by what the CPU has.
#include "BFloat16GEMM.h"
#include "Float32GEMM.h"
#include "LSTMCell.h"
