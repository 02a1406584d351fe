#include "kernels/wasmsimd/qx8_elementwise_impl.h"

namespace fd {

void qu8_vadd_wasmsimd(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out, const QAddParams& p) {
  wasmsimd_impl::qvadd(n, a, b, out, p, qu8_vadd_ref);
}

}  // namespace fd
