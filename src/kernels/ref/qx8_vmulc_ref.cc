// Scalar references of quantized int8 and uint8 MUL of a vector and one scalar, fp32
// requantization (the contract lives in kernels/elementwise.h).
#include "core/quant.h"
#include "kernels/elementwise.h"

namespace fd {
namespace ref_impl {

// requantize((a - a_zp) * (b[0] - b_zp)), elementwise.
template <typename T>
void qvmulc(size_t n, const T* a, const T* b, T* out, const QMulParams& p) {
  const int32_t bv = static_cast<int32_t>(b[0]) - p.b_zero_point;
  for (size_t i = 0; i < n; ++i) {
    const int32_t acc = (static_cast<int32_t>(a[i]) - p.a_zero_point) * bv;
    out[i] = static_cast<T>(requantize(acc, p.scale, p.output_zero_point, p.qmin, p.qmax));
  }
}

}  // namespace ref_impl

void qs8_vmulc_ref(size_t n, const int8_t* a, const int8_t* b, int8_t* out, const QMulParams& p) {
  ref_impl::qvmulc(n, a, b, out, p);
}

void qu8_vmulc_ref(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out, const QMulParams& p) {
  ref_impl::qvmulc(n, a, b, out, p);
}

}  // namespace fd
