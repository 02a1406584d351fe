// Pooling and reduction kernels over NHWC tensors: max / average pooling, reduce-sum (the MEAN
// spatial sum), softmax and arg max. Each wasmsimd kernel is bit-exact with its ref kernel; ops
// take them from the kernel table (kernels/kernel_table.h).
#pragma once

#include <cstddef>
#include <cstdint>

namespace fd {

// Geometry of a 2-D pooling window over an NHWC input. Output pixel (oy, ox) reads input rows
// oy*stride_h - pad_top + [0, filter_h) and columns ox*stride_w - pad_left + [0, filter_w),
// clipped to the input; windows are never empty (the op checks).
struct Pool2DParams {
  size_t batches = 1, in_h = 1, in_w = 1, channels = 1, out_h = 1, out_w = 1;
  size_t filter_h = 1, filter_w = 1, stride_h = 1, stride_w = 1, pad_top = 0, pad_left = 0;
};

// Max pooling, output clamped to [out_min, out_max]. input [N, H, W, C], output [N, OH, OW, C].
void f32_maxpool_ref(const float* input, float* output, const Pool2DParams& p, float out_min, float out_max);
void f32_maxpool_wasmsimd(const float* input, float* output, const Pool2DParams& p, float out_min, float out_max);
// Max pooling of raw int8 values (input and output share quantization), clamped to [out_min, out_max].
void s8_maxpool_ref(const int8_t* input, int8_t* output, const Pool2DParams& p, int8_t out_min, int8_t out_max);
void s8_maxpool_wasmsimd(const int8_t* input, int8_t* output, const Pool2DParams& p, int8_t out_min, int8_t out_max);
// Max pooling of raw uint8 values (input and output share quantization), clamped to [out_min, out_max].
void u8_maxpool_ref(const uint8_t* input, uint8_t* output, const Pool2DParams& p, uint8_t out_min, uint8_t out_max);
void u8_maxpool_wasmsimd(const uint8_t* input, uint8_t* output, const Pool2DParams& p, uint8_t out_min, uint8_t out_max);

// Average over the in-bounds taps (sum in window order, then / count), clamped to [out_min, out_max].
void f32_avgpool_ref(const float* input, float* output, const Pool2DParams& p, float out_min, float out_max);
void f32_avgpool_wasmsimd(const float* input, float* output, const Pool2DParams& p, float out_min, float out_max);
// Average of raw int8 values over the in-bounds taps, rounded like TFLite ((sum +- count/2) / count,
// half away from zero), clamped to [qmin, qmax].
void qs8_avgpool_ref(const int8_t* input, int8_t* output, const Pool2DParams& p, int32_t qmin, int32_t qmax);
void qs8_avgpool_wasmsimd(const int8_t* input, int8_t* output, const Pool2DParams& p, int32_t qmin, int32_t qmax);
// Average of raw uint8 values over the in-bounds taps, rounded like TFLite, clamped to [qmin, qmax].
void qu8_avgpool_ref(const uint8_t* input, uint8_t* output, const Pool2DParams& p, int32_t qmin, int32_t qmax);
void qu8_avgpool_wasmsimd(const uint8_t* input, uint8_t* output, const Pool2DParams& p, int32_t qmin, int32_t qmax);

// Sum over the middle axis: input [outer, reduce, inner] -> output [outer, inner]; float sums run
// in increasing `reduce` order starting from 0.
void f32_rsum_ref(const float* input, size_t outer, size_t reduce, size_t inner, float* output);
void f32_rsum_wasmsimd(const float* input, size_t outer, size_t reduce, size_t inner, float* output);
// Sum of raw int8 values over the middle axis: [outer, reduce, inner] -> int32 [outer, inner].
void qs8_rsum_ref(const int8_t* input, size_t outer, size_t reduce, size_t inner, int32_t* output);
void qs8_rsum_wasmsimd(const int8_t* input, size_t outer, size_t reduce, size_t inner, int32_t* output);
// Sum of raw uint8 values over the middle axis: [outer, reduce, inner] -> int32 [outer, inner].
void qu8_rsum_ref(const uint8_t* input, size_t outer, size_t reduce, size_t inner, int32_t* output);
void qu8_rsum_wasmsimd(const uint8_t* input, size_t outer, size_t reduce, size_t inner, int32_t* output);

// Softmax over the last axis: input/output [rows, cols], out = exp(beta*(x - max)) / sum.
void f32_softmax_ref(const float* input, size_t rows, size_t cols, float beta, float* output);

// Parameters of a quantized softmax, all computed at prepare.
struct QuantSoftmaxParams {
  const float* exp_table = nullptr;  // [256]: exp(-beta * input_scale * d) for d = max - x
  float output_scale = 1.0f;         // real value of one output step
  int32_t output_zero_point = 0;
  int32_t qmin = -128, qmax = 127;
};
// Quantized softmax over the last axis of int8 [rows, cols]: sums the table over each row and
// quantizes table[max - x] / sum to the output scale, ties away from zero (uint8: + 0.5f,
// truncated), as TFLite's table softmax.
void qs8_softmax_ref(const int8_t* input, size_t rows, size_t cols, const QuantSoftmaxParams& p, int8_t* output);
// Quantized softmax over the last axis of uint8 [rows, cols], as qs8_softmax_ref.
void qu8_softmax_ref(const uint8_t* input, size_t rows, size_t cols, const QuantSoftmaxParams& p, uint8_t* output);
void qs8_softmax_wasmsimd(const int8_t* input, size_t rows, size_t cols, const QuantSoftmaxParams& p, int8_t* output);
void qu8_softmax_wasmsimd(const uint8_t* input, size_t rows, size_t cols, const QuantSoftmaxParams& p, uint8_t* output);

// Index of the first maximum along the middle axis: [outer, axis, inner] -> int32 [outer, inner].
void f32_argmax_ref(const float* input, size_t outer, size_t axis, size_t inner, int32_t* output);
void s8_argmax_ref(const int8_t* input, size_t outer, size_t axis, size_t inner, int32_t* output);
void u8_argmax_ref(const uint8_t* input, size_t outer, size_t axis, size_t inner, int32_t* output);
void s32_argmax_ref(const int32_t* input, size_t outer, size_t axis, size_t inner, int32_t* output);
void s8_argmax_wasmsimd(const int8_t* input, size_t outer, size_t axis, size_t inner, int32_t* output);
void u8_argmax_wasmsimd(const uint8_t* input, size_t outer, size_t axis, size_t inner, int32_t* output);

}  // namespace fd
