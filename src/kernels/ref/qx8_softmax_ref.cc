// Scalar int8 and uint8 softmax through a 256-entry exp table (the contract lives in
// kernels/pooling.h).
#include <cmath>
#include <cstdint>

#include "kernels/pooling.h"

namespace fd {
namespace ref_impl {

// The output rounding of TFLite's table softmax (what LiteRT.js runs: XNNPACK has no quantized
// softmax): int8 rounds half away from zero (std::round), uint8 adds 0.5f and truncates. Both
// differ from round-to-nearest-even at exact ties. std::round is a libm call in wasm; adding
// 0.5 less one unit in the last place (0.49999997f, toward v's sign) and truncating gives the same
// float as std::round for every input (checked over all 2^32 bit patterns), in three instructions.
inline float round_output(float v, int8_t) { return std::trunc(v + std::copysign(0.49999997f, v)); }
inline float round_output(float v, uint8_t) { return std::trunc(v + 0.5f); }

template <typename T>
void softmax_quant(const T* input, size_t rows, size_t cols, const QuantSoftmaxParams& p, T* output) {
  for (size_t r = 0; r < rows; ++r) {
    const T* x = input + r * cols;
    T* y = output + r * cols;
    int32_t mx = x[0];
    for (size_t c = 1; c < cols; ++c) mx = x[c] > mx ? x[c] : mx;
    float sum = 0.0f;
    for (size_t c = 0; c < cols; ++c) sum += p.exp_table[mx - x[c]];
    const float inv = 1.0f / (sum * p.output_scale);
    // Clamped in float before the integer conversion: a tiny output scale makes the quotient
    // huge, and an overflowing table (inf / inf) NaN, which goes to qmin.
    const float lo = static_cast<float>(p.qmin - p.output_zero_point);
    const float hi = static_cast<float>(p.qmax - p.output_zero_point);
    for (size_t c = 0; c < cols; ++c) {
      float v = round_output(p.exp_table[mx - x[c]] * inv, T{});
      v = v >= lo ? v : lo;
      v = v <= hi ? v : hi;
      y[c] = static_cast<T>(static_cast<int32_t>(v) + p.output_zero_point);
    }
  }
}

}  // namespace ref_impl

void qs8_softmax_ref(const int8_t* input, size_t rows, size_t cols, const QuantSoftmaxParams& p, int8_t* output) {
  ref_impl::softmax_quant<int8_t>(input, rows, cols, p, output);
}

void qu8_softmax_ref(const uint8_t* input, size_t rows, size_t cols, const QuantSoftmaxParams& p, uint8_t* output) {
  ref_impl::softmax_quant<uint8_t>(input, rows, cols, p, output);
}

}  // namespace fd
