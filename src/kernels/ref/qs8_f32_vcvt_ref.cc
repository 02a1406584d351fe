#include "kernels/ref/qx8_elementwise_ref_impl.h"

namespace fd {

void qs8_f32_vcvt_ref(size_t n, const int8_t* x, float* y, const DequantizeParams& p) {
  ref_impl::dequantize(n, x, y, p);
}

}  // namespace fd
