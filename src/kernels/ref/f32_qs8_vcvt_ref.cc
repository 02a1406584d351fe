#include "kernels/ref/qx8_elementwise_ref_impl.h"

namespace fd {

void f32_qs8_vcvt_ref(size_t n, const float* x, int8_t* y, const F32QuantizeParams& p) {
  ref_impl::quantize(n, x, y, p);
}

}  // namespace fd
