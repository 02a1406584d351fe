#include "kernels/wasmsimd/qx8_elementwise_impl.h"

namespace fd {

void qu8_vaddc_wasmsimd(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out, const QAddParams& p) {
  wasmsimd_impl::qvaddc(n, a, b, out, p, qu8_vaddc_ref);
}

}  // namespace fd
