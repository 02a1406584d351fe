#include "kernels/wasmsimd/qx8_elementwise_impl.h"

namespace fd {

void qs8_f32_vcvt_wasmsimd(size_t n, const int8_t* x, float* y, const DequantizeParams& p) {
  wasmsimd_impl::dequantize(n, x, y, p, qs8_f32_vcvt_ref);
}

}  // namespace fd
