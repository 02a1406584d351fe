#include "kernels/wasmsimd/qx8_elementwise_impl.h"

namespace fd {

void qu8_vmulc_wasmsimd(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out, const QMulParams& p) {
  wasmsimd_impl::qvmulc(n, a, b, out, p, qu8_vmulc_ref);
}

}  // namespace fd
