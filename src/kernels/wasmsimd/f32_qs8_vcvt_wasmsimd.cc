#include "kernels/wasmsimd/qx8_elementwise_impl.h"

namespace fd {

void f32_qs8_vcvt_wasmsimd(size_t n, const float* x, int8_t* y, const F32QuantizeParams& p) {
  wasmsimd_impl::quantize(n, x, y, p, f32_qs8_vcvt_ref);
}

}  // namespace fd
