#include "kernels/wasmsimd/qx8_elementwise_impl.h"

namespace fd {

void f32_qu8_vcvt_wasmsimd(size_t n, const float* x, uint8_t* y, const F32QuantizeParams& p) {
  wasmsimd_impl::quantize(n, x, y, p, f32_qu8_vcvt_ref);
}

}  // namespace fd
