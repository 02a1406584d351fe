// Scalar references of the float32 -> int8 and uint8 quantization (the contract lives in
// kernels/elementwise.h).
#include <cmath>

#include "kernels/elementwise.h"

namespace fd {
namespace ref_impl {

// y = round-even(clamp(x * inv_scale)) + zp.
template <typename T>
void quantize(size_t n, const float* x, T* y, const F32QuantizeParams& p) {
  const float lo = static_cast<float>(p.qmin - p.zero_point);
  const float hi = static_cast<float>(p.qmax - p.zero_point);
  for (size_t i = 0; i < n; ++i) {
    float v = x[i] * p.inv_scale;
    v = v > lo ? v : lo;  // NaN -> lo
    v = v < hi ? v : hi;
    y[i] = static_cast<T>(static_cast<int32_t>(std::nearbyint(v)) + p.zero_point);
  }
}

}  // namespace ref_impl

void f32_qs8_vcvt_ref(size_t n, const float* x, int8_t* y, const F32QuantizeParams& p) {
  ref_impl::quantize(n, x, y, p);
}

void f32_qu8_vcvt_ref(size_t n, const float* x, uint8_t* y, const F32QuantizeParams& p) {
  ref_impl::quantize(n, x, y, p);
}

}  // namespace fd
