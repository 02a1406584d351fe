#include "kernels/wasmsimd/qx8_elementwise_impl.h"

namespace fd {

void qu8_vmul_wasmsimd(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out, const QMulParams& p) {
  wasmsimd_impl::qvmul(n, a, b, out, p, qu8_vmul_ref);
}

}  // namespace fd
