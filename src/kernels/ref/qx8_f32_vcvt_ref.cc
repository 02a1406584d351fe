// Scalar references of the int8 and uint8 -> float32 dequantization (the contract lives in
// kernels/elementwise.h).
#include "kernels/elementwise.h"

namespace fd {
namespace ref_impl {

// y = float(x - zp) * scale.
template <typename T>
void dequantize(size_t n, const T* x, float* y, const DequantizeParams& p) {
  for (size_t i = 0; i < n; ++i) {
    y[i] = static_cast<float>(static_cast<int32_t>(x[i]) - p.zero_point) * p.scale;
  }
}

}  // namespace ref_impl

void qs8_f32_vcvt_ref(size_t n, const int8_t* x, float* y, const DequantizeParams& p) {
  ref_impl::dequantize(n, x, y, p);
}

void qu8_f32_vcvt_ref(size_t n, const uint8_t* x, float* y, const DequantizeParams& p) {
  ref_impl::dequantize(n, x, y, p);
}

}  // namespace fd
