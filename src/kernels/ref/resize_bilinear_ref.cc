// Scalar float, int8 and uint8 bilinear resize (the contract lives in kernels/resize.h).
#include <cmath>
#include <cstdint>

#include "kernels/resize.h"

namespace fd {
namespace ref_impl {

// The blend of each channel; `quantized` rounds it (floor(v + 0.5)) and clamps it to [qmin, qmax].
template <typename T>
void resize_bilinear(const T* input, T* output, const ResizeBilinearParams& p, bool quantized, float qmin, float qmax) {
  const size_t c_n = p.channels;
  for (size_t b = 0; b < p.batches; ++b) {
    for (size_t y = 0; y < p.out_h; ++y) {
      const float fy = p.fy[y];
      const float ny = 1.0f - fy;
      const T* row0 = input + (b * p.in_h + static_cast<size_t>(p.y0[y])) * p.in_w * c_n;
      const T* row1 = input + (b * p.in_h + static_cast<size_t>(p.y1[y])) * p.in_w * c_n;
      for (size_t x = 0; x < p.out_w; ++x) {
        const float fx = p.fx[x];
        const float nx = 1.0f - fx;
        const size_t x0 = static_cast<size_t>(p.x0[x]) * c_n, x1 = static_cast<size_t>(p.x1[x]) * c_n;
        T* out = output + ((b * p.out_h + y) * p.out_w + x) * c_n;
        for (size_t c = 0; c < c_n; ++c) {
          float v = bilinear_blend(static_cast<float>(row0[x0 + c]), static_cast<float>(row1[x0 + c]),
                                   static_cast<float>(row0[x1 + c]), static_cast<float>(row1[x1 + c]), fy, ny, fx, nx);
          if (quantized) {
            v = std::floor(v + 0.5f);
            v = v < qmin ? qmin : v;
            v = v > qmax ? qmax : v;
          }
          out[c] = static_cast<T>(v);
        }
      }
    }
  }
}

}  // namespace ref_impl

void f32_resize_bilinear_ref(const float* input, float* output, const ResizeBilinearParams& p) {
  ref_impl::resize_bilinear<float>(input, output, p, false, 0.0f, 0.0f);
}

void qs8_resize_bilinear_ref(const int8_t* input, int8_t* output, const ResizeBilinearParams& p) {
  ref_impl::resize_bilinear<int8_t>(input, output, p, true, -128.0f, 127.0f);
}

void qu8_resize_bilinear_ref(const uint8_t* input, uint8_t* output, const ResizeBilinearParams& p) {
  ref_impl::resize_bilinear<uint8_t>(input, output, p, true, 0.0f, 255.0f);
}

}  // namespace fd
