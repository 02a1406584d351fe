// Scalar int8 and uint8 average pooling with TFLite rounding (the contract lives in
// kernels/pooling.h), one template over pool_window.h's window walk.
#include <cstdint>

#include "kernels/pool_window.h"

namespace fd {
namespace ref_impl {

// (sum +- count/2) / count over the in-bounds taps (half away from zero), clamped to [qmin, qmax].
template <typename T>
void avgpool_quant(const T* input, T* output, const Pool2DParams& p, int32_t qmin, int32_t qmax) {
  const size_t c_n = p.channels;
  for_each_pool_window(p, [&](size_t out_pixel, ptrdiff_t base, size_t fy0, size_t fy1, size_t fx0, size_t fx1) {
    const int32_t count = static_cast<int32_t>((fy1 - fy0) * (fx1 - fx0));
    for (size_t c = 0; c < c_n; ++c) {
      int32_t acc = 0;
      for (size_t fy = fy0; fy < fy1; ++fy) {
        for (size_t fx = fx0; fx < fx1; ++fx) {
          acc += input[(base + static_cast<ptrdiff_t>(fy * p.in_w + fx)) * static_cast<ptrdiff_t>(c_n) + static_cast<ptrdiff_t>(c)];
        }
      }
      acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
      acc = acc < qmin ? qmin : acc;
      acc = acc > qmax ? qmax : acc;
      output[out_pixel * c_n + c] = static_cast<T>(acc);
    }
  });
}

}  // namespace ref_impl

void qs8_avgpool_ref(const int8_t* input, int8_t* output, const Pool2DParams& p, int32_t qmin, int32_t qmax) {
  ref_impl::avgpool_quant<int8_t>(input, output, p, qmin, qmax);
}

void qu8_avgpool_ref(const uint8_t* input, uint8_t* output, const Pool2DParams& p, int32_t qmin, int32_t qmax) {
  ref_impl::avgpool_quant<uint8_t>(input, output, p, qmin, qmax);
}

}  // namespace fd
