#include "kernels/wasmsimd/qx8_elementwise_impl.h"

namespace fd {

void qs8_vmul_wasmsimd(size_t n, const int8_t* a, const int8_t* b, int8_t* out, const QMulParams& p) {
  wasmsimd_impl::qvmul(n, a, b, out, p, qs8_vmul_ref);
}

}  // namespace fd
