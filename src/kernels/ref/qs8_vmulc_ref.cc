#include "core/quant.h"
#include "kernels/elementwise.h"

namespace fd {

void qs8_vmulc_ref(size_t n, const int8_t* a, const int8_t* b, int8_t* out, const QMulParams& p) {
  const int32_t bv = static_cast<int32_t>(b[0]) - p.b_zero_point;
  for (size_t i = 0; i < n; ++i) {
    const int32_t acc = (static_cast<int32_t>(a[i]) - p.a_zero_point) * bv;
    out[i] = static_cast<int8_t>(requantize(acc, p.scale, p.output_zero_point, p.qmin, p.qmax));
  }
}

}  // namespace fd
