#include "core/quant.h"
#include "kernels/elementwise.h"

namespace fd {

void qs8_vaddc_ref(size_t n, const int8_t* a, const int8_t* b, int8_t* out, const QAddParams& p) {
  const int32_t bterm = (static_cast<int32_t>(b[0]) - p.b_zero_point) * p.b_multiplier;
  for (size_t i = 0; i < n; ++i) {
    const int32_t acc = (static_cast<int32_t>(a[i]) - p.a_zero_point) * p.a_multiplier + bterm;
    out[i] = static_cast<int8_t>(qadd_output(acc, p));
  }
}

}  // namespace fd
