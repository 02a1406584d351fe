// Scalar references of quantized int8 and uint8 ADD/SUB of a vector and one scalar, integer
// (rndnu) output stage (the contract lives in kernels/elementwise.h).
#include "kernels/elementwise.h"

namespace fd {
namespace ref_impl {

// qadd_output((a - a_zp) * a_mult + (b[0] - b_zp) * b_mult), elementwise.
template <typename T>
void qvaddc(size_t n, const T* a, const T* b, T* out, const QAddParams& p) {
  const int32_t bterm = (static_cast<int32_t>(b[0]) - p.b_zero_point) * p.b_multiplier;
  for (size_t i = 0; i < n; ++i) {
    const int32_t acc = (static_cast<int32_t>(a[i]) - p.a_zero_point) * p.a_multiplier + bterm;
    out[i] = static_cast<T>(qadd_output(acc, p));
  }
}

}  // namespace ref_impl

void qs8_vaddc_rndnu_ref(size_t n, const int8_t* a, const int8_t* b, int8_t* out, const QAddParams& p) {
  ref_impl::qvaddc(n, a, b, out, p);
}

void qu8_vaddc_rndnu_ref(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out, const QAddParams& p) {
  ref_impl::qvaddc(n, a, b, out, p);
}

}  // namespace fd
