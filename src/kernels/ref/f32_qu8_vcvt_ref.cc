#include <cmath>

#include "kernels/elementwise.h"

namespace fd {

void f32_qu8_vcvt_ref(size_t n, const float* x, uint8_t* y, const F32QuantizeParams& p) {
  const float lo = static_cast<float>(p.qmin - p.zero_point);
  const float hi = static_cast<float>(p.qmax - p.zero_point);
  for (size_t i = 0; i < n; ++i) {
    float v = x[i] * p.inv_scale;
    v = v > lo ? v : lo;  // NaN -> lo
    v = v < hi ? v : hi;
    y[i] = static_cast<uint8_t>(static_cast<int32_t>(std::nearbyint(v)) + p.zero_point);
  }
}

}  // namespace fd
