#include "core/quant.h"
#include "kernels/elementwise.h"

namespace fd {

void qu8_vaddc_ref(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out, const QAddParams& p) {
  const int32_t bterm = (static_cast<int32_t>(b[0]) - p.b_zero_point) * p.b_multiplier;
  for (size_t i = 0; i < n; ++i) {
    const int32_t acc = (static_cast<int32_t>(a[i]) - p.a_zero_point) * p.a_multiplier + bterm;
    out[i] = static_cast<uint8_t>(qadd_output(acc, p));
  }
}

}  // namespace fd
