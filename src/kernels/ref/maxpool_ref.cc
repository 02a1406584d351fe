// Scalar float, int8 and uint8 max pooling (the contract lives in kernels/pooling.h), one template
// over pool_window.h's window walk.
#include <cmath>
#include <cstdint>

#include "kernels/pool_window.h"

namespace fd {
namespace ref_impl {

// Max over the in-bounds taps starting from `lowest`, clamped to [out_min, out_max].
template <typename T>
void maxpool(const T* input, T* output, const Pool2DParams& p, T out_min, T out_max, T lowest) {
  const size_t c_n = p.channels;
  for_each_pool_window(p, [&](size_t out_pixel, ptrdiff_t base, size_t fy0, size_t fy1, size_t fx0, size_t fx1) {
    for (size_t c = 0; c < c_n; ++c) {
      T m = lowest;
      for (size_t fy = fy0; fy < fy1; ++fy) {
        for (size_t fx = fx0; fx < fx1; ++fx) {
          const T v = input[(base + static_cast<ptrdiff_t>(fy * p.in_w + fx)) * static_cast<ptrdiff_t>(c_n) + static_cast<ptrdiff_t>(c)];
          m = m < v ? v : m;
        }
      }
      m = m < out_min ? out_min : m;
      m = m > out_max ? out_max : m;
      output[out_pixel * c_n + c] = m;
    }
  });
}

}  // namespace ref_impl

void f32_maxpool_ref(const float* input, float* output, const Pool2DParams& p, float out_min, float out_max) {
  ref_impl::maxpool<float>(input, output, p, out_min, out_max, -INFINITY);
}

void s8_maxpool_ref(const int8_t* input, int8_t* output, const Pool2DParams& p, int8_t out_min, int8_t out_max) {
  ref_impl::maxpool<int8_t>(input, output, p, out_min, out_max, INT8_MIN);
}

void u8_maxpool_ref(const uint8_t* input, uint8_t* output, const Pool2DParams& p, uint8_t out_min, uint8_t out_max) {
  ref_impl::maxpool<uint8_t>(input, output, p, out_min, out_max, 0);
}

}  // namespace fd
