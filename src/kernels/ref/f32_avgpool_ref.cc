// Scalar float average pooling (the contract lives in kernels/pooling.h), over pool_window.h's
// window walk.
#include "kernels/pool_window.h"

namespace fd {

void f32_avgpool_ref(const float* input, float* output, const Pool2DParams& p, float out_min, float out_max) {
  const size_t c_n = p.channels;
  for_each_pool_window(p, [&](size_t out_pixel, ptrdiff_t base, size_t fy0, size_t fy1, size_t fx0, size_t fx1) {
    const float count = static_cast<float>((fy1 - fy0) * (fx1 - fx0));
    for (size_t c = 0; c < c_n; ++c) {
      float acc = 0.0f;
      for (size_t fy = fy0; fy < fy1; ++fy) {
        for (size_t fx = fx0; fx < fx1; ++fx) {
          acc += input[(base + static_cast<ptrdiff_t>(fy * p.in_w + fx)) * static_cast<ptrdiff_t>(c_n) + static_cast<ptrdiff_t>(c)];
        }
      }
      float v = acc / count;
      v = v < out_min ? out_min : v;
      v = v > out_max ? out_max : v;
      output[out_pixel * c_n + c] = v;
    }
  });
}

}  // namespace fd
