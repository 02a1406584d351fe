#include "kernels/elementwise.h"

namespace fd {

void qs8_f32_vcvt_ref(size_t n, const int8_t* x, float* y, const DequantizeParams& p) {
  for (size_t i = 0; i < n; ++i) {
    y[i] = static_cast<float>(static_cast<int32_t>(x[i]) - p.zero_point) * p.scale;
  }
}

}  // namespace fd
