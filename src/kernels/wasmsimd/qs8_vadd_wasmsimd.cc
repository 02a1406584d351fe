#include "kernels/wasmsimd/qx8_elementwise_impl.h"

namespace fd {

void qs8_vadd_wasmsimd(size_t n, const int8_t* a, const int8_t* b, int8_t* out, const QAddParams& p) {
  wasmsimd_impl::qvadd(n, a, b, out, p, qs8_vadd_ref);
}

}  // namespace fd
